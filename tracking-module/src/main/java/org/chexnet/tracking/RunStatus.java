package org.chexnet.tracking;

/** A run's lifecycle state, stored in meta.yaml as MLflow's numeric code. */
public enum RunStatus {
  RUNNING(1),
  SCHEDULED(2),
  FINISHED(3),
  FAILED(4),
  KILLED(5);

  private final int code;

  RunStatus(int code) {
    this.code = code;
  }

  /** The integer MLflow writes to the {@code status} field of a run's meta.yaml. */
  public int code() {
    return code;
  }

  static RunStatus fromCode(int code) {
    for (RunStatus status : values()) {
      if (status.code == code) {
        return status;
      }
    }
    throw new IllegalArgumentException("Unknown MLflow run status code " + code);
  }
}
