package org.chexnet.cli.spec;

/**
 * Where runs are recorded.
 *
 * @param uri a local directory in MLflow's file-store layout
 * @param experiment the MLflow experiment; the spec's name when left out
 * @param runName the run's name; the spec's name and the start time when left out
 */
public record TrackingSpec(
    @Default("mlruns") String uri,
    @Default("null") String experiment,
    @Default("null") String runName) {

  public TrackingSpec {
    if (uri.startsWith("http://") || uri.startsWith("https://")) {
      throw new InvalidValue(
          "uri",
          "is a remote MLflow server, which is not supported yet: use a local directory such as mlruns");
    }
  }
}
