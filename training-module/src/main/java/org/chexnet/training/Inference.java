package org.chexnet.training;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.chexnet.common.Reporter;
import org.chexnet.dataset.Batch;
import org.chexnet.dataset.BatchLoader;

/** Runs a model in inference mode over every batch of a loader, in the loader's order. */
public final class Inference {
  private Inference() {}

  /**
   * @param task the name the reporter shows the progress under
   */
  public static Predictions run(
      TrainableModel model, BatchLoader loader, Reporter reporter, String task) {
    int classes = model.config().numClasses();
    float[] probabilities = new float[loader.imageCount() * classes];
    float[] labels = new float[loader.imageCount() * classes];
    List<String> names = new ArrayList<>(loader.imageCount());
    double lossSum = 0;
    try (Reporter.Task progress = reporter.task(task, loader.imageCount(), Reporter.Unit.IMAGES)) {
      for (Iterator<Batch> it = loader.epoch(0); it.hasNext(); ) {
        Batch batch = it.next();
        TrainableModel.BatchPrediction p =
            model.evaluate(batch.images(), batch.labels(), batch.labelMask(), batch.size());
        int offset = names.size() * classes;
        System.arraycopy(p.probabilities(), 0, probabilities, offset, batch.size() * classes);
        for (int i = 0; i < batch.size() * classes; i++) {
          // A masked label is NaN for the evaluation: left out of that class's AUROC.
          labels[offset + i] =
              batch.labelMask() == null || batch.labelMask()[i] != 0f
                  ? batch.labels()[i]
                  : Float.NaN;
        }
        names.addAll(batch.imageIndexes());
        lossSum += (double) p.loss() * batch.size();
        progress.step(batch.size());
      }
    }
    return new Predictions(List.copyOf(names), probabilities, labels, lossSum / names.size());
  }
}
