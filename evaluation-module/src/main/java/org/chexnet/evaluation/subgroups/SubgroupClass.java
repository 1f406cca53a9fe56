package org.chexnet.evaluation.subgroups;

import java.util.Optional;
import org.chexnet.evaluation.Interval;
import org.chexnet.evaluation.OperatingPoint;

/**
 * One finding in one subgroup.
 *
 * @param prevalence positives / images of the subgroup
 * @param auroc NaN when undefined
 * @param aurocCi percentile-bootstrap 95% interval; undefined with the AUROC
 * @param undefinedReason why the AUROC is undefined ("no positive images in this subgroup"); null
 *     when defined
 * @param operatingPoint counts at the class's threshold; empty without a threshold
 * @param falseNegativeRateCi 95% interval of FN / (TP + FN); undefined without a threshold or
 *     positives
 */
public record SubgroupClass(
    String className,
    int positives,
    double prevalence,
    double auroc,
    Interval aurocCi,
    String undefinedReason,
    Optional<OperatingPoint> operatingPoint,
    Interval falseNegativeRateCi) {

  public boolean defined() {
    return undefinedReason == null;
  }

  /** FN / (TP + FN) at the threshold, 1 - sensitivity; NaN without a threshold or positives. */
  public double falseNegativeRate() {
    return operatingPoint
        .filter(p -> p.truePositives() + p.falseNegatives() > 0)
        .map(p -> (double) p.falseNegatives() / (p.truePositives() + p.falseNegatives()))
        .orElse(Double.NaN);
  }
}
