package org.chexnet.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.chexnet.training.listeners.EarlyStopping;
import org.chexnet.training.listeners.MonitorMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keras' EarlyStopping decisions, worked by hand from its on_epoch_end: skip a missing value or an
 * epoch before start_from_epoch; wait += 1; on improvement (current - min_delta beats best in the
 * mode's direction) best = current and wait = 0 only if the value also beats the baseline, then
 * return; else stop when wait >= patience and epoch > 0.
 */
class EarlyStoppingTest {
  private static TrainableModel model;
  @TempDir Path scratch;

  @BeforeAll
  static void createModel() {
    model = TinyNets.model(5);
  }

  @AfterAll
  static void closeModel() {
    model.close();
  }

  private EarlyStopping listener(
      String monitor, double minDelta, int patience, Double baseline, int startFrom) {
    return new EarlyStopping(
        monitor, MonitorMode.AUTO, minDelta, patience, baseline, false, startFrom, scratch);
  }

  /** The 0-based epoch at which the listener asked to stop, or -1. */
  private static int stopEpoch(EarlyStopping listener, String monitor, double... values)
      throws Exception {
    ScriptedEpochs epochs = new ScriptedEpochs(model, values.length);
    for (int e = 0; e < values.length; e++) {
      Map<String, Double> logs = new HashMap<>();
      logs.put(monitor, values[e]);
      epochs.epoch(logs, listener);
      if (epochs.context().stopRequested()) {
        assertEquals(e, listener.stoppedEpoch());
        return e;
      }
    }
    assertEquals(-1, listener.stoppedEpoch());
    return -1;
  }

  @Test
  void defaultPatienceZeroStopsAtTheFirstEpochWithoutImprovement() throws Exception {
    // e0 improves on +inf, e1 improves, e2 does not: wait 1 >= 0 -> stop.
    assertEquals(2, stopEpoch(listener("val_loss", 0, 0, null, 0), "val_loss", 1.0, 0.9, 0.95));
  }

  @Test
  void patienceCountsEpochsSinceTheLastImprovement() throws Exception {
    // e0 best 1.0; e1 wait 1; e2 improves (0.9), wait 0; e3 wait 1; e4 wait 2 >= 2 -> stop.
    assertEquals(
        4, stopEpoch(listener("val_loss", 0, 2, null, 0), "val_loss", 1.0, 1.1, 0.9, 1.2, 1.3));
  }

  @Test
  void minDeltaDecidesWhatCountsAsImprovement() throws Exception {
    // e1: 0.95 is not below 1.0 - 0.1 -> wait 1 >= 1 -> stop.
    assertEquals(1, stopEpoch(listener("val_loss", 0.1, 1, null, 0), "val_loss", 1.0, 0.95, 0.5));
    // 0.85 is below 1.0 - 0.1: an improvement, so no stop.
    assertEquals(-1, stopEpoch(listener("val_loss", 0.1, 1, null, 0), "val_loss", 1.0, 0.85));
  }

  @Test
  void baselineKeepsTheWaitGrowingUntilBeaten() throws Exception {
    // Baseline 0.5 never beaten: improvements do not reset wait, but an improving epoch never
    // stops either (Keras returns early on improvement). e2 0.85 is no improvement: wait 3 >= 2.
    assertEquals(2, stopEpoch(listener("val_loss", 0, 2, 0.5, 0), "val_loss", 0.9, 0.8, 0.85, 0.7));
    assertEquals(-1, stopEpoch(listener("val_loss", 0, 2, 0.5, 0), "val_loss", 0.9, 0.8, 0.7));
    // Baseline 0.85 beaten at e1: wait resets, e2 waits 1 < 2.
    assertEquals(-1, stopEpoch(listener("val_loss", 0, 2, 0.85, 0), "val_loss", 0.9, 0.8, 0.85));
  }

  @Test
  void epochsBeforeStartFromEpochAreIgnored() throws Exception {
    // e0, e1 ignored though worsening; e2 is the first seen (improves on +inf); e3 stops.
    assertEquals(3, stopEpoch(listener("val_loss", 0, 0, null, 2), "val_loss", 1.0, 2.0, 3.0, 4.0));
  }

  @Test
  void aurocIsMaximised() throws Exception {
    assertEquals(
        2,
        stopEpoch(
            listener(TrainingContext.VAL_MEAN_AUROC, 0, 0, null, 0),
            TrainingContext.VAL_MEAN_AUROC,
            0.7,
            0.8,
            0.75));
  }

  @Test
  void restoreBestWeightsBringsBackTheBestEpochWhenStopping() throws Exception {
    EarlyStopping listener =
        new EarlyStopping("val_loss", MonitorMode.AUTO, 0, 2, null, true, 0, scratch);
    ScriptedEpochs epochs = new ScriptedEpochs(model, 4);
    double[] values = {1.0, 0.5, 0.7, 0.8};
    for (int e = 0; e < values.length; e++) {
      model.setLearningRate((e + 1) * 1e-3); // marks which epoch a checkpoint came from
      epochs.epoch(Map.of("val_loss", values[e]), listener);
    }
    assertTrue(epochs.context().stopRequested());
    assertEquals(3, listener.stoppedEpoch());
    assertEquals(1, listener.bestEpoch());
    assertEquals(2e-3, model.learningRate(), 1e-9, "the model of epoch 1 (the best) is back");
  }

  @Test
  void withoutAnEarlyStopTheLastWeightsStay() throws Exception {
    EarlyStopping listener =
        new EarlyStopping("val_loss", MonitorMode.AUTO, 0, 5, null, true, 0, scratch);
    ScriptedEpochs epochs = new ScriptedEpochs(model, 3);
    double[] values = {1.0, 0.5, 0.7};
    for (int e = 0; e < values.length; e++) {
      model.setLearningRate((e + 1) * 1e-3);
      epochs.epoch(Map.of("val_loss", values[e]), listener);
    }
    assertEquals(-1, listener.stoppedEpoch());
    assertEquals(3e-3, model.learningRate(), 1e-9);
  }
}
