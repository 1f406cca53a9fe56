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
 */
public record SubgroupGap(
    String className,
    String higher,
    String lower,
    double gap,
    Interval ci,
    String undefinedReason) {

  /** Whether the interval excludes zero: the subgroups differ beyond what resampling explains. */
  public boolean flagged() {
    return ci.defined() && (ci.low() > 0 || ci.high() < 0);
  }
}
