package org.chexnet.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.chexnet.common.AtomicFiles;
import org.chexnet.common.FileTrees;

/**
 * The state a killed run resumes from (Keras' BackupAndRestore): after each epoch and, optionally,
 * every N batches within one, the whole model (weights, batch-norm statistics, Adam slots, step,
 * learning rate), every listener's state and the epoch's running loss. The data order needs no
 * saving: it is a function of the seed and the epoch, so a resumed epoch skips the batches done.
 *
 * <p>Crash-safe by ordering: the model goes to a new {@code model-eNNN} directory, then {@code
 * state.json} is atomically replaced to point at it, and only then are older model directories
 * deleted. A kill at any moment leaves a state file whose model is complete.
 */
final class TrainingBackup {
  private static final String STATE = "state.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What {@code state.json} holds.
   *
   * @param epoch the epoch the backup was made in, 0-based
   * @param batchesDone batches of that epoch trained; all of them when the epoch is complete
   * @param epochComplete whether the epoch's validation and callbacks ran too
   * @param lossSum the epoch's summed training loss (per image) so far
   * @param images the images that sum covers
   * @param epochLogs the logs of the last complete epoch (empty before the first)
   */
  record State(
      int epoch,
      int batchesDone,
      boolean epochComplete,
      double lossSum,
      long images,
      String model,
      Map<String, Double> epochLogs,
      String stopReason,
      List<ListenerState> listeners) {}

  /** Where an epoch stands when a backup is made. */
  record Progress(int batchesDone, boolean epochComplete, double lossSum, long images) {}

  /** One listener's saved state; the class name guards against a changed callback list. */
  record ListenerState(String type, Map<String, String> state) {}

  private TrainingBackup() {}

  static boolean exists(Path directory) {
    return Files.isRegularFile(directory.resolve(STATE));
  }

  static void save(
      Path directory,
      TrainingContext context,
      Map<String, Double> lastEpochLogs,
      Progress progress,
      List<TrainingListener> listeners)
      throws IOException {
    int epoch = context.epoch();
    String modelDir = String.format("model-e%03d-b%06d", epoch, progress.batchesDone());
    context.model().saveCheckpoint(directory.resolve(modelDir));
    List<ListenerState> states = new ArrayList<>();
    for (TrainingListener l : listeners) {
      states.add(new ListenerState(l.getClass().getName(), l.state()));
    }
    byte[] json =
        JSON.writeValueAsBytes(
            new State(
                epoch,
                progress.batchesDone(),
                progress.epochComplete(),
                progress.lossSum(),
                progress.images(),
                modelDir,
                lastEpochLogs,
                context.stopReason(),
                states));
    AtomicFiles.write(directory.resolve(STATE), json);
    try (Stream<Path> entries = Files.list(directory)) {
      for (Path old : entries.filter(p -> isOtherModel(p, modelDir)).toList()) {
        FileTrees.delete(old);
      }
    }
  }

  /** Restores the model and the listeners; returns the saved state. */
  static State restore(Path directory, TrainableModel model, List<TrainingListener> listeners)
      throws Exception {
    State state = JSON.readValue(directory.resolve(STATE).toFile(), State.class);
    if (state.listeners().size() != listeners.size()) {
      throw new IllegalStateException(
          "the backup in "
              + directory
              + " was made with "
              + state.listeners().size()
              + " callbacks, this run has "
              + listeners.size()
              + ": resume with the run's own spec");
    }
    for (int i = 0; i < listeners.size(); i++) {
      ListenerState saved = state.listeners().get(i);
      TrainingListener listener = listeners.get(i);
      if (!saved.type().equals(listener.getClass().getName())) {
        throw new IllegalStateException(
            "callback "
                + (i + 1)
                + " was "
                + saved.type()
                + " when the backup was made, now "
                + listener.getClass().getName());
      }
      listener.restoreState(saved.state());
    }
    model.restoreCheckpoint(directory.resolve(state.model()));
    return state;
  }

  private static boolean isOtherModel(Path p, String current) {
    String name = p.getFileName().toString();
    return name.startsWith("model-e") && !name.equals(current);
  }
}
