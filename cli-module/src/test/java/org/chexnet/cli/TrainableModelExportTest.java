package org.chexnet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.chexnet.model.DenseNetConfig;
import org.chexnet.model.SavedModels;
import org.chexnet.training.TrainableModel;
import org.chexnet.training.optimizers.Adam;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.GraphOperation;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** What a training run hands on: checkpoints that resume exactly, and a serving export. */
class TrainableModelExportTest {
  private static final DenseNetConfig CONFIG = DenseNetConfig.custom(List.of(1, 1), 4, 32, 14);
  private static final TrainableModel.AdamSettings ADAM =
      new TrainableModel.AdamSettings(1e-2f, 0.9f, 0.999f, Adam.KERAS_EPSILON);

  @TempDir Path dir;

  @Test
  void aCheckpointHoldsStepLearningRateAndAdamSlots() throws Exception {
    SplittableRandom random = new SplittableRandom(8);
    float[] images = gaussian(random, 4 * 32 * 32 * 3);
    float[] labels = new float[4 * 14];
    for (int i = 0; i < labels.length; i += 3) {
      labels[i] = 1;
    }
    try (TrainableModel trained = TrainableModel.create(CONFIG, ADAM, 1);
        TrainableModel resumed = TrainableModel.create(CONFIG, ADAM, 2)) {
      trained.trainStep(images, labels, 4);
      trained.trainStep(images, labels, 4);
      trained.setLearningRate(3e-3);
      trained.saveCheckpoint(dir.resolve("ckpt"));
      resumed.restoreCheckpoint(dir.resolve("ckpt"));
      assertEquals(2, resumed.step());
      assertEquals(3e-3, resumed.learningRate(), 1e-9);
      // The next update depends on the Adam moments and the step: equal only if both came back.
      trained.trainStep(images, labels, 4);
      resumed.trainStep(images, labels, 4);
      assertArrayEquals(trained.predict(images, 4), resumed.predict(images, 4), 0f);
    }
  }

  @Test
  void aSavedModelServesTheSameProbabilitiesWithoutOptimizerState() throws Exception {
    float[] images = gaussian(new SplittableRandom(9), 2 * 32 * 32 * 3);
    float[] labels = new float[2 * 14];
    labels[3] = 1;
    float[] expected;
    Path export = dir.resolve("serving");
    try (TrainableModel model = TrainableModel.create(CONFIG, ADAM, 1)) {
      model.trainStep(images, labels, 2);
      expected = model.predict(images, 2);
      model.exportSavedModel(export);
    }
    try (SavedModelBundle bundle = SavedModelBundle.load(export.toString(), SavedModels.TAG);
        TFloat32 x =
            TFloat32.tensorOf(Shape.of(2, 32, 32, 3), DataBuffers.of(images, true, false));
        Result result = bundle.call(Map.of(SavedModels.IMAGES, x))) {
      TFloat32 probabilities = (TFloat32) result.get(SavedModels.PROBABILITIES).get();
      float[] served = new float[(int) probabilities.size()];
      probabilities.copyTo(DataBuffers.of(served, false, false));
      assertArrayEquals(expected, served, 0f);
      for (Iterator<GraphOperation> it = bundle.graph().operations(); it.hasNext(); ) {
        GraphOperation op = it.next();
        assertFalse(op.name().startsWith("optimizer/"), "exported " + op.name());
      }
    }
  }

  private static float[] gaussian(SplittableRandom random, int n) {
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = (float) (random.nextDouble() * 2 - 1);
    }
    return values;
  }
}
