package org.chexnet.training;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  public Trainer(List<String> classNames, List<TrainingListener> listeners) {
    this(classNames, listeners, null);
  }

  /**
   * @param backupDirectory where each completed epoch is backed up and, when a backup is there
   *     already, where training resumes from (a killed run restarted with the same spec); null for
   *     none
   */
  public Trainer(List<String> classNames, List<TrainingListener> listeners, Path backupDirectory) {
    this.classNames = List.copyOf(classNames);
    this.listeners = List.copyOf(listeners);
    this.backupDirectory = backupDirectory;
  }

  public Outcome fit(TrainableModel model, BatchLoader train, BatchLoader validation, int epochs)
      throws Exception {
    TrainingContext context = new TrainingContext(model, epochs, train.batchCount());
    int firstEpoch = 0;
    if (backupDirectory != null && TrainingBackup.exists(backupDirectory)) {
      TrainingBackup.State state = TrainingBackup.restore(backupDirectory, model, listeners);
      firstEpoch = state.epoch() + 1;
      context.startEpoch(state.epoch());
      context.endEpoch(state.epochLogs());
      if (state.stopReason() != null) {
        context.requestStop(state.stopReason());
      }
      LOG.info(
          "Resuming after epoch {} (step {}) from {}", firstEpoch, model.step(), backupDirectory);
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
      double lossSum = 0;
      int images = 0;
      int batchIndex = 0;
      for (Iterator<Batch> it = train.epoch(epoch); it.hasNext(); batchIndex++) {
        Batch batch = it.next();
        float loss = model.trainStep(batch.images(), batch.labels(), batch.size());
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
      }
      Predictions val = Inference.run(model, validation, null);
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
      if (backupDirectory != null) {
        TrainingBackup.save(backupDirectory, context, listeners);
      }
      completed = epoch + 1;
    }
    for (TrainingListener l : listeners) {
      l.onTrainEnd(context);
    }
    return new Outcome(completed, Map.copyOf(context.epochLogs()), context.stopReason());
  }
}
