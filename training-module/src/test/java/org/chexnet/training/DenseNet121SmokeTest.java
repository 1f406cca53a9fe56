package org.chexnet.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.chexnet.model.DenseNetConfig;
import org.junit.jupiter.api.Test;

/**
 * The one test with the real network: full DenseNet-121 at 224x224 builds, trains a step and
 * predicts.
 */
class DenseNet121SmokeTest {
  @Test
  void fullDenseNet121TrainsAndPredicts() {
    int batch = 2;
    int values = 224 * 224 * 3;
    SplittableRandom random = new SplittableRandom(1);
    float[] images = new float[batch * values];
    for (int i = 0; i < images.length; i++) {
      images[i] = (float) random.nextGaussian();
    }
    float[] labels = new float[batch * 14];
    labels[2] = 1;
    labels[14 + 9] = 1;
    try (TrainableModel model =
        TrainableModel.create(
            DenseNetConfig.densenet121(224, 14),
            new TrainableModel.AdamSettings(1e-3f, 0.9f, 0.999f, 1e-7f),
            42)) {
      assertEquals(6_968_206L, model.trainableParameterCount());
      float first = model.trainStep(images, labels, batch);
      float second = model.trainStep(images, labels, batch);
      assertTrue(Float.isFinite(first) && Float.isFinite(second));
      assertTrue(
          second < first, "two Adam steps on one batch lower its loss: " + first + " -> " + second);
      assertEquals(2, model.step());
      float[] probabilities = model.predict(images, batch);
      assertEquals(batch * 14, probabilities.length);
      for (float p : probabilities) {
        assertTrue(p > 0 && p < 1, String.valueOf(p));
      }
    }
  }
}
