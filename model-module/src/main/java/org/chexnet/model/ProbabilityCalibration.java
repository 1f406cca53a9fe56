package org.chexnet.model;

/**
 * A post-hoc calibration applied to a model's probabilities ({@code serve --calibrated}): the
 * serving page and API then show calibrated probabilities and say so.
 */
public interface ProbabilityCalibration {

  /** How it maps, e.g. "platt" or "isotonic". */
  String method();

  /** For people, e.g. "Platt scaling fitted on 11,219 validation images". */
  String description();

  /**
   * @param probabilities one image's probabilities (or one threshold per class), in the model's
   *     class order
   * @return the calibrated values, in the same order
   */
  float[] apply(float[] probabilities);
}
