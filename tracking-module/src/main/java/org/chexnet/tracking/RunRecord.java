package org.chexnet.tracking;

import java.util.Map;

/**
 * A run as read back, from the local store or from a server: what {@code chexnet runs list} and
 * {@code compare} show.
 *
 * @param status MLflow's name for it: RUNNING, FINISHED, FAILED, ...
 * @param endTime null while running
 * @param metrics each metric's latest value (largest step, then latest timestamp)
 * @param artifactUri where the run's artifacts are: {@code file://...} locally, {@code
 *     mlflow-artifacts:/...} on a server that proxies them
 */
public record RunRecord(
    String id,
    String experimentId,
    String experimentName,
    String name,
    String status,
    long startTime,
    Long endTime,
    Map<String, String> params,
    Map<String, String> tags,
    Map<String, Double> metrics,
    String artifactUri) {

  public RunRecord {
    params = Map.copyOf(params);
    tags = Map.copyOf(tags);
    metrics = Map.copyOf(metrics);
  }
}
