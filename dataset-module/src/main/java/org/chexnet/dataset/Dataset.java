package org.chexnet.dataset;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * A chest X-ray dataset directory opened for a run: its findings, its images as the metadata
 * describes them, where each image file is, and its splits. {@link DatasetFormat#open(Path)} opens
 * one; ChestX-ray14's is {@link ChestXray14}, the others are {@link RecordDataset}s.
 */
public interface Dataset {

  /** What kind of dataset this is. */
  DatasetFormat format();

  /** The format's registry name: chestxray14, chexpert, mimic_cxr_jpg, padchest. */
  default String name() {
    return format().name();
  }

  /** The findings as the dataset writes them, in label order. */
  default List<String> findings() {
    return format().findings();
  }

  /** The dataset directory, absolute. */
  Path root();

  /** The metadata files read (the manifest and the dataset digest cover them). */
  List<Path> metadataFiles();

  /**
   * The file of an image key ({@link ImageRecord#image()}).
   *
   * @throws IllegalArgumentException for a key that would leave {@link #root()}
   */
  Path imagePath(String image);

  /** Every image with labels, in metadata order. */
  List<ImageRecord> images() throws IOException;

  /**
   * Patient-disjoint train, validation and test images with training labels.
   *
   * @param seed drives the random parts (validation carved from train, patient-random)
   * @param policy turns uncertain and missing labels into labels or masks
   * @param views the views to keep (after splitting, so a view filter does not move patients
   *     between splits); empty keeps all
   * @throws IllegalArgumentException naming file and line for a patient in two official splits, or
   *     a plan this dataset cannot follow
   */
  DataSplits split(SplitPlan plan, long seed, LabelPolicy policy, Set<View> views)
      throws IOException;
}
