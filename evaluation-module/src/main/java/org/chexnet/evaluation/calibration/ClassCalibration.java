package org.chexnet.evaluation.calibration;

import org.chexnet.evaluation.Interval;

/**
 * How well one class's probabilities match the observed rates.
 *
 * @param brier mean squared difference between probability and label (0 is perfect)
 * @param brierCi percentile-bootstrap 95% interval
 * @param ece expected calibration error over {@link ReliabilityBins}
 * @param eceCi percentile-bootstrap 95% interval
 * @param bins the reliability diagram's bins
 */
public record ClassCalibration(
    String className,
    int images,
    int positives,
    double brier,
    Interval brierCi,
    double ece,
    Interval eceCi,
    ReliabilityBins bins) {}
