package org.chexnet.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.chexnet.training.listeners.EarlyStopping;
import org.chexnet.training.listeners.MonitorMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What our EarlyStopping does beyond Keras' (whose decisions {@link KerasCallbacksTest} compares
 * with tf-keras' own): mode "auto" maximises AUROC metrics, our rule.
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

  @Test
  void autoMaximisesAuroc() throws Exception {
    EarlyStopping listener =
        new EarlyStopping(
            TrainingContext.VAL_MEAN_AUROC, MonitorMode.AUTO, 0, 0, null, false, 0, scratch);
    ScriptedEpochs epochs = new ScriptedEpochs(model, 3);
    // 0.8 after 0.7 improves (up); 0.75 does not: patience 0 stops at epoch 2. Minimised, 0.8 would
    // already stop at epoch 1.
    for (double value : new double[] {0.7, 0.8, 0.75}) {
      epochs.epoch(Map.of(TrainingContext.VAL_MEAN_AUROC, value), listener);
      if (epochs.context().stopRequested()) {
        break;
      }
    }
    assertEquals(2, listener.stoppedEpoch());
    assertEquals(1, listener.bestEpoch());
  }
}
