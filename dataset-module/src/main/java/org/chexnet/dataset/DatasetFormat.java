package org.chexnet.dataset;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * One kind of dataset directory (ChestX-ray14, CheXpert, ...): what it is called, its findings, its
 * metadata files and how to read them. A new dataset is one class implementing this, listed in
 * {@link Datasets}; {@link #readMetadata} is the work, the rest comes from {@link RecordDataset}.
 */
public interface DatasetFormat {

  /** The registry name, as {@code data.dataset} and {@code --dataset} spell it. */
  String name();

  /** The findings as the dataset writes them, in label order. */
  List<String> findings();

  /** The metadata files, required and optional, that {@link #readMetadata} looks for. */
  List<MetadataFile> metadataFiles();

  /**
   * Reads whichever metadata files are present, without touching images (a user checks the labels
   * before downloading the images).
   *
   * @throws java.nio.file.NoSuchFileException naming a required metadata file that is missing
   * @throws IllegalArgumentException "file:line: column 'X': ..." for bad metadata
   */
  DatasetMetadata readMetadata(Path root) throws IOException;

  /**
   * Writes a synthetic dataset of this format's exact layout to {@code out} (new or empty), whose
   * images draw the findings their labels mean: for tests, examples and the quickstart.
   *
   * @param images rows of the metadata
   * @param imageSize side of the images
   * @throws IOException if {@code out} exists and is not empty, or on a write failure
   */
  void writeSynthetic(Path out, int images, int imageSize, long seed) throws IOException;

  /** The dataset for a run: its metadata, images resolved under {@code root}. */
  default Dataset open(Path root) throws IOException {
    return new RecordDataset(readMetadata(root));
  }
}
