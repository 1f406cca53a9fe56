package org.chexnet.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.chexnet.common.Reporter;
import org.chexnet.dataset.BatchLoader;
import org.chexnet.dataset.Finding;
import org.chexnet.tracking.LocalRunStore;
import org.chexnet.tracking.Run;
import org.chexnet.tracking.RunStatus;
import org.chexnet.training.listeners.CsvLogger;
import org.chexnet.training.listeners.TrackingLogger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
  private static final int BATCH = 16;

  @TempDir static Path shared;

  @TempDir Path dir;

  private static BatchLoader train;
  private static BatchLoader validation;

  @BeforeAll
  static void writeDataset() throws Exception {
    SyntheticBatches loaders = SyntheticBatches.write(shared.resolve("synthetic"), BATCH, 1);
    train = loaders.train();
    validation = loaders.validation();
    assertTrue(train.batchCount() >= 3, "train batches: " + train.batchCount());
    assertTrue(
        train.imageCount() % BATCH != 0, "a last partial batch makes the weighted mean testable");
    assertTrue(validation.imageCount() >= 10, "validation images: " + validation.imageCount());
  }

  @AfterAll
  static void closeLoaders() {
    train.close();
    validation.close();
  }

  private static Trainer trainer(TrainingListener... listeners) {
    return new Trainer(Finding.labels(), List.of(listeners));
  }

  /** Writes every hook it sees, with where the context says training is. */
  private static final class Recorder implements TrainingListener {
    final String name;
    final List<String> events;
    final List<Double> batchLosses = new ArrayList<>();
    final List<Map<String, Double>> epochLogs = new ArrayList<>();

    Recorder(String name, List<String> events) {
      this.name = name;
      this.events = events;
    }

    @Override
    public void onTrainBegin(TrainingContext context) {
      events.add(name + ":trainBegin");
    }

    @Override
    public void onEpochBegin(TrainingContext context) {
      events.add(name + ":epochBegin " + context.epoch());
    }

    @Override
    public void onBatchEnd(TrainingContext context) {
      events.add(
          name
              + ":batchEnd "
              + context.epoch()
              + "/"
              + context.batch()
              + " step "
              + context.globalStep());
      batchLosses.add(context.batchLogs().get(TrainingContext.LOSS));
    }

    @Override
    public void onEpochEnd(TrainingContext context) {
      events.add(name + ":epochEnd " + context.epoch());
      epochLogs.add(Map.copyOf(context.epochLogs()));
    }

    @Override
    public void onTrainEnd(TrainingContext context) {
      events.add(name + ":trainEnd");
    }
  }

  @Test
  void fitRunsEveryEpochWithHooksInOrderAndLogsTheMetrics() throws Exception {
    int epochs = 2;
    int batches = train.batchCount();
    List<String> events = new ArrayList<>();
    Recorder first = new Recorder("A", events);
    Recorder second = new Recorder("B", events);
    try (TrainableModel model = TinyNets.model(21, 1e-3f)) {
      Trainer.Outcome outcome = trainer(first, second).fit(model, train, validation, epochs);

      assertEquals(epochs, outcome.epochsCompleted());
      assertNull(outcome.stopReason());
      assertEquals(epochs * batches, model.step());

      // Hooks in order, each hook to the listeners in the order they were given.
      List<String> expected = new ArrayList<>(List.of("A:trainBegin", "B:trainBegin"));
      for (int e = 0; e < epochs; e++) {
        expected.add("A:epochBegin " + e);
        expected.add("B:epochBegin " + e);
        for (int b = 0; b < batches; b++) {
          long step = (long) e * batches + b + 1;
          expected.add("A:batchEnd " + e + "/" + b + " step " + step);
          expected.add("B:batchEnd " + e + "/" + b + " step " + step);
        }
        expected.add("A:epochEnd " + e);
        expected.add("B:epochEnd " + e);
      }
      expected.addAll(List.of("A:trainEnd", "B:trainEnd"));
      assertEquals(expected, events);

      // Epoch logs: the four metrics, finite where they must be.
      assertEquals(epochs, first.epochLogs.size());
      for (Map<String, Double> logs : first.epochLogs) {
        assertEquals(
            Set.of(
                TrainingContext.LOSS,
                TrainingContext.VAL_LOSS,
                TrainingContext.VAL_MEAN_AUROC,
                TrainingContext.LEARNING_RATE),
            logs.keySet());
        assertTrue(
            logs.get(TrainingContext.LOSS) > 0 && Double.isFinite(logs.get(TrainingContext.LOSS)));
        assertTrue(
            logs.get(TrainingContext.VAL_LOSS) > 0
                && Double.isFinite(logs.get(TrainingContext.VAL_LOSS)));
        double auroc = logs.get(TrainingContext.VAL_MEAN_AUROC);
        assertTrue(auroc >= 0 && auroc <= 1, "val_mean_auroc " + auroc);
        assertEquals(1e-3, logs.get(TrainingContext.LEARNING_RATE), 1e-9);
      }
      assertEquals(first.epochLogs.get(epochs - 1), outcome.lastEpochLogs());

      // The epoch loss is the image-weighted mean of its batch losses (the last batch is smaller).
      for (int e = 0; e < epochs; e++) {
        double sum = 0;
        for (int b = 0; b < batches; b++) {
          int size = Math.min(BATCH, train.imageCount() - b * BATCH);
          sum += first.batchLosses.get(e * batches + b) * size;
        }
        assertEquals(
            sum / train.imageCount(), first.epochLogs.get(e).get(TrainingContext.LOSS), 1e-6);
      }

      // The validation metrics are those of the model as it is after the epoch (unchanged since).
      Predictions val = Inference.run(model, validation, Reporter.silent(), "validation");
      assertEquals(validation.imageCount(), val.size());
      assertEquals(val.meanLoss(), outcome.lastEpochLogs().get(TrainingContext.VAL_LOSS), 1e-6);
      assertEquals(
          val.evaluate(Finding.labels()).meanAuroc(),
          outcome.lastEpochLogs().get(TrainingContext.VAL_MEAN_AUROC),
          1e-6);
    }
  }

  @Test
  void aStopRequestEndsTrainingAfterThatEpoch() throws Exception {
    List<String> events = new ArrayList<>();
    Recorder recorder = new Recorder("R", events);
    TrainingListener stopper =
        new TrainingListener() {
          @Override
          public void onEpochEnd(TrainingContext context) {
            if (context.epoch() == 0) {
              context.requestStop("plateau reached");
            }
          }
        };
    TrainingListener late =
        new TrainingListener() {
          @Override
          public void onEpochEnd(TrainingContext context) {
            context.requestStop("second reason");
          }
        };
    try (TrainableModel model = TinyNets.model(22)) {
      Trainer.Outcome outcome = trainer(recorder, stopper, late).fit(model, train, validation, 3);
      assertEquals(1, outcome.epochsCompleted());
      assertEquals("plateau reached", outcome.stopReason(), "the first reason is kept");
      assertEquals(train.batchCount(), model.step());
      assertEquals(1, events.stream().filter(e -> e.startsWith("R:epochBegin")).count());
      assertEquals("R:trainEnd", events.get(events.size() - 1), "onTrainEnd runs after a stop too");
      assertTrue(outcome.lastEpochLogs().containsKey(TrainingContext.VAL_LOSS));
    }
  }

  @Test
  void aStopRequestBeforeTheFirstEpochTrainsNothing() throws Exception {
    TrainingListener stopper =
        new TrainingListener() {
          @Override
          public void onTrainBegin(TrainingContext context) {
            context.requestStop("nothing to do");
          }
        };
    try (TrainableModel model = TinyNets.model(23)) {
      Trainer.Outcome outcome = trainer(stopper).fit(model, train, validation, 3);
      assertEquals(0, outcome.epochsCompleted());
      assertEquals("nothing to do", outcome.stopReason());
      assertEquals(0, model.step());
      assertTrue(outcome.lastEpochLogs().isEmpty());
    }
  }

  @Test
  void aDivergingLossStopsTrainingNamingTheEpoch() throws Exception {
    // A NaN learning rate from the end of epoch 1 on: epoch 2's first step still reports the loss
    // of the (finite) weights before its update, which makes them NaN; its second batch's loss is
    // NaN.
    List<String> events = new ArrayList<>();
    Recorder recorder = new Recorder("R", events);
    TrainingListener poison =
        new TrainingListener() {
          @Override
          public void onEpochEnd(TrainingContext context) {
            context.model().setLearningRate(Double.NaN);
          }
        };
    try (TrainableModel model = TinyNets.model(24)) {
      TrainingDivergedException e =
          assertThrows(
              TrainingDivergedException.class,
              () -> trainer(recorder, poison).fit(model, train, validation, 3));
      assertTrue(e.getMessage().contains("NaN"), e.getMessage());
      assertTrue(e.getMessage().contains("epoch 2, batch 2"), e.getMessage());
      long batchEnds = events.stream().filter(ev -> ev.startsWith("R:batchEnd")).count();
      assertEquals(train.batchCount() + 1, batchEnds, "no listener sees the diverged batch");
      assertFalse(events.contains("R:epochEnd 1"));
    }
  }

  @Test
  void aHugeLearningRateDivergesInTheFirstEpoch() throws Exception {
    try (TrainableModel model = TinyNets.model(25, 1e30f)) {
      TrainingDivergedException e =
          assertThrows(
              TrainingDivergedException.class, () -> trainer().fit(model, train, validation, 2));
      assertTrue(e.getMessage().contains("at epoch 1,"), e.getMessage());
    }
  }

  @Test
  void listenersSeeTheLearningRateAndLogThroughTheLoop() throws Exception {
    Path csv = dir.resolve("training.csv");
    LocalRunStore store = new LocalRunStore(dir.resolve("mlruns"));
    TrainingListener lowerLr =
        new TrainingListener() {
          @Override
          public void onEpochEnd(TrainingContext context) {
            context.model().setLearningRate(2.5e-4);
          }
        };
    int batches = train.batchCount();
    try (TrainableModel model = TinyNets.model(26, 1e-3f);
        Run run = store.startRun("chexnet", "trainer-test")) {
      Trainer.Outcome outcome =
          trainer(new CsvLogger(csv, ",", false), lowerLr, new TrackingLogger(run, 2))
              .fit(model, train, validation, 2);
      // The epoch's logs carry the lr it trained with; the change made at the end of epoch 0 shows
      // in epoch 1.
      assertEquals(2.5e-4, outcome.lastEpochLogs().get(TrainingContext.LEARNING_RATE), 1e-10);
      List<String> rows = Files.readAllLines(csv);
      assertEquals("epoch,learning_rate,loss,val_loss,val_mean_auroc", rows.get(0));
      assertEquals(3, rows.size());
      // The lr is a float32 variable: its logged value is the float widened to double.
      assertTrue(rows.get(1).startsWith("0," + (double) 1e-3f + ","), rows.get(1));
      assertTrue(rows.get(2).startsWith("1," + (double) 2.5e-4f + ","), rows.get(2));

      assertEquals(2, TrackingLoggerTest.history(run, TrainingContext.VAL_LOSS).size());
      // Batch loss every 2 optimizer steps, with the global step (1-based, after the update).
      List<String> batchLoss = TrackingLoggerTest.history(run, "batch_loss");
      List<String> steps = batchLoss.stream().map(line -> line.split(" ")[1]).toList();
      List<String> expectedSteps = new ArrayList<>();
      for (int step = 2; step <= 2 * batches; step += 2) {
        expectedSteps.add(String.valueOf(step));
      }
      assertEquals(expectedSteps, steps);
      run.end(RunStatus.FINISHED);
    }
  }
}
