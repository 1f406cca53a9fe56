package org.chexnet.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.chexnet.training.listeners.ModelCheckpoint;
import org.chexnet.training.listeners.MonitorMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which epochs ModelCheckpoint saves. Before each epoch the model gets a distinctive learning rate
 * (checkpoints save it), so restoring a checkpoint tells which epoch wrote it; a sentinel file
 * dropped into the best directory survives exactly as long as nothing replaced it.
 */
class ModelCheckpointTest {
  private static final String SENTINEL = "sentinel";
  private static TrainableModel model;

  @TempDir Path dir;

  @BeforeAll
  static void createModel() {
    model = TinyNets.model(12);
  }

  @AfterAll
  static void closeModel() {
    model.close();
  }

  private static double marker(int epoch) {
    return (epoch + 1) * 1e-3;
  }

  /**
   * Runs the listener over the monitored values (null: missing); returns bestEpoch() after each
   * epoch, and checks after each epoch that the best directory was rewritten exactly when bestEpoch
   * moved to this epoch, and that it holds that epoch's model.
   */
  private static int[] run(ModelCheckpoint listener, String monitor, Double... values)
      throws Exception {
    ScriptedEpochs epochs = new ScriptedEpochs(model, values.length);
    int[] best = new int[values.length];
    for (int e = 0; e < values.length; e++) {
      model.setLearningRate(marker(e));
      Map<String, Double> logs = new HashMap<>();
      logs.put(TrainingContext.LOSS, 0.5);
      if (values[e] != null) {
        logs.put(monitor, values[e]);
      }
      epochs.epoch(logs, listener);
      best[e] = listener.bestEpoch();
      Path bestDir = listener.bestDirectory();
      boolean savedNow = best[e] == e;
      assertEquals(
          !savedNow,
          Files.exists(bestDir.resolve(SENTINEL)),
          "epoch "
              + e
              + ": the best checkpoint must be rewritten "
              + (savedNow ? "" : "only ")
              + "on improvement");
      if (best[e] >= 0) {
        Files.writeString(bestDir.resolve(SENTINEL), "epoch " + e);
        model.restoreCheckpoint(bestDir);
        assertEquals(
            marker(best[e]),
            model.learningRate(),
            1e-9,
            "epoch " + e + ": checkpoint of the wrong epoch");
      }
      assertEquals(
          List.of("best"), siblingsOf(bestDir), "no staging or retired directories left behind");
    }
    return best;
  }

