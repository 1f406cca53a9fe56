package org.chexnet.serving;

import java.util.function.DoubleUnaryOperator;
import org.chexnet.model.ProbabilityCalibration;

/** A calibration for the tests: an increasing map of every probability, described on the page. */
record TestCalibration(String description, DoubleUnaryOperator map)
    implements ProbabilityCalibration {

  @Override
  public String method() {
    return "platt";
  }

  @Override
  public float[] apply(float[] probabilities) {
    float[] mapped = new float[probabilities.length];
    for (int c = 0; c < mapped.length; c++) {
      mapped[c] = (float) map.applyAsDouble(probabilities[c]);
    }
    return mapped;
  }
}
