package org.chexnet.tracking;

/** Tag keys MLflow itself reads (the UI shows them as the run's name, user, source, parent). */
public final class SystemTags {
  public static final String RUN_NAME = "mlflow.runName";
  public static final String USER = "mlflow.user";
  public static final String SOURCE_NAME = "mlflow.source.name";
  public static final String SOURCE_TYPE = "mlflow.source.type";
  public static final String PARENT_RUN_ID = "mlflow.parentRunId";

  /**
   * Set on every run copied to a server: the id of the local run it copies, so a second push finds
   * it instead of creating a duplicate.
   */
  public static final String LOCAL_RUN_ID = "chexnet.local_run_id";

  private SystemTags() {}
}
