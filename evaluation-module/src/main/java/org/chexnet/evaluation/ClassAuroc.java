package org.chexnet.evaluation;

import java.util.Objects;

/**
 * AUROC of one class on one split.
 *
 * @param auroc NaN when undefined (the split lacks positives or negatives for the class)
 * @param undefinedReason why the AUROC is undefined, e.g. "no positive images in this split"; null
 *     when defined
 */
public record ClassAuroc(
    String className, double auroc, int positives, int negatives, String undefinedReason) {

  public ClassAuroc {
    Objects.requireNonNull(className, "className");
    if (Double.isNaN(auroc) != (undefinedReason != null)) {
      // Keeps the two ways of saying "undefined" from contradicting each other.
      throw new IllegalArgumentException(
          className + ": auroc must be NaN exactly when an undefinedReason is given");
    }
  }

  public boolean defined() {
    return undefinedReason == null;
  }
}
