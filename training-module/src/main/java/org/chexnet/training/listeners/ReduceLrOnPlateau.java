package org.chexnet.training.listeners;

import java.util.Map;
import java.util.OptionalDouble;
import org.chexnet.training.TrainingContext;
import org.chexnet.training.TrainingListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keras' ReduceLROnPlateau: when the monitored metric has not improved by {@code minDelta} for
 * {@code patience} epochs, multiply the learning rate by {@code factor} (not below {@code minLr}),
 * then wait {@code cooldown} epochs before counting again. CheXNet divides by 10 on a
 * validation-loss plateau.
 */
public final class ReduceLrOnPlateau implements TrainingListener {
  private static final Logger LOG = LoggerFactory.getLogger(ReduceLrOnPlateau.class);

  private final String monitor;
  private final MonitorMode mode;
  private final double factor;
  private final int patience;
  private final double minDelta;
  private final int cooldown;
  private final double minLr;
  private double best;
  private int wait;
  private int cooldownCounter;

  public ReduceLrOnPlateau(
      String monitor,
      MonitorMode mode,
      double factor,
      int patience,
      double minDelta,
      int cooldown,
      double minLr) {
    if (!(factor < 1)) {
      throw new IllegalArgumentException("factor must be < 1, got " + factor);
    }
    this.monitor = monitor;
    this.mode = mode.resolve(monitor);
    this.factor = factor;
    this.patience = patience;
    this.minDelta = minDelta;
    this.cooldown = cooldown;
    this.minLr = minLr;
    this.best = this.mode.worst();
  }

  @Override
  public void onEpochEnd(TrainingContext context) {
    OptionalDouble current = context.epochMetric(monitor);
    if (current.isEmpty()) {
      LOG.warn(
          "Learning rate reduction is conditioned on metric {} which is not available", monitor);
      return;
    }
    if (cooldownCounter > 0) {
      cooldownCounter--;
      wait = 0;
    }
    if (mode.improves(current.getAsDouble(), best, minDelta)) {
      best = current.getAsDouble();
      wait = 0;
    } else if (cooldownCounter <= 0) {
      wait++;
      if (wait >= patience) {
        float lr = (float) context.model().learningRate();
        // The rate is a float32 variable, and Keras computes with it in float32: compare and
        // multiply as Keras does (a min_lr that float32 cannot hold exactly would otherwise trigger
        // endless "reductions" at the floor, and a product rounded once from double can differ
        // from Keras' in the last bit).
        if (lr > (float) minLr) {
          double reduced = Math.max(lr * (float) factor, minLr);
          context.model().setLearningRate(reduced);
          LOG.info(
              "Epoch {}: ReduceLROnPlateau reducing learning rate to {}",
              context.epoch() + 1,
              String.format("%.3g", reduced));
          cooldownCounter = cooldown;
          wait = 0;
        }
      }
    }
  }

  @Override
  public Map<String, String> state() {
    return Map.of(
        "best", Double.toString(best),
        "wait", Integer.toString(wait),
        "cooldown_counter", Integer.toString(cooldownCounter));
  }

  @Override
  public void restoreState(Map<String, String> state) {
    best = Double.parseDouble(state.get("best"));
    wait = Integer.parseInt(state.get("wait"));
    cooldownCounter = Integer.parseInt(state.get("cooldown_counter"));
  }
}
