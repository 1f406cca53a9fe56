package org.chexnet.evaluation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.chexnet.evaluation.subgroups.ImageMetadata;

/**
 * 1,600 real rows of NIH's Data_Entry_2017_v2020.csv (subgroups/nih-data-entry-sample.csv, see its
 * SOURCES.md) with their real labels, and predictions generated for them.
 */
public final class NihSample {

  /** CheXNet's 14 findings in its order. */
  public static final List<String> CLASSES =
      List.of(
          "Atelectasis",
          "Cardiomegaly",
          "Effusion",
          "Infiltration",
          "Mass",
          "Nodule",
          "Pneumonia",
          "Pneumothorax",
          "Consolidation",
          "Edema",
          "Emphysema",
          "Fibrosis",
          "Pleural_Thickening",
          "Hernia");

  /** A predicted probability for one image and finding. */
  @FunctionalInterface
  public interface Model {
    float probability(SplittableRandom random, int row, boolean positive);
  }

  private NihSample() {}

  public static Path file() {
    try {
      return Path.of(
          NihSample.class
              .getResource("/org/chexnet/evaluation/subgroups/nih-data-entry-sample.csv")
              .toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public static ImageMetadata metadata() {
    try {
      return ImageMetadata.read(file());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Rows [from, to) of {@code metadata} with their Finding Labels and {@code model}'s scores. */
  public static PredictionSet predictions(
      ImageMetadata metadata, int from, int to, long seed, Model model) {
    SplittableRandom random = new SplittableRandom(seed);
    int classes = CLASSES.size();
    List<String> images = new ArrayList<>();
    float[] probabilities = new float[(to - from) * classes];
    float[] labels = new float[(to - from) * classes];
    for (int row = from; row < to; row++) {
      images.add(metadata.cell(row, "Image Index"));
      List<String> findings = List.of(metadata.cell(row, "Finding Labels").split("\\|"));
      for (int c = 0; c < classes; c++) {
        boolean positive = findings.contains(CLASSES.get(c));
        int k = (row - from) * classes + c;
        probabilities[k] = model.probability(random, row, positive);
        labels[k] = positive ? 1 : 0;
      }
    }
    return new PredictionSet(images, probabilities, labels);
  }

  /** A row-major [rows x classes] array as rows, for a reference script's JSON input. */
  public static double[][] rows(float[] rowMajor, int classes) {
    double[][] rows = new double[rowMajor.length / classes][classes];
    for (int k = 0; k < rowMajor.length; k++) {
      rows[k / classes][k % classes] = rowMajor[k];
    }
    return rows;
  }
}
