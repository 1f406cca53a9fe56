package org.chexnet.cli.spec;

/** Which split the final model is scored on, and the inference batch size. */
public record EvaluateSpec(@Default("test") Split split, @Default("64") @Min(1) int batchSize) {

  public enum Split {
    TEST,
    VALIDATION
  }
}
