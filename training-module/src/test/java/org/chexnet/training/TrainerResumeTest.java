package org.chexnet.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.chexnet.common.Reporter;
import org.chexnet.dataset.BatchLoader;
import org.chexnet.dataset.Finding;
import org.chexnet.training.listeners.CsvLogger;
import org.chexnet.training.listeners.EarlyStopping;
import org.chexnet.training.listeners.ModelCheckpoint;
import org.chexnet.training.listeners.MonitorMode;
import org.chexnet.training.listeners.ReduceLrOnPlateau;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that crashes after some epoch and is started again with the same backup directory ends
 * exactly where an uninterrupted run ends: same weights, learning-rate schedule, callback decisions
 * and CSV history.
 */
class TrainerResumeTest {
  private static final int EPOCHS = 4;
  @TempDir static Path shared;
  private static BatchLoader train;
  private static BatchLoader validation;

  @BeforeAll
  static void writeDataset() throws Exception {
    SyntheticBatches loaders = SyntheticBatches.write(shared.resolve("synthetic"), 16, 2);
    train = loaders.train();
    validation = loaders.validation();
  }

  @AfterAll
  static void closeLoaders() {
    train.close();
    validation.close();
  }

  /** The callbacks of a run writing into {@code dir}: every stateful kind. */
  private static List<TrainingListener> callbacks(Path dir) {
    return List.of(
        new ModelCheckpoint(dir.resolve("checkpoints"), "val_loss", MonitorMode.AUTO, true),
        // patience 1 with a high min_delta: the learning rate drops during these few epochs.
        new ReduceLrOnPlateau("val_loss", MonitorMode.AUTO, 0.5, 1, 0.05, 0, 0),
        new EarlyStopping("val_loss", MonitorMode.AUTO, 0, 10, null, false, 0, dir.resolve("es")),
        new CsvLogger(dir.resolve("history.csv"), ",", false));
  }

  /** Crashes (like a kill) right after the given epoch's callbacks, before its backup. */
  private static final class CrashAfter implements TrainingListener {
    private final int epoch;

    CrashAfter(int epoch) {
      this.epoch = epoch;
    }

    @Override
    public void onEpochEnd(TrainingContext context) {
      if (context.epoch() == epoch) {
        throw new IllegalStateException("simulated crash after epoch " + epoch);
      }
    }
  }

  /** Crashes (like a kill) in the middle of an epoch, after the given batch's callbacks. */
  private static final class CrashAtBatch implements TrainingListener {
    private final int epoch;
    private final int batch;

    CrashAtBatch(int epoch, int batch) {
      this.epoch = epoch;
      this.batch = batch;
    }

    @Override
    public void onBatchEnd(TrainingContext context) {
      if (context.epoch() == epoch && context.batch() == batch) {
        throw new IllegalStateException("simulated crash at epoch " + epoch + ", batch " + batch);
      }
    }
  }

  private static float[] predictions(TrainableModel model) {
    return Inference.run(model, validation, Reporter.silent(), "validation").probabilities();
  }

