package org.chexnet.training;

import java.util.List;
import org.chexnet.evaluation.EvaluationResult;

/**
 * A model's probabilities for a list of images with their true labels, both row-major [images x
 * classes] (a masked label is NaN: left out of that class's AUROC), and the mean loss over the
 * images.
 */
public record Predictions(
    List<String> imageIndexes, float[] probabilities, float[] labels, double meanLoss) {
  public int size() {
    return imageIndexes.size();
  }

  public EvaluationResult evaluate(List<String> classNames) {
    return EvaluationResult.of(classNames, probabilities, labels, size());
  }
}
