package org.chexnet.training;

import java.util.Map;

/**
 * A callback of the training loop. Listeners observe through the shared {@link TrainingContext} and
 * act only through it (ask to stop, change the learning rate, save a checkpoint), never by reaching
 * into the loop.
 *
 * <p>Hooks run in the order listeners were given to the {@link Trainer}.
 */
public interface TrainingListener {
  default void onTrainBegin(TrainingContext context) throws Exception {}

  default void onEpochBegin(TrainingContext context) throws Exception {}

  /** After each optimizer step; {@link TrainingContext#batchLogs()} holds the batch's loss. */
  default void onBatchEnd(TrainingContext context) throws Exception {}

  /** After the validation pass; {@link TrainingContext#epochLogs()} holds the epoch's metrics. */
  default void onEpochEnd(TrainingContext context) throws Exception {}

  default void onTrainEnd(TrainingContext context) throws Exception {}

  /**
   * What this listener must remember across a crash (Keras' callback state: best value, wait
   * counters, ...), saved with each epoch's backup. Empty for stateless listeners.
   */
  default Map<String, String> state() {
    return Map.of();
  }

  /**
   * Called with the saved {@link #state()} when training resumes from a backup, before {@link
   * #onTrainBegin}.
   */
  default void restoreState(Map<String, String> state) throws Exception {}
}
