package org.chexnet.serving;

/**
 * A post-hoc calibration the server applies to the model's probabilities ({@code serve
 * --calibrated}): the page and the API then show calibrated probabilities and say so.
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
