package org.chexnet.tracking;

/** One logged value of a metric, as MLflow stores it. */
public record MetricPoint(long timestamp, double value, long step) {

  /**
   * MLflow's "latest" value: the largest step, then the latest timestamp, then the largest value.
   */
  static boolean isAfter(MetricPoint a, MetricPoint b) {
    if (a.step != b.step) {
      return a.step > b.step;
    }
    if (a.timestamp != b.timestamp) {
      return a.timestamp > b.timestamp;
    }
    return Double.compare(a.value, b.value) > 0;
  }
}
