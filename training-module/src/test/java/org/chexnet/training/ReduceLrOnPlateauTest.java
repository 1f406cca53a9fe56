package org.chexnet.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import org.chexnet.training.listeners.MonitorMode;
import org.chexnet.training.listeners.ReduceLrOnPlateau;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What our ReduceLROnPlateau does beyond Keras' (whose decisions {@link KerasCallbacksTest}
 * compares with tf-keras' own): mode "auto" maximises AUROC metrics, our rule; a factor of 1 or
 * more is refused.
 */
class ReduceLrOnPlateauTest {
  private static TrainableModel model;

  @BeforeAll
  static void createModel() {
    model = TinyNets.model(11);
  }

  @AfterAll
  static void closeModel() {
    model.close();
  }

  /**
   * Runs the listener over the monitored values (null: the metric is missing that epoch); the lr
   * after each epoch.
   */
  private static double[] learningRates(
      ReduceLrOnPlateau listener, String monitor, double startLr, Double... values)
      throws Exception {
    model.setLearningRate(startLr);
    ScriptedEpochs epochs = new ScriptedEpochs(model, values.length);
    double[] lrs = new double[values.length];
    for (int e = 0; e < values.length; e++) {
      Map<String, Double> logs = new HashMap<>();
      logs.put(TrainingContext.LOSS, 0.5);
      if (values[e] != null) {
        logs.put(monitor, values[e]);
      }
      epochs.epoch(logs, listener);
      lrs[e] = model.learningRate();
    }
    return lrs;
  }

  /** The lr is a float32 variable: compare relatively. */
  private static void assertLearningRates(double[] expected, double[] actual) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(
          expected[i],
          actual[i],
          expected[i] * 1e-6,
          "lr after epoch "
              + i
              + ": expected "
              + java.util.Arrays.toString(expected)
              + ", got "
              + java.util.Arrays.toString(actual));
    }
  }

  @Test
  void autoModeMaximisesAurocMetrics() throws Exception {
    ReduceLrOnPlateau listener =
        new ReduceLrOnPlateau(TrainingContext.VAL_MEAN_AUROC, MonitorMode.AUTO, 0.1, 2, 1e-4, 0, 0);
    double[] lrs =
        learningRates(
            listener,
            TrainingContext.VAL_MEAN_AUROC,
            1.0,
            0.5, // e0: best 0.5
            0.6, // e1: improves (up), best 0.6
            0.6, // e2: wait 1
            0.6, // e3: wait 2 -> 0.1
            0.7, // e4: improves
            0.7, // e5: wait 1
            0.7); // e6: wait 2 -> 0.01
    // Had AUTO resolved to min, 0.6 after 0.5 would count as no improvement: reductions at e2 and
    // e4.
    assertLearningRates(new double[] {1, 1, 1, 0.1, 0.1, 0.1, 0.01}, lrs);
  }

  @Test
  void factorMustBeBelowOne() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new ReduceLrOnPlateau(TrainingContext.VAL_LOSS, MonitorMode.AUTO, 1.0, 2, 0, 0, 0));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new ReduceLrOnPlateau(
                TrainingContext.VAL_LOSS, MonitorMode.AUTO, Double.NaN, 2, 0, 0, 0));
  }
}
