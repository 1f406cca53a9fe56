package org.chexnet.training;

/** The loss became NaN or infinite: training cannot go on from here. */
public final class TrainingDivergedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TrainingDivergedException(String message) {
    super(message);
  }
}
