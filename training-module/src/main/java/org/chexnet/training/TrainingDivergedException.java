package org.chexnet.training;

import org.chexnet.common.ChexnetException;

/** The loss became NaN or infinite: training cannot go on from here. */
public final class TrainingDivergedException extends ChexnetException {
  private static final long serialVersionUID = 1L;

  public TrainingDivergedException(String message) {
    super(Kind.CHECK_FAILED, message);
  }
}
