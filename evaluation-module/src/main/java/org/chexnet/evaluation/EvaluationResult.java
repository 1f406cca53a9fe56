package org.chexnet.evaluation;

import java.util.ArrayList;
import java.util.List;

/**
 * Per-class AUROC of a model on one split.
 *
 * @param meanAuroc mean over the defined classes only (NaN when none is defined): an undefined
 *     class is left out rather than counted as 0.5, which would pull the mean toward chance
 * @param images number of images evaluated
 */
public record EvaluationResult(List<ClassAuroc> perClass, double meanAuroc, int images) {

  public EvaluationResult {
    perClass = List.copyOf(perClass);
  }

  /**
   * @param probabilities row-major [images x classNames.size()] predicted probabilities
   * @param labels row-major [images x classNames.size()] ground truth, 1 positive / 0 negative, NaN
   *     masked (left out of that class's AUROC and counts)
   */
  public static EvaluationResult of(
      List<String> classNames, float[] probabilities, float[] labels, int images) {
    int classes = classNames.size();
    long expected = (long) images * classes;
    if (images < 0 || probabilities.length != expected || labels.length != expected) {
      throw new IllegalArgumentException(
          "expected "
              + images
              + " x "
              + classes
              + " = "
              + expected
              + " values, got "
              + probabilities.length
              + " probabilities and "
              + labels.length
              + " labels");
    }
    List<ClassAuroc> perClass = new ArrayList<>(classes);
    for (int c = 0; c < classes; c++) {
      float[] scores = column(probabilities, images, classes, c);
      float[] truth = column(labels, images, classes, c);
      int positives = 0;
      int negatives = 0;
      for (float label : truth) {
        if (Auroc.isPositive(label)) {
          positives++;
        } else if (!Float.isNaN(label)) {
          negatives++;
        }
      }
      String reason =
          positives == 0
              ? "no positive images in this split"
              : negatives == 0 ? "no negative images in this split" : null;
      double auroc = reason == null ? Auroc.of(scores, truth) : Double.NaN;
      perClass.add(new ClassAuroc(classNames.get(c), auroc, positives, negatives, reason));
    }
    double mean =
        perClass.stream()
            .filter(ClassAuroc::defined)
            .mapToDouble(ClassAuroc::auroc)
            .average()
            .orElse(Double.NaN);
    return new EvaluationResult(perClass, mean, images);
  }

  /** Images whose label of {@code c} was masked: neither positive nor negative. */
  public int masked(ClassAuroc c) {
    return images - c.positives() - c.negatives();
  }

  /** Whether any class had masked labels. */
  public boolean anyMasked() {
    return perClass.stream().anyMatch(c -> masked(c) > 0);
  }

  /** The classes whose AUROC could not be computed, in class order. */
  public List<ClassAuroc> undefinedClasses() {
    return perClass.stream().filter(c -> !c.defined()).toList();
  }

  private static float[] column(float[] rowMajor, int rows, int columns, int column) {
    float[] values = new float[rows];
    for (int r = 0; r < rows; r++) {
      values[r] = rowMajor[r * columns + column];
    }
    return values;
  }
}
