package org.chexnet.serving;

import java.util.Map;

/**
 * What the page and {@code GET /api/v1/model} show about the served model.
 *
 * @param name registered model name, or the run's or directory's name
 * @param version registry version; null outside a registry
 * @param runId the training run; null when unknown
 * @param source what {@code --model} named
 * @param testMeanAuroc the run's mean test AUROC; null when unknown
 * @param testAuroc per-finding test AUROC (empty when unknown)
 * @param thresholds per-finding operating-point thresholds from the run's evaluation (empty when
 *     none; findings missing here have no threshold)
 * @param thresholdRule how the thresholds were chosen, as the evaluation wrote it; null if none
 */
public record ModelInfo(
    String name,
    String version,
    String runId,
    String source,
    Double testMeanAuroc,
    Map<String, Double> testAuroc,
    Map<String, Double> thresholds,
    String thresholdRule) {
  public ModelInfo {
    testAuroc = Map.copyOf(testAuroc);
    thresholds = Map.copyOf(thresholds);
  }
}
