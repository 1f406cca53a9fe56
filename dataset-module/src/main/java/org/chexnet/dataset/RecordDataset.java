package org.chexnet.dataset;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** A dataset opened from its metadata alone: what every format but ChestX-ray14 opens as. */
public final class RecordDataset implements Dataset {
  private final DatasetMetadata metadata;

  public RecordDataset(DatasetMetadata metadata) {
    this.metadata = metadata;
  }

  public DatasetMetadata metadata() {
    return metadata;
  }

  @Override
  public DatasetFormat format() {
    return metadata.format();
  }

  @Override
  public Path root() {
    return metadata.root();
  }

  @Override
  public List<Path> metadataFiles() {
    return metadata.read();
  }

  /** {@code root/image}. */
  @Override
  public Path imagePath(String image) {
    return ImagePaths.resolve(metadata.root(), image);
  }

  @Override
  public List<ImageRecord> images() {
    return metadata.images();
  }

  @Override
  public DataSplits split(SplitPlan plan, long seed, LabelPolicy policy, Set<View> views) {
    return RecordSplits.split(
        name(), metadata.images(), plan, seed, policy.labeler(findings()), views);
  }
}
