package org.chexnet.dataset;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Several datasets as one training set ({@code data.sources: [...]}): labels over the harmonised
 * findings of them all, a finding a source lacks masked out for its images. Image keys become
 * {@code <dataset>:<key>} and patients are renumbered, so no two sources' images or patients can
 * collide.
 */
public final class MultiSource {
  private MultiSource() {}

  /** One source: its dataset and its splits, labels in the dataset's findings order. */
  public record Source(Dataset dataset, DataSplits splits) {}

  /** The findings a run on these sources trains on: {@link HarmonisedFindings#union}. */
  public static List<String> findings(List<Dataset> datasets) {
    return HarmonisedFindings.union(
        datasets.stream().map(Dataset::name).toList(),
        datasets.stream().map(Dataset::findings).toList());
  }

  /** {@code dataset:image}. */
  public static String imageKey(String dataset, String image) {
    return dataset + ":" + image;
  }

  /**
   * The file of a {@link #imageKey}.
   *
   * @throws IllegalArgumentException for a key without a known dataset
   */
  public static Path imagePath(List<Dataset> datasets, String key) {
    int colon = key.indexOf(':');
    for (Dataset dataset : datasets) {
      if (colon > 0 && key.substring(0, colon).equals(dataset.name())) {
        return dataset.imagePath(key.substring(colon + 1));
      }
    }
    throw new IllegalArgumentException(
        "image key '"
            + key
            + "' names none of the sources "
            + datasets.stream().map(Dataset::name).toList());
  }

  /**
   * The images of {@link #imageKey}s from each dataset's own source (by dataset name), all of one
   * size.
   *
   * @throws IllegalArgumentException when the sources' sizes differ
   */
  public static BatchLoader.GraySource graySource(Map<String, BatchLoader.GraySource> byDataset) {
    int size = byDataset.values().iterator().next().size();
    for (BatchLoader.GraySource source : byDataset.values()) {
      if (source.size() != size) {
        throw new IllegalArgumentException(
            "sources give images of " + size + " and " + source.size());
      }
    }
    return new BatchLoader.GraySource() {
      @Override
      public byte[] gray(String key) throws IOException {
        int colon = key.indexOf(':');
        return sourceOf(key).gray(key.substring(colon + 1));
      }

      @Override
      public int size() {
        return size;
      }

      @Override
      public void check(List<LabeledImage> images) {
        Map<String, List<LabeledImage>> perSource = new HashMap<>();
        for (LabeledImage image : images) {
          String key = image.imageIndex();
          sourceOf(key);
          perSource
              .computeIfAbsent(key.substring(0, key.indexOf(':')), d -> new ArrayList<>())
              .add(
                  new LabeledImage(
                      key.substring(key.indexOf(':') + 1),
                      image.patientId(),
                      image.labels(),
                      image.mask()));
        }
        perSource.forEach((dataset, list) -> byDataset.get(dataset).check(list));
      }

      private BatchLoader.GraySource sourceOf(String key) {
        int colon = key.indexOf(':');
        BatchLoader.GraySource source = colon > 0 ? byDataset.get(key.substring(0, colon)) : null;
        if (source == null) {
          throw new IllegalArgumentException(
              "image key '" + key + "' names none of the sources " + byDataset.keySet());
        }
        return source;
      }
    };
  }

  /**
   * The sources' splits joined split by split, labels in {@code findings} (harmonised) order.
   *
   * @throws IllegalArgumentException when two sources are the same dataset
   */
  public static DataSplits assemble(List<Source> sources, List<String> findings) {
    if (sources.stream().map(s -> s.dataset().name()).distinct().count() != sources.size()) {
      throw new IllegalArgumentException(
          "each dataset can be a source once, got "
              + sources.stream().map(s -> s.dataset().name()).toList());
    }
    Map<Long, Integer> patients = new HashMap<>();
    List<List<LabeledImage>> parts =
        List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    for (int s = 0; s < sources.size(); s++) {
      Source source = sources.get(s);
      int[] column = columns(source.dataset(), findings);
      long sourceBits = (long) s << 32;
      List<List<LabeledImage>> splits =
          List.of(source.splits().train(), source.splits().validation(), source.splits().test());
      for (int p = 0; p < 3; p++) {
        for (LabeledImage image : splits.get(p)) {
          int patient =
              patients.computeIfAbsent(
                  sourceBits | (image.patientId() & 0xffffffffL), k -> patients.size() + 1);
          parts.get(p).add(project(source.dataset().name(), image, patient, column));
        }
      }
    }
    return new DataSplits(parts.get(0), parts.get(1), parts.get(2));
  }

  /** For each harmonised finding, its column in the dataset's labels, or -1. */
  private static int[] columns(Dataset dataset, List<String> findings) {
    int[] column = new int[findings.size()];
    for (int f = 0; f < column.length; f++) {
      String name = HarmonisedFindings.nameIn(dataset.name(), findings.get(f));
      column[f] = name == null ? -1 : dataset.findings().indexOf(name);
    }
    return column;
  }

  private static LabeledImage project(
      String dataset, LabeledImage image, int patient, int[] column) {
    float[] labels = new float[column.length];
    float[] mask = new float[column.length];
    for (int f = 0; f < column.length; f++) {
      int c = column[f];
      if (c >= 0) {
        labels[f] = image.labels()[c];
        mask[f] = image.known(c) ? 1f : 0f;
      }
    }
    boolean allKnown = true;
    for (float m : mask) {
      allKnown &= m != 0f;
    }
    return new LabeledImage(
        imageKey(dataset, image.imageIndex()), patient, labels, allKnown ? null : mask);
  }
}