  private static List<String> siblingsOf(Path bestDir) throws IOException {
    try (Stream<Path> files = Files.list(bestDir.getParent())) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void saveBestOnlySavesOnImprovementOfTheLoss() throws Exception {
    ModelCheckpoint listener =
        new ModelCheckpoint(dir.resolve("ckpt"), TrainingContext.VAL_LOSS, MonitorMode.AUTO, true);
    assertEquals(-1, listener.bestEpoch());
    assertFalse(Files.exists(listener.bestDirectory()));
    // 1.0 saves (anything beats +inf); 0.8 saves; 0.9 no; 0.7 saves; 0.7 again: equal is no
    // improvement.
    int[] best = run(listener, TrainingContext.VAL_LOSS, 1.0, 0.8, 0.9, 0.7, 0.7);
    assertEquals(List.of(0, 1, 1, 3, 3), List.of(best[0], best[1], best[2], best[3], best[4]));
    assertEquals(0.7, listener.bestValue());
    assertEquals(dir.resolve("ckpt").resolve("best"), listener.bestDirectory());
  }

  @Test
  void modeMaxSavesOnIncreases() throws Exception {
    for (MonitorMode mode : new MonitorMode[] {MonitorMode.MAX, MonitorMode.AUTO}) {
      Path root = dir.resolve(mode.name());
      ModelCheckpoint listener =
          new ModelCheckpoint(root, TrainingContext.VAL_MEAN_AUROC, mode, true);
      int[] best = run(listener, TrainingContext.VAL_MEAN_AUROC, 0.6, 0.7, 0.65, 0.8, 0.8, 0.5);
      assertEquals(
          List.of(0, 1, 1, 3, 3, 3),
          List.of(best[0], best[1], best[2], best[3], best[4], best[5]),
          mode.name());
      assertEquals(0.8, listener.bestValue());
    }
  }

  @Test
  void explicitMinModeOnAnAurocNameSavesOnDecreases() throws Exception {
    ModelCheckpoint listener =
        new ModelCheckpoint(dir, TrainingContext.VAL_MEAN_AUROC, MonitorMode.MIN, true);
    int[] best = run(listener, TrainingContext.VAL_MEAN_AUROC, 0.6, 0.7, 0.5);
    assertEquals(List.of(0, 0, 2), List.of(best[0], best[1], best[2]));
  }

  @Test
  void aMissingMonitorSavesAnyway() throws Exception {
    ModelCheckpoint listener =
        new ModelCheckpoint(dir, TrainingContext.VAL_LOSS, MonitorMode.AUTO, true);
    // e0 missing: saves, best stays +inf; e1 0.5 improves; e2 missing: saves, best stays 0.5;
    // e3 0.6 is no improvement on 0.5: not saved.
    int[] best = run(listener, TrainingContext.VAL_LOSS, null, 0.5, null, 0.6);
    assertEquals(List.of(0, 1, 2, 2), List.of(best[0], best[1], best[2], best[3]));
    assertEquals(0.5, listener.bestValue());
  }

  @Test
  void aNanMonitorNeverReplacesTheBestCheckpoint() throws Exception {
    ModelCheckpoint listener =
        new ModelCheckpoint(dir, TrainingContext.VAL_LOSS, MonitorMode.AUTO, true);
    // e1 diverged (NaN): as in Keras, NaN < best is false, so epoch 0 stays the best.
    int[] best = run(listener, TrainingContext.VAL_LOSS, 0.5, Double.NaN, 0.4);
    assertEquals(List.of(0, 0, 2), List.of(best[0], best[1], best[2]));
    assertEquals(0.4, listener.bestValue());
  }

  @Test
  void withoutSaveBestOnlyEveryEpochGetsItsOwnOneBasedDirectory() throws Exception {
    Path root = dir.resolve("every");
    ModelCheckpoint listener =
        new ModelCheckpoint(root, TrainingContext.VAL_LOSS, MonitorMode.AUTO, false);
    ScriptedEpochs epochs = new ScriptedEpochs(model, 3);
    // The loss gets worse every epoch: saving anyway is the point.
    for (int e = 0; e < 3; e++) {
      model.setLearningRate(marker(e));
      epochs.epoch(Map.of(TrainingContext.VAL_LOSS, 1.0 + e), listener);
    }
    try (Stream<Path> files = Files.list(root)) {
      assertEquals(
          List.of("epoch-001", "epoch-002", "epoch-003"),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
    for (int e = 0; e < 3; e++) {
      model.restoreCheckpoint(root.resolve(String.format("epoch-%03d", e + 1)));
      assertEquals(marker(e), model.learningRate(), 1e-9);
    }
    assertTrue(!Files.exists(listener.bestDirectory()));
  }

  @Test
  void theBestCheckpointHoldsTheWeightsOfItsEpoch() throws Exception {
    // Beyond the learning rate: the restored weights give the predictions the model had then.
    java.util.SplittableRandom random = new java.util.SplittableRandom(5);
    float[] images = TinyNets.images(random, 4);
    float[] labels = TinyNets.labels(random, 4);
    ModelCheckpoint listener =
        new ModelCheckpoint(dir, TrainingContext.VAL_LOSS, MonitorMode.AUTO, true);
    ScriptedEpochs epochs = new ScriptedEpochs(model, 2);
    model.setLearningRate(1e-2);
    model.trainStep(images, labels, 4);
    float[] atBest = model.predict(images, 4);
    epochs.epoch(Map.of(TrainingContext.VAL_LOSS, 0.5), listener);
    model.trainStep(images, labels, 4);
    model.trainStep(images, labels, 4);
    float[] later = model.predict(images, 4);
    assertTrue(TinyNets.maxAbsDifference(atBest, later) > 1e-4);
    epochs.epoch(Map.of(TrainingContext.VAL_LOSS, 0.6), listener);
    model.restoreCheckpoint(listener.bestDirectory());
    org.junit.jupiter.api.Assertions.assertArrayEquals(atBest, model.predict(images, 4), 1e-6f);
  }
}
