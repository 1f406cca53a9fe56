package org.chexnet.training;

import static org.chexnet.training.TinyNets.CLASSES;
import static org.chexnet.training.TinyNets.IMAGE_VALUES;
import static org.chexnet.training.TinyNets.maxAbsDifference;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.chexnet.model.Precision;
import org.chexnet.model.TrainingPass;
import org.chexnet.training.losses.BinaryCrossEntropy.ClassWeights;
import org.chexnet.training.optimizers.Adam;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainableModelTest {
  private static final int BATCH = 8;

  private final SplittableRandom random = new SplittableRandom(20240601L);
  private final float[] images = TinyNets.images(random, BATCH);
  private final float[] labels = TinyNets.labels(random, BATCH);

  @TempDir Path dir;

  @Test
  void trainStepAdvancesBatchNormMovingStatisticsEvenAtLearningRateZero() {
    try (TrainableModel model = TinyNets.model(1)) {
      model.setLearningRate(0);
      float[] before = model.predict(images, BATCH);
      float[] again = model.predict(images, BATCH);
      assertArrayEquals(
          before, again, "inference must be deterministic for this test to mean anything");

      for (int i = 0; i < 3; i++) {
        model.trainStep(images, labels, BATCH);
      }
      float[] after = model.predict(images, BATCH);
      // With lr 0 the weights stay, so only the moving mean/variance can have moved the inference
      // output. Were the moving-average assigns not run by the training step, after == before.
      double moved = maxAbsDifference(before, after);
      assertTrue(moved > 1e-4, "inference output did not change after training steps: " + moved);
    }
  }

  @Test
  void learningRateZeroLeavesTheWeights() {
    try (TrainableModel model = TinyNets.model(2)) {
      model.setLearningRate(0);
      // trainStep returns the loss before its update, on batch statistics (independent of the
      // moving averages): the same batch gives the same loss exactly when the weights did not move.
      float first = model.trainStep(images, labels, BATCH);
      float second = model.trainStep(images, labels, BATCH);
      float third = model.trainStep(images, labels, BATCH);
      assertEquals(first, second, 0f);
      assertEquals(first, third, 0f);
      assertEquals(3, model.step(), "steps at lr 0 are still steps");

      // ...and the same with a real learning rate moves them: the loss changes.
      model.setLearningRate(1e-2);
      model.trainStep(images, labels, BATCH);
      float moved = model.trainStep(images, labels, BATCH);
      assertTrue(Math.abs(moved - first) > 1e-4, "loss " + first + " -> " + moved);
    }
  }

  @Test
  void lossDecreasesWhenOverfittingOneBatch() {
    try (TrainableModel model = TinyNets.model(3, 1e-2f)) {
      float initial = model.trainStep(images, labels, BATCH);
      float last = initial;
      for (int i = 1; i < 40; i++) {
        last = model.trainStep(images, labels, BATCH);
      }
      assertTrue(
          Float.isFinite(initial) && initial > 0.3f && initial < 2f, "initial loss " + initial);
      assertTrue(last < 0.5f * initial, "loss " + initial + " -> " + last + " after 40 steps");
      // The inference pass (moving statistics) has learned the batch too.
      TrainableModel.BatchPrediction eval = model.evaluate(images, labels, BATCH);
      assertTrue(eval.loss() < initial, "inference loss " + eval.loss() + " vs initial " + initial);
    }
  }

  @Test
  void mixedBfloat16TrainsCloseToFloat32AndKeepsInferenceFloat32() {
    var settings = new TrainableModel.AdamSettings(1e-2f, 0.9f, 0.999f, Adam.KERAS_EPSILON);
    try (TrainableModel float32 =
            TrainableModel.create(TinyNets.config(), settings, null, TrainingPass.DEFAULT, 3);
        TrainableModel mixed =
            TrainableModel.create(
                TinyNets.config(),
                settings,
                null,
                new TrainingPass(Precision.MIXED_BFLOAT16, false),
                3)) {
      // Same seed, same weights: the inference pass is float32 in both, so equal to the bit.
      assertArrayEquals(float32.predict(images, BATCH), mixed.predict(images, BATCH));
      float referenceLoss = float32.trainStep(images, labels, BATCH);
      float mixedLoss = mixed.trainStep(images, labels, BATCH);
      // bfloat16 keeps 8 significant bits (relative error 2^-9 per rounding): the first loss
      // agrees to about 1%, not to the bit.
      assertTrue(
          Math.abs(mixedLoss - referenceLoss) < 0.02 * referenceLoss,
          "first loss " + mixedLoss + " vs float32 " + referenceLoss);
      assertTrue(mixedLoss != referenceLoss, "the training pass did not run in bfloat16");
      float last = mixedLoss;
      for (int i = 1; i < 40; i++) {
        last = mixed.trainStep(images, labels, BATCH);
      }
      assertTrue(last < 0.5f * mixedLoss, "loss " + mixedLoss + " -> " + last + " after 40 steps");
    }
  }

  @Test
  void classWeightedLossTrainsAndUnitWeightsAreThePlainLoss() {
    SplittableRandom random = new SplittableRandom(12);
    float[] images = TinyNets.images(random, 8);
    float[] labels = TinyNets.labels(random, 8);
    float[] one = new float[TinyNets.CLASSES];
    java.util.Arrays.fill(one, 1f);
    var settings = new TrainableModel.AdamSettings(1e-2f, 0.9f, 0.999f, 1e-7f);
    try (TrainableModel plain = TrainableModel.create(TinyNets.config(), settings, 3);
        TrainableModel unit =
            TrainableModel.create(
                TinyNets.config(),
                settings,
                new ClassWeights(one, one.clone()),
                TrainingPass.DEFAULT,
                3)) {
      for (int step = 0; step < 3; step++) {
        assertEquals(plain.trainStep(images, labels, 8), unit.trainStep(images, labels, 8), 1e-6);
      }
    }
    float[] positive = new float[TinyNets.CLASSES];
    float[] negative = new float[TinyNets.CLASSES];
    java.util.Arrays.fill(positive, 0.8f);
    java.util.Arrays.fill(negative, 0.2f);
    try (TrainableModel weighted =
        TrainableModel.create(
            TinyNets.config(),
            settings,
            new ClassWeights(positive, negative),
            TrainingPass.DEFAULT,
            3)) {
      float first = weighted.trainStep(images, labels, 8);
      float last = first;
      for (int step = 0; step < 30; step++) {
        last = weighted.trainStep(images, labels, 8);
      }
      assertTrue(last < first * 0.5, "weighted loss " + first + " -> " + last);
    }
  }

  @Test
  void aMaskedLabelChangesNothingWhateverItsValue() {
    float[] mask = new float[BATCH * CLASSES];
    java.util.Arrays.fill(mask, 1f);
    float[] flipped = labels.clone();
    for (int i = 0; i < mask.length; i += 3) {
      mask[i] = 0f;
      flipped[i] = 1f - flipped[i];
    }
    try (TrainableModel a = TinyNets.model(11, 1e-2f);
        TrainableModel b = TinyNets.model(11, 1e-2f);
        TrainableModel unmasked = TinyNets.model(11, 1e-2f)) {
      for (int step = 0; step < 3; step++) {
        float lossA = a.trainStep(images, labels, mask, BATCH);
        float lossB = b.trainStep(images, flipped, mask, BATCH);
        assertEquals(lossA, lossB, 0f, "the masked labels' values do not reach the loss");
        assertTrue(lossA < unmasked.trainStep(images, labels, BATCH), "fewer terms, same count");
      }
      assertArrayEquals(a.predict(images, BATCH), b.predict(images, BATCH), 0f);
      TrainableModel.BatchPrediction evaluatedA = a.evaluate(images, labels, mask, BATCH);
      TrainableModel.BatchPrediction evaluatedB = b.evaluate(images, flipped, mask, BATCH);
      assertEquals(evaluatedA.loss(), evaluatedB.loss(), 0f);
    }
  }

  @Test
  void aMaskOfOnesIsTheUnmaskedStepExactly() {
    float[] ones = new float[BATCH * CLASSES];
    java.util.Arrays.fill(ones, 1f);
    try (TrainableModel a = TinyNets.model(12, 1e-2f);
        TrainableModel b = TinyNets.model(12, 1e-2f)) {
      for (int step = 0; step < 3; step++) {
        assertEquals(
            a.trainStep(images, labels, BATCH), b.trainStep(images, labels, ones, BATCH), 0f);
      }
      assertArrayEquals(a.predict(images, BATCH), b.predict(images, BATCH), 0f);
    }
  }

  @Test
  void learningRateRoundTripsAndStepCountsSteps() {
    try (TrainableModel model = TinyNets.model(4, 1e-3f)) {
      assertEquals(1e-3, model.learningRate(), 1e-9);
      model.setLearningRate(3.3e-4);
      assertEquals(3.3e-4, model.learningRate(), 1e-10);
      model.setLearningRate(0.25);
      assertEquals(0.25, model.learningRate(), 0);

      assertEquals(0, model.step());
      for (int i = 1; i <= 4; i++) {
        model.trainStep(images, labels, BATCH);
        assertEquals(i, model.step());
      }
      model.predict(images, BATCH);
      model.evaluate(images, labels, BATCH);
      assertEquals(4, model.step(), "inference is not a step");
    }
  }

  @Test
  void checkpointRestoresWeightsStatisticsStepLearningRateAndAdamSlots() throws IOException {
    Path checkpoint = dir.resolve("ckpt");
    try (TrainableModel original = TinyNets.model(5, 1e-2f)) {
      for (int i = 0; i < 3; i++) {
        original.trainStep(images, labels, BATCH);
      }
      original.setLearningRate(3.3e-4);
      original.saveCheckpoint(checkpoint);
      float[] saved = original.predict(images, BATCH);
      long savedStep = original.step();
      double savedLr = original.learningRate();
      assertEquals(3, savedStep);

      try (TrainableModel restored = TinyNets.model(99, 1e-3f)) {
        assertTrue(
            maxAbsDifference(saved, restored.predict(images, BATCH)) > 1e-3,
            "another seed must start elsewhere, or the restore proves nothing");
        restored.restoreCheckpoint(checkpoint);
        assertArrayEquals(saved, restored.predict(images, BATCH), 1e-6f);
        assertEquals(savedStep, restored.step());
        assertEquals(savedLr, restored.learningRate(), 0);
        assertEquals(3.3e-4, restored.learningRate(), 1e-10);

        // One more identical step on both (at the restored lr): with Adam's m and v slots and the
        // step that drives its bias correction restored, the updates are the same. Zero slots at
        // t = 4 would give an update of about 0.58 * lr * sign(g) per weight instead, which moves
        // the predictions by the order of the step itself (~1e-3 here), far above the tolerance;
        // CPU gradient-summation noise measured ~1e-7.
        float lossOriginal = original.trainStep(images, labels, BATCH);
        float lossRestored = restored.trainStep(images, labels, BATCH);
        assertEquals(lossOriginal, lossRestored, 1e-6f);
        float[] nextOriginal = original.predict(images, BATCH);
        float[] nextRestored = restored.predict(images, BATCH);
        double stepMoved = maxAbsDifference(saved, nextOriginal);
        assertTrue(
            stepMoved > 1e-4,
            "the extra step must move predictions for the comparison to mean anything: "
                + stepMoved);
        assertArrayEquals(nextOriginal, nextRestored, 1e-5f);
        assertEquals(4, restored.step());
      }
    }
  }

  @Test
  void restoringAMissingCheckpointFails() {
    try (TrainableModel model = TinyNets.model(6)) {
      IOException e =
          assertThrows(
              IOException.class, () -> model.restoreCheckpoint(dir.resolve("nothing-here")));
      assertTrue(e.getMessage().contains("nothing-here"), e.getMessage());
    }
  }

  @Test
  void sameSeedSameModelOtherSeedOtherModel() {
    try (TrainableModel a = TinyNets.model(7);
        TrainableModel b = TinyNets.model(7);
        TrainableModel c = TinyNets.model(8)) {
      float[] pa = a.predict(images, BATCH);
      assertArrayEquals(pa, b.predict(images, BATCH), 0f);
      assertTrue(maxAbsDifference(pa, c.predict(images, BATCH)) > 1e-3);
      assertEquals(a.trainableParameterCount(), c.trainableParameterCount());
      assertTrue(a.trainableParameterCount() > 0);
    }
  }

  @Test
  void predictionsAreProbabilitiesPerImageAndClass() {
    try (TrainableModel model = TinyNets.model(9)) {
      float[] p = model.predict(images, BATCH);
      assertEquals(BATCH * CLASSES, p.length);
      for (float v : p) {
        assertTrue(v > 0 && v < 1, "not a probability: " + v);
      }
      // Row-major [image x class]: image 3 alone gives image 3's row of the batch (inference mode
      // does not depend on the rest of the batch).
      float[] third = new float[IMAGE_VALUES];
      System.arraycopy(images, 3 * IMAGE_VALUES, third, 0, IMAGE_VALUES);
      float[] alone = model.predict(third, 1);
      float[] row = new float[CLASSES];
      System.arraycopy(p, 3 * CLASSES, row, 0, CLASSES);
      assertArrayEquals(row, alone, 1e-5f);

      TrainableModel.BatchPrediction eval = model.evaluate(images, labels, BATCH);
      assertArrayEquals(p, eval.probabilities(), 1e-6f);
      assertEquals(bce(p, labels), eval.loss(), 1e-4);
    }
  }

  @Test
  void wrongInputLengthsAreRejected() {
    try (TrainableModel model = TinyNets.model(10)) {
      float[] short1 = new float[IMAGE_VALUES * 2 - 1];
      assertThrows(IllegalArgumentException.class, () -> model.predict(short1, 2));
      assertThrows(IllegalArgumentException.class, () -> model.predict(images, BATCH + 1));
      assertThrows(
          IllegalArgumentException.class,
          () -> model.trainStep(images, new float[BATCH * CLASSES + 1], BATCH));
      assertThrows(IllegalArgumentException.class, () -> model.trainStep(short1, labels, BATCH));
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> model.evaluate(images, new float[3], BATCH));
      assertTrue(
          e.getMessage().contains("labels")
              && e.getMessage().contains(String.valueOf(BATCH * CLASSES)),
          e.getMessage());
      assertEquals(0, model.step(), "a rejected batch must not count as a step");
    }
  }

  /** Mean binary cross-entropy of probabilities, in double. */
  private static double bce(float[] p, float[] y) {
    double sum = 0;
    for (int i = 0; i < p.length; i++) {
      sum -= y[i] * Math.log(p[i]) + (1 - y[i]) * Math.log(1 - p[i]);
    }
    return sum / p.length;
  }
}
