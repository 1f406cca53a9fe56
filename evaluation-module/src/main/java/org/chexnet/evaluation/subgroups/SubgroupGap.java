package org.chexnet.evaluation.subgroups;

import org.chexnet.evaluation.Interval;

/**
 * The largest difference of one finding's metric between the subgroups of an attribute: the
 * subgroup with the highest value minus the one with the lowest, both chosen on the full set, with
 * the percentile-bootstrap 95% interval of that same difference.
 *
 * @param higher the subgroup with the highest value; null when undefined
 * @param lower the subgroup with the lowest value; null when undefined
 * @param gap higher's value minus lower's, NaN when undefined
 * @param undefinedReason why there is no gap (fewer than two subgroups with the metric); null when
 *     defined
 * @param tooFewCases why the gap cannot be flagged although defined: one of the two subgroups has
 *     fewer than {@link #MIN_CASES} positives (or, for AUROC, negatives), where a bootstrap
 *     interval degenerates (a single positive ranked first gives AUROC 1.0 in every replicate);
 *     null when both have enough
 */
public record SubgroupGap(
    String className,
    String higher,
    String lower,
    double gap,
    Interval ci,
    String undefinedReason,
    String tooFewCases) {

  /** Positives (and, for AUROC, negatives) each of the two subgroups needs for a flag. */
  public static final int MIN_CASES = 10;

  /**
   * Whether the interval excludes zero and both subgroups hold enough cases: the subgroups differ
   * beyond what resampling explains.
   */
  public boolean flagged() {
    return tooFewCases == null && ci.defined() && (ci.low() > 0 || ci.high() < 0);
  }
}
