package org.chexnet.evaluation.calibration;

import java.util.Arrays;
import java.util.Locale;

/** How {@link ModelCalibration} maps each class's probabilities. */
public enum CalibrationMethod {
  /** {@link PlattScaling}, the default: two parameters per class, smooth, hard to overfit. */
  PLATT,
  /** {@link IsotonicCalibration}: any monotone map; needs more validation images per class. */
  ISOTONIC;

  /** "platt" or "isotonic", as the calibration file and the command line write it. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * @throws IllegalArgumentException naming the known methods
   */
  public static CalibrationMethod of(String id) {
    for (CalibrationMethod method : values()) {
      if (method.id().equals(id)) {
        return method;
      }
    }
    throw new IllegalArgumentException(
        "unknown calibration method '"
            + id
            + "', expected one of "
            + Arrays.stream(values()).map(CalibrationMethod::id).toList());
  }
}
