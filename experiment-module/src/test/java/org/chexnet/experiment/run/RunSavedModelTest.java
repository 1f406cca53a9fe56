package org.chexnet.experiment.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.chexnet.common.Reporter;
import org.chexnet.dataset.Batch;
import org.chexnet.dataset.BatchLoader;
import org.chexnet.dataset.ChestXray14;
import org.chexnet.dataset.DataSplits;
import org.chexnet.dataset.Finding;
import org.chexnet.experiment.spec.SpecLoader;
import org.chexnet.model.SavedModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.GraphOperation;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * A finished run leaves its best model as a serving SavedModel in {@code artifacts/saved_model/}:
 * the model the run evaluated, without optimizer state.
 */
class RunSavedModelTest {
  private static final String SPEC =
      """
      name: export
      seed: 4
      data:
        root: data/tiny
        synthetic: {images: 80, image_size: 32, seed: 6}
        image_size: 32
      model:
        architecture: custom
        blocks: [1, 1]
        growth_rate: 4
        weights: none
      train:
        epochs: 3
        batch_size: 16
        horizontal_flip: false
        callbacks:
          - type: model_checkpoint
      """;

  @Test
  void theExportedModelGivesTheRunsPredictions(@TempDir Path work) throws Exception {
    SpecLoader.LoadedSpec loaded = SpecLoader.load(SPEC, "spec.yaml", List.of());
    RunResult run = new ExperimentRunner(Reporter.silent(), work).run(loaded);
    Map<String, String[]> recorded = new HashMap<>();
    List<String> csv = Files.readAllLines(run.artifactsDir().resolve("predictions.csv"));
    for (String row : csv.subList(1, csv.size())) {
      String[] cells = row.split(",");
      recorded.put(cells[0], cells);
    }

    ChestXray14 data = ChestXray14.open(work.resolve("data/tiny"));
    DataSplits splits =
        data.officialSplit(loaded.spec().data().validationFraction(), loaded.spec().seed());
    int served = 0;
    try (SavedModelBundle bundle =
            SavedModelBundle.load(
                run.artifactsDir().resolve("saved_model").toString(), SavedModels.TAG);
        // The run's evaluation batches: a convolution's rounding can depend on the batch size.
        BatchLoader test =
            new BatchLoader(
                data,
                splits.test(),
                32,
                loaded.spec().evaluate().batchSize(),
                false,
                false,
                false,
                1,
                1)) {
      for (Iterator<GraphOperation> it = bundle.graph().operations(); it.hasNext(); ) {
        String op = it.next().name();
        assertFalse(op.startsWith("optimizer/") || op.startsWith("labels"), "exported " + op);
      }
      for (Iterator<Batch> it = test.epoch(0); it.hasNext(); ) {
        Batch batch = it.next();
        float[] probabilities = serve(bundle, batch);
        for (int i = 0; i < batch.size(); i++) {
          String[] row = recorded.get(batch.imageIndexes().get(i));
          for (int c = 0; c < Finding.COUNT; c++) {
            // predictions.csv rounds to six decimals (0.5e-6); the two graphs may round a
            // convolution differently in float32 (~1e-7).
            assertEquals(
                Double.parseDouble(row[1 + c]),
                probabilities[i * Finding.COUNT + c],
                1e-6,
                row[0] + " " + Finding.labels().get(c));
          }
          served++;
        }
      }
    }
    assertEquals(recorded.size(), served, "every predicted image was served");
  }

  private static float[] serve(SavedModelBundle bundle, Batch batch) {
    try (TFloat32 x =
            TFloat32.tensorOf(
                Shape.of(batch.size(), 32, 32, 3), DataBuffers.of(batch.images(), true, false));
        Result result = bundle.call(Map.of(SavedModels.IMAGES, x))) {
      TFloat32 probabilities = (TFloat32) result.get(SavedModels.PROBABILITIES).get();
      float[] out = new float[(int) probabilities.size()];
      probabilities.copyTo(DataBuffers.of(out, false, false));
      return out;
    }
  }
}
