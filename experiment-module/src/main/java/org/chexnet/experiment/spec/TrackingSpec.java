package org.chexnet.experiment.spec;

/**
 * Where runs are recorded.
 *
 * @param uri a local directory in MLflow's file-store layout, or an MLflow server ({@code
 *     http(s)://...}) that the run is mirrored to from the local store {@code mlruns}
 * @param experiment the MLflow experiment; the spec's name when left out
 * @param runName the run's name; the spec's name and the start time when left out
 */
public record TrackingSpec(
    @Default("mlruns") String uri,
    @Default("null") String experiment,
    @Default("null") String runName) {

  public TrackingSpec {
    // A scheme has two letters at least (C:\runs is a Windows directory).
    if (uri.matches("[A-Za-z][A-Za-z0-9+.-]+:.*") && !uri.matches("(https?|file):.*")) {
      throw new InvalidValue(
          "uri",
          "must be a local directory, a file: URI or an MLflow server (http(s)://...), got '"
              + uri
              + "'");
    }
    // The spec is logged as params and an artifact: a password in the URI would be published.
    if (uri.matches("(?i)https?://[^/]*@.*")) {
      throw new InvalidValue(
          "uri",
          "must not hold credentials (user:password@): set MLFLOW_TRACKING_USERNAME and"
              + " MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN, instead");
    }
  }
}
