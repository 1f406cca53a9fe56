package org.chexnet.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;
import org.chexnet.model.DenseNetConfig;
import org.chexnet.model.Precision;
import org.chexnet.model.TrainingPass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Same spec, same seed, same machine: the same numbers, bit for bit. This failed before weight
 * updates waited for every gradient: ref variables are read in place, so an Adam update racing a
 * conv's backprop-input changed the gradients from run to run.
 */
class DeterminismTest {
  @ParameterizedTest
  @CsvSource({"FLOAT32, true", "FLOAT32, false", "MIXED_BFLOAT16, false"})
  void twoRunsWithTheSameSeedTrainIdentically(Precision precision, boolean memoryEfficient) {
    float[][] predictions = new float[2][];
    float[][] losses = new float[2][12];
    for (int run = 0; run < 2; run++) {
      SplittableRandom random = new SplittableRandom(1);
      float[] images = new float[16 * 32 * 32 * 3];
      for (int i = 0; i < images.length; i++) {
        images[i] = (float) random.nextGaussian();
      }
      float[] labels = new float[16 * 14];
      for (int i = 0; i < labels.length; i++) {
        labels[i] = random.nextDouble() < 0.2 ? 1 : 0;
      }
      try (TrainableModel model =
          TrainableModel.create(
              DenseNetConfig.custom(List.of(2, 2, 2, 2), 12, 32, 14),
              new TrainableModel.AdamSettings(1e-3f, 0.9f, 0.999f, 1e-7f),
              null,
              new TrainingPass(precision, memoryEfficient),
              3)) {
        for (int step = 0; step < losses[run].length; step++) {
          losses[run][step] = model.trainStep(images, labels, 16);
        }
        predictions[run] = model.predict(images, 16);
      }
    }
    assertArrayEquals(losses[0], losses[1], 0f, "loss curve");
    assertArrayEquals(predictions[0], predictions[1], 0f, "final predictions");
    assertEquals(predictions[0].length, 16 * 14);
  }
}
