package org.chexnet.training;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.chexnet.common.Reporter;
import org.chexnet.dataset.Batch;
import org.chexnet.dataset.BatchLoader;
import org.chexnet.evaluation.EvaluationResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loop: epochs of optimizer steps over the training batches, a validation pass after
 * each epoch (loss and mean AUROC), and listener hooks around both.
 */
public final class Trainer {
  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

  /**
   * How training ended: epochs completed, the last epoch's logs and why it stopped early, if it
   * did.
   */
  public record Outcome(
      int epochsCompleted, Map<String, Double> lastEpochLogs, String stopReason) {}

  private final List<TrainingListener> listeners;
  private final List<String> classNames;
  private final Path backupDirectory;
  private final int backupEveryNBatches;

  public Trainer(List<String> classNames, List<TrainingListener> listeners) {
    this(classNames, listeners, null, 0);
  }

  /**
   * @param backupDirectory where training is backed up after each epoch and, when a backup is there
   *     already, where it resumes from (a killed run restarted with the same spec); null for none
   * @param backupEveryNBatches also back up every N batches within an epoch (0: only at its end),
   *     so that a kill in a long epoch loses at most N batches
   */
  public Trainer(
      List<String> classNames,
      List<TrainingListener> listeners,
      Path backupDirectory,
      int backupEveryNBatches) {
    if (backupEveryNBatches < 0) {
      throw new IllegalArgumentException(
          "backupEveryNBatches must be >= 0, got " + backupEveryNBatches);
    }
    this.classNames = List.copyOf(classNames);
    this.listeners = List.copyOf(listeners);
    this.backupDirectory = backupDirectory;
    this.backupEveryNBatches = backupEveryNBatches;
  }

  public Outcome fit(TrainableModel model, BatchLoader train, BatchLoader validation, int epochs)
      throws Exception {
    TrainingContext context = new TrainingContext(model, epochs, train.batchCount());
    int firstEpoch = 0;
    int firstBatch = 0;
    double restoredLossSum = 0;
    long restoredImages = 0;
    Map<String, Double> lastEpochLogs = Map.of();
    if (backupDirectory != null && TrainingBackup.exists(backupDirectory)) {
      TrainingBackup.State state = TrainingBackup.restore(backupDirectory, model, listeners);
      lastEpochLogs = state.epochLogs();
      if (state.epochComplete()) {
        firstEpoch = state.epoch() + 1;
      } else {
        firstEpoch = state.epoch();
        firstBatch = state.batchesDone();
        restoredLossSum = state.lossSum();
        restoredImages = state.images();
      }
      if (!lastEpochLogs.isEmpty()) {
        context.startEpoch(state.epochComplete() ? state.epoch() : state.epoch() - 1);
        context.endEpoch(lastEpochLogs);
      }
      if (state.stopReason() != null) {
        context.requestStop(state.stopReason());
      }
      LOG.info(
          "Resuming at epoch {}, batch {} (step {}) from {}",
          firstEpoch + 1,
          firstBatch + 1,
          model.step(),
          backupDirectory);
    }
    for (TrainingListener l : listeners) {
      l.onTrainBegin(context);
    }
    int completed = firstEpoch;
    for (int epoch = firstEpoch; epoch < epochs && !context.stopRequested(); epoch++) {
      context.startEpoch(epoch);
      for (TrainingListener l : listeners) {
        l.onEpochBegin(context);
      }
      int skipped = epoch == firstEpoch ? firstBatch : 0;
      double lossSum = epoch == firstEpoch ? restoredLossSum : 0;
      long images = epoch == firstEpoch ? restoredImages : 0;
      int batchIndex = skipped;
      for (Iterator<Batch> it = train.epoch(epoch, skipped); it.hasNext(); batchIndex++) {
        Batch batch = it.next();
        float loss =
            model.trainStep(batch.images(), batch.labels(), batch.labelMask(), batch.size());
        if (!Float.isFinite(loss)) {
          throw new TrainingDivergedException(
              "loss became "
                  + loss
                  + " at epoch "
                  + (epoch + 1)
                  + ", batch "
                  + (batchIndex + 1)
                  + " (step "
                  + model.step()
                  + "); lower train.optimizer.lr or check the input data");
        }
        lossSum += (double) loss * batch.size();
        images += batch.size();
        context.endBatch(batchIndex, Map.of(TrainingContext.LOSS, (double) loss));
        for (TrainingListener l : listeners) {
          l.onBatchEnd(context);
        }
        int done = batchIndex + 1;
        if (backupDirectory != null
            && backupEveryNBatches > 0
            && done % backupEveryNBatches == 0
            && done < train.batchCount()) {
          TrainingBackup.save(
              backupDirectory,
              context,
              lastEpochLogs,
              new TrainingBackup.Progress(done, false, lossSum, images),
              listeners);
        }
      }
      Predictions val = Inference.run(model, validation, Reporter.silent(), "validation");
      EvaluationResult valResult = val.evaluate(classNames);
      Map<String, Double> logs = new LinkedHashMap<>();
      logs.put(TrainingContext.LOSS, lossSum / images);
      logs.put(TrainingContext.VAL_LOSS, val.meanLoss());
      logs.put(TrainingContext.VAL_MEAN_AUROC, valResult.meanAuroc());
      logs.put(TrainingContext.LEARNING_RATE, model.learningRate());
      context.endEpoch(logs);
      for (TrainingListener l : listeners) {
        l.onEpochEnd(context);
      }
      lastEpochLogs = Map.copyOf(logs);
      if (backupDirectory != null) {
        TrainingBackup.save(
            backupDirectory,
            context,
            lastEpochLogs,
            new TrainingBackup.Progress(train.batchCount(), true, lossSum, images),
            listeners);
      }
      completed = epoch + 1;
    }
    for (TrainingListener l : listeners) {
      l.onTrainEnd(context);
    }
    return new Outcome(completed, Map.copyOf(context.epochLogs()), context.stopReason());
  }
}
