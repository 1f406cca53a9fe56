package org.chexnet.training.listeners;

import java.util.Locale;

/** Whether a monitored metric improves by going down or up (Keras' {@code mode}). */
public enum MonitorMode {
  MIN,
  MAX,
  /**
   * {@code max} for accuracies and AUCs (Keras' rule, plus our {@code auroc} metrics), else {@code
   * min}.
   */
  AUTO;

  public MonitorMode resolve(String monitor) {
    if (this != AUTO) {
      return this;
    }
    String name = monitor.toLowerCase(Locale.ROOT);
    return name.contains("acc") || name.contains("auc") || name.contains("auroc") ? MAX : MIN;
  }

  /**
   * Keras' test: {@code current < best - minDelta} for min, {@code current > best + minDelta} for
   * max.
   */
  public boolean improves(double current, double best, double minDelta) {
    return switch (this) {
      case MIN -> current < best - minDelta;
      case MAX -> current > best + minDelta;
      case AUTO -> throw new IllegalStateException("resolve AUTO against the monitor name first");
    };
  }

  public double worst() {
    return this == MAX ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
  }
}
