package org.chexnet.evaluation;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One model's predictions on a set of images, with the ground truth. Arrays are row-major [images x
 * classes], shared rather than copied: treat them as read-only.
 *
 * @param imageIndexes image names (NIH's "Image Index"), one per row, unique
 * @param probabilities predicted probabilities
 * @param labels ground truth, 1 positive / 0 negative / NaN masked: a label that is not known (an
 *     uncertain label ignored, a finding the image's dataset lacks) is left out of that class's
 *     AUROC, intervals, curve and operating point
 */
public record PredictionSet(List<String> imageIndexes, float[] probabilities, float[] labels) {

  public PredictionSet {
    imageIndexes = List.copyOf(imageIndexes);
    int images = imageIndexes.size();
    if (images == 0) {
      throw new IllegalArgumentException("no images");
    }
    if (probabilities.length != labels.length || probabilities.length % images != 0) {
      throw new IllegalArgumentException(
          "expected "
              + images
              + " rows of probabilities and labels, got "
              + probabilities.length
              + " probabilities and "
              + labels.length
              + " labels");
    }
    Map<String, Integer> rows = new HashMap<>();
    for (int row = 0; row < images; row++) {
      Integer first = rows.putIfAbsent(imageIndexes.get(row), row);
      if (first != null) {
        throw new IllegalArgumentException(
            "image " + imageIndexes.get(row) + " appears in rows " + first + " and " + row);
      }
    }
  }

  public int images() {
    return imageIndexes.size();
  }

  public int classes() {
    return probabilities.length / images();
  }

  /** One class's probabilities, image by image. */
  public float[] scores(int classIndex) {
    return column(probabilities, classIndex);
  }

  /** One class's labels, image by image. */
  public float[] truth(int classIndex) {
    return column(labels, classIndex);
  }

  /**
   * This set's rows in {@code other}'s image order, with {@code other}'s labels, so that two models
   * can be compared image for image.
   *
   * @throws IllegalArgumentException naming an image only one of the two holds
   */
  public PredictionSet alignedTo(PredictionSet other) {
    if (classes() != other.classes()) {
      throw new IllegalArgumentException(
          "cannot pair " + classes() + " classes with " + other.classes());
    }
    Map<String, Integer> rowOf = new HashMap<>();
    for (int row = 0; row < images(); row++) {
      rowOf.put(imageIndexes.get(row), row);
    }
    int classes = classes();
    float[] aligned = new float[probabilities.length];
    for (int row = 0; row < other.images(); row++) {
      Integer mine = rowOf.remove(other.imageIndexes.get(row));
      if (mine == null) {
        throw new IllegalArgumentException(
            "image " + other.imageIndexes.get(row) + " has no prediction in the compared set");
      }
      System.arraycopy(probabilities, mine * classes, aligned, row * classes, classes);
    }
    if (!rowOf.isEmpty()) {
      throw new IllegalArgumentException(
          rowOf.size()
              + " images of the compared set are not in the evaluated set, e.g. "
              + rowOf.keySet().iterator().next());
    }
    return new PredictionSet(other.imageIndexes, aligned, other.labels);
  }

  private float[] column(float[] rowMajor, int classIndex) {
    int classes = classes();
    if (classIndex < 0 || classIndex >= classes) {
      throw new IndexOutOfBoundsException("class " + classIndex + " of " + classes);
    }
    float[] values = new float[images()];
    for (int row = 0; row < values.length; row++) {
      values[row] = rowMajor[row * classes + classIndex];
    }
    return values;
  }
}
