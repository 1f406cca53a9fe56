package org.chexnet.training.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.chexnet.training.losses.BinaryCrossEntropy.ClassWeights;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class BinaryCrossEntropyTest {
  private static final int ROWS = 5;
  private static final int CLASSES = 3;

  @Test
  void weightsComeFromTrainingPrevalence() {
    ClassWeights w = ClassWeights.fromPrevalence(new long[] {10, 0, 100}, 100);
    assertArrayEquals(new float[] {0.9f, 1f, 0f}, w.positive());
    assertArrayEquals(new float[] {0.1f, 0f, 1f}, w.negative());
  }

  @Test
  void weightedMeanMatchesTheDefinitionEvenForHugeLogits() {
    SplittableRandom random = new SplittableRandom(4);
    float[] logits = new float[ROWS * CLASSES];
    float[] labels = new float[ROWS * CLASSES];
    for (int i = 0; i < logits.length; i++) {
      logits[i] = (float) (random.nextDouble(-8, 8));
      labels[i] = random.nextBoolean() ? 1 : 0;
    }
    logits[0] = 80; // exp(80) overflows float: the stable form must not
    labels[0] = 0;
    logits[1] = -80;
    labels[1] = 1;
    ClassWeights weights =
        new ClassWeights(new float[] {0.9f, 0.5f, 2f}, new float[] {0.1f, 1f, 0.25f});

    double expected = 0;
    for (int i = 0; i < logits.length; i++) {
      int c = i % CLASSES;
      double z = logits[i];
      double softplus = Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))); // -log(1 - p)
      expected +=
          weights.positive()[c] * labels[i] * (softplus - z)
              + weights.negative()[c] * (1 - labels[i]) * softplus;
    }
    expected /= logits.length;

    float weighted =
        evaluate((tf, y, z) -> BinaryCrossEntropy.weightedMean(tf, y, z, weights), labels, logits);
    assertEquals(expected, weighted, 1e-5 * Math.abs(expected));
    // The two huge wrong logits alone add (0.1 * 80 + 0.5 * 80) / 15.
    assertTrue(expected > 48.0 / logits.length, "the huge wrong logits count: " + expected);

    ClassWeights ones = new ClassWeights(new float[] {1, 1, 1}, new float[] {1, 1, 1});
    assertEquals(
        evaluate(BinaryCrossEntropy::mean, labels, logits),
        evaluate((tf, y, z) -> BinaryCrossEntropy.weightedMean(tf, y, z, ones), labels, logits),
        1e-6,
        "unit weights are Keras' plain binary cross-entropy");
  }

  private interface Loss {
    Operand<TFloat32> of(Ops tf, Operand<TFloat32> labels, Operand<TFloat32> logits);
  }

  private static float evaluate(Loss loss, float[] labels, float[] logits) {
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Shape shape = Shape.of(ROWS, CLASSES);
      Operand<TFloat32> y = tf.constant(shape, DataBuffers.of(labels));
      Operand<TFloat32> z = tf.constant(shape, DataBuffers.of(logits));
      try (TFloat32 result = (TFloat32) session.runner().fetch(loss.of(tf, y, z)).run().get(0)) {
        return result.getFloat();
      }
    }
  }
}
