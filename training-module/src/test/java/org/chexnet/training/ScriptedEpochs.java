package org.chexnet.training;

import java.util.Map;

/**
 * Drives listeners through a real {@link TrainingContext} with epoch logs written by the test
 * instead of measured by a training loop.
 */
final class ScriptedEpochs {
  private final TrainingContext context;
  private int epoch;

  ScriptedEpochs(TrainableModel model, int epochs) {
    context = new TrainingContext(model, epochs, 1);
  }

  TrainingContext context() {
    return context;
  }

  /** The next epoch: its logs are set, then each listener's {@code onEpochEnd} runs. */
  void epoch(Map<String, Double> logs, TrainingListener... listeners) throws Exception {
    context.startEpoch(epoch++);
    context.endEpoch(logs);
    for (TrainingListener l : listeners) {
      l.onEpochEnd(context);
    }
  }

  void trainBegin(TrainingListener... listeners) throws Exception {
    for (TrainingListener l : listeners) {
      l.onTrainBegin(context);
    }
  }

  void trainEnd(TrainingListener... listeners) throws Exception {
    for (TrainingListener l : listeners) {
      l.onTrainEnd(context);
    }
  }
}
