package org.chexnet.evaluation;

import java.util.List;

/**
 * Percentile-bootstrap 95% intervals of per-class AUROCs (or of differences of AUROCs) and of their
 * mean.
 *
 * @param replicates replicates drawn
 * @param perClass interval per class, in class order; undefined for a class undefined on the full
 *     set
 * @param replicatesUsed per class, the replicates that held both a positive and a negative (the
 *     others have no AUROC and are left out)
 * @param mean interval of the mean over the classes defined on the full set
 * @param meanReplicatesUsed replicates in which all those classes were defined
 */
public record BootstrapResult(
    int replicates,
    List<Interval> perClass,
    List<Integer> replicatesUsed,
    Interval mean,
    int meanReplicatesUsed) {

  public BootstrapResult {
    perClass = List.copyOf(perClass);
    replicatesUsed = List.copyOf(replicatesUsed);
  }

  /**
   * Ours minus published constants: each class's interval moved by minus its constant (NaN where
   * none is published), the mean's by minus {@code mean}. The constants carry no sampling error.
   */
  public BootstrapResult minus(List<Double> perClassConstants, double meanConstant) {
    List<Interval> moved = new java.util.ArrayList<>(perClass.size());
    for (int c = 0; c < perClass.size(); c++) {
      moved.add(perClass.get(c).shifted(-perClassConstants.get(c)));
    }
    return new BootstrapResult(
        replicates, moved, replicatesUsed, mean.shifted(-meanConstant), meanReplicatesUsed);
  }
}
