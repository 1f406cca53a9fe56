package org.chexnet.training;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.chexnet.dataset.Batch;
import org.chexnet.dataset.BatchLoader;
import org.chexnet.evaluation.EvaluationResult;

/**
 * The training loop: epochs of optimizer steps over the training batches, a validation pass after
 * each epoch (loss and mean AUROC), and listener hooks around both.
 */
public final class Trainer {
  /**
   * How training ended: epochs completed, the last epoch's logs and why it stopped early, if it
   * did.
   */
  public record Outcome(
      int epochsCompleted, Map<String, Double> lastEpochLogs, String stopReason) {}

  private final List<TrainingListener> listeners;
  private final List<String> classNames;

  public Trainer(List<String> classNames, List<TrainingListener> listeners) {
    this.classNames = List.copyOf(classNames);
    this.listeners = List.copyOf(listeners);
  }

  public Outcome fit(TrainableModel model, BatchLoader train, BatchLoader validation, int epochs)
      throws Exception {
    TrainingContext context = new TrainingContext(model, epochs, train.batchCount());
    for (TrainingListener l : listeners) {
      l.onTrainBegin(context);
    }
    int completed = 0;
    for (int epoch = 0; epoch < epochs && !context.stopRequested(); epoch++) {
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
      completed = epoch + 1;
    }
    for (TrainingListener l : listeners) {
      l.onTrainEnd(context);
    }
    return new Outcome(completed, Map.copyOf(context.epochLogs()), context.stopReason());
  }
}