  @Test
  void resumedRunEndsExactlyLikeAnUninterruptedOne(@TempDir Path dir) throws Exception {
    Path straight = dir.resolve("straight");
    float[] expected;
    Trainer.Outcome expectedOutcome;
    try (TrainableModel model = TinyNets.model(3)) {
      expectedOutcome =
          new Trainer(Finding.labels(), callbacks(straight), straight.resolve("backup"), 0)
              .fit(model, train, validation, EPOCHS);
      expected = predictions(model);
    }

    Path crashed = dir.resolve("crashed");
    try (TrainableModel model = TinyNets.model(3)) {
      List<TrainingListener> withCrash = new java.util.ArrayList<>(callbacks(crashed));
      withCrash.add(new CrashAfter(2));
      // The crash listener is outside the backed-up list's view: it throws before epoch 2's backup.
      assertThrows(
          IllegalStateException.class,
          () ->
              new Trainer(Finding.labels(), withCrash, crashed.resolve("backup"), 0)
                  .fit(model, train, validation, EPOCHS));
    }
    // Restarted in a fresh process-like setting: another seed proves everything comes from the
    // backup.
    try (TrainableModel model = TinyNets.model(99)) {
      List<TrainingListener> resumedCallbacks = new java.util.ArrayList<>(callbacks(crashed));
      resumedCallbacks.add(new CrashAfter(-1));
      Trainer.Outcome outcome =
          new Trainer(Finding.labels(), resumedCallbacks, crashed.resolve("backup"), 0)
              .fit(model, train, validation, EPOCHS);
      assertArrayEquals(expected, predictions(model), 0f, "weights after the last epoch");
      assertEquals(expectedOutcome.epochsCompleted(), outcome.epochsCompleted());
      assertEquals(expectedOutcome.lastEpochLogs(), outcome.lastEpochLogs());
    }
    assertEquals(
        Files.readString(straight.resolve("history.csv")),
        Files.readString(crashed.resolve("history.csv")),
        "the CSV history has each epoch once, with the same values");
    assertEquals(EPOCHS + 1, Files.readAllLines(crashed.resolve("history.csv")).size());
  }

  @Test
  void aRunKilledMidEpochResumesFromItsLastBatchBackup(@TempDir Path dir) throws Exception {
    assertTrue(train.batchCount() >= 4, "the test needs epochs of at least 4 batches");
    Path straight = dir.resolve("straight");
    float[] expected;
    Trainer.Outcome expectedOutcome;
    try (TrainableModel model = TinyNets.model(3)) {
      expectedOutcome =
          new Trainer(Finding.labels(), callbacks(straight), straight.resolve("backup"), 2)
              .fit(model, train, validation, 3);
      expected = predictions(model);
    }

    Path crashed = dir.resolve("crashed");
    try (TrainableModel model = TinyNets.model(3)) {
      List<TrainingListener> withCrash = new java.util.ArrayList<>(callbacks(crashed));
      // Batch index 3 is the 4th: its backup would come after the callbacks, so the last one is
      // after batch 2 of epoch 1.
      withCrash.add(new CrashAtBatch(1, 3));
      assertThrows(
          IllegalStateException.class,
          () ->
              new Trainer(Finding.labels(), withCrash, crashed.resolve("backup"), 2)
                  .fit(model, train, validation, 3));
    }
    String state = Files.readString(crashed.resolve("backup/state.json"));
    assertTrue(state.contains("\"epoch\":1,\"batchesDone\":2,\"epochComplete\":false"), state);
    try (TrainableModel model = TinyNets.model(99)) {
      List<TrainingListener> resumedCallbacks = new java.util.ArrayList<>(callbacks(crashed));
      resumedCallbacks.add(new CrashAtBatch(-1, -1));
      Trainer.Outcome outcome =
          new Trainer(Finding.labels(), resumedCallbacks, crashed.resolve("backup"), 2)
              .fit(model, train, validation, 3);
      assertArrayEquals(expected, predictions(model), 0f, "weights after the last epoch");
      assertEquals(expectedOutcome.lastEpochLogs(), outcome.lastEpochLogs());
    }
    assertEquals(
        Files.readString(straight.resolve("history.csv")),
        Files.readString(crashed.resolve("history.csv")),
        "the resumed epoch's mean training loss covers all of its batches once");
  }

  @Test
  void aBackupFromAnotherCallbackListIsRefused(@TempDir Path dir) throws Exception {
    Path backup = dir.resolve("backup");
    try (TrainableModel model = TinyNets.model(3)) {
      new Trainer(Finding.labels(), callbacks(dir), backup, 0).fit(model, train, validation, 1);
    }
    try (TrainableModel model = TinyNets.model(3)) {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () ->
                  new Trainer(Finding.labels(), List.of(), backup, 0)
                      .fit(model, train, validation, 2));
      assertEquals(
          "the backup in "
              + backup
              + " was made with 4 callbacks, this run has 0: resume with"
              + " the run's own spec",
          e.getMessage());
    }
  }
}
