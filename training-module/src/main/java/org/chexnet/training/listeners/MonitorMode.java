package org.chexnet.training.listeners;

import java.util.Locale;

/** Whether a monitored metric improves by going down or up (Keras' {@code mode}). */
public enum MonitorMode {
  MIN,
  MAX,
  /**
   * Our rule, the same for every listener: {@code max} when the name contains {@code acc}, {@code
   * auc} or {@code auroc} in any case ({@code val_accuracy}, {@code val_mean_auroc}), else {@code
   * min}. Keras' callbacks each have their own rule (tf-keras 2.18: ReduceLROnPlateau maximises
   * names containing "acc"; EarlyStopping names ending in "acc", "accuracy" or "auc";
   * ModelCheckpoint names containing "acc" or starting with "fmeasure"), so on {@code val_loss},
   * {@code val_acc} or {@code val_accuracy} both agree, while Keras minimises {@code
   * val_mean_auroc}.
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
