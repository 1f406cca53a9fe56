package org.chexnet.evaluation.calibration;

/** A monotone map from one class's predicted probability to a calibrated probability. */
public sealed interface ClassCalibrator permits PlattScaling, IsotonicCalibration {

  /** The calibrated probability of {@code probability}, in [0, 1]. */
  double apply(double probability);
}
