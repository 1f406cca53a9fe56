package org.chexnet.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.chexnet.training.listeners.MonitorMode;
import org.chexnet.training.listeners.ReduceLrOnPlateau;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keras' ReduceLROnPlateau decisions, epoch by epoch. Every expected sequence is worked by hand
 * from Keras' on_epoch_end: in cooldown -> counter--, wait = 0; improvement -> best = current, wait
 * = 0; else if not in cooldown -> wait++, and when wait >= patience and lr > min_lr -> lr = max(lr
 * * factor, min_lr), cooldown restarts, wait = 0.
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

  private static ReduceLrOnPlateau valLoss(
      int patience, double minDelta, int cooldown, double minLr) {
    return new ReduceLrOnPlateau(
        TrainingContext.VAL_LOSS, MonitorMode.AUTO, 0.1, patience, minDelta, cooldown, minLr);
  }

  @Test
  void reducesAfterPatienceEpochsWithoutImprovement() throws Exception {
    double[] lrs =
        learningRates(
            valLoss(2, 1e-4, 0, 0),
            TrainingContext.VAL_LOSS,
            1.0,
            1.0, // e0: best 1.0
            0.9, // e1: improves, best 0.9
            0.95, // e2: wait 1
            0.95, // e3: wait 2 -> lr 0.1, wait 0
            0.95, // e4: wait 1
            0.8, // e5: improves, best 0.8, wait 0
            0.85, // e6: wait 1
            0.85, // e7: wait 2 -> lr 0.01
            0.85, // e8: wait 1
            0.85); // e9: wait 2 -> lr 0.001
    assertLearningRates(new double[] {1, 1, 1, 0.1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.001}, lrs);
  }

  @Test
  void cooldownDelaysCountingAfterAReduction() throws Exception {
    Double[] flat = {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0};
    // patience 2, cooldown 2: e0 best; e1 wait 1; e2 wait 2 -> 0.1 (cooldown 2); e3 cooldown 1,
    // not counted; e4 cooldown 0, wait 1; e5 wait 2 -> 0.01; e6 cooldown; e7 wait 1; e8 -> 0.001;
    // e9 cooldown.
    assertLearningRates(
        new double[] {1, 1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.001, 0.001},
        learningRates(valLoss(2, 1e-4, 2, 0), TrainingContext.VAL_LOSS, 1.0, flat));
    // The same without cooldown reduces every second epoch: e2, e4, e6, e8.
    assertLearningRates(
        new double[] {1, 1, 0.1, 0.1, 0.01, 0.01, 0.001, 0.001, 1e-4, 1e-4},
        learningRates(valLoss(2, 1e-4, 0, 0), TrainingContext.VAL_LOSS, 1.0, flat));
  }

  @Test
  void anImprovementDuringCooldownBecomesTheNewBest() throws Exception {
    double[] lrs =
        learningRates(
            valLoss(1, 0, 2, 0),
            TrainingContext.VAL_LOSS,
            1.0,
            1.0, // e0: best 1.0
            1.0, // e1: wait 1 -> lr 0.1, cooldown 2
            0.5, // e2: cooldown 1; improves anyway: best 0.5
            0.6, // e3: cooldown 0; 0.6 is worse than 0.5 (not than 1.0): wait 1 -> lr 0.01,
            // cooldown 2
            0.6, // e4: cooldown 1, not counted
            0.6); // e5: cooldown 0, wait 1 -> lr 0.001
    assertLearningRates(new double[] {1, 0.1, 0.1, 0.01, 0.01, 0.001}, lrs);
  }

  @Test
  void neverGoesBelowMinLr() throws Exception {
    double minLr = 0.015;
    double[] lrs =
        learningRates(
            valLoss(1, 0, 0, minLr),
            TrainingContext.VAL_LOSS,
            1.0,
            1.0, // e0: best
            1.0, // e1: -> 0.1
            1.0, // e2: -> max(0.01, 0.015) = 0.015
            1.0, // e3..e5: at min_lr, no further reduction
            1.0,
            1.0);
    assertLearningRates(new double[] {1, 0.1, minLr, minLr, minLr, minLr}, lrs);
    for (double lr : lrs) {
      assertTrue(lr >= (float) minLr, "lr " + lr + " below min_lr");
    }
  }

  @Test
  void anLrAlreadyBelowMinLrIsLeftAlone() throws Exception {
    // Keras reduces only when lr > min_lr; it never raises the lr to min_lr.
    assertLearningRates(
        new double[] {1e-3, 1e-3, 1e-3},
        learningRates(valLoss(1, 0, 0, 0.01), TrainingContext.VAL_LOSS, 1e-3, 1.0, 1.0, 1.0));
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
  void explicitMaxModeOnAnyName() throws Exception {
    ReduceLrOnPlateau listener =
        new ReduceLrOnPlateau("val_score", MonitorMode.MAX, 0.5, 1, 0, 0, 0);
    // e0 best 1; e1 2 improves; e2 1.5 wait 1 -> 0.5; e3 3 improves; e4 3 -> 0.25.
    assertLearningRates(
        new double[] {1, 1, 0.5, 0.5, 0.25},
        learningRates(listener, "val_score", 1.0, 1.0, 2.0, 1.5, 3.0, 3.0));
  }

  @Test
  void anImprovementOfExactlyMinDeltaIsNoImprovement() throws Exception {
    // Dyadic values so best - min_delta is exact.
    double[] lrs =
        learningRates(
            valLoss(1, 0.25, 0, 0),
            TrainingContext.VAL_LOSS,
            1.0,
            1.0, // e0: best 1.0
            0.75, // e1: 0.75 < 1.0 - 0.25 is false: wait 1 -> 0.1 (best stays 1.0)
            0.625, // e2: 0.625 < 0.75: improves, best 0.625
            0.375); // e3: 0.375 < 0.375 is false -> 0.01
    assertLearningRates(new double[] {1, 0.1, 0.1, 0.01}, lrs);

    // Just past the boundary counts.
    assertLearningRates(
        new double[] {1, 1},
        learningRates(
            valLoss(1, 0.25, 0, 0), TrainingContext.VAL_LOSS, 1.0, 1.0, Math.nextDown(0.75)));
    // A smaller improvement than min_delta does not.
    assertLearningRates(
        new double[] {1, 0.1},
        learningRates(valLoss(1, 0.25, 0, 0), TrainingContext.VAL_LOSS, 1.0, 1.0, 0.8));
  }

  @Test
  void aMissingMetricChangesNothingAndDoesNotCountAsAnEpoch() throws Exception {
    // e0 best; e1, e2 missing: skipped (no wait++); e3 wait 1 -> 0.1.
    assertLearningRates(
        new double[] {1, 1, 1, 0.1},
        learningRates(valLoss(1, 0, 0, 0), TrainingContext.VAL_LOSS, 1.0, 1.0, null, null, 1.0));
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
