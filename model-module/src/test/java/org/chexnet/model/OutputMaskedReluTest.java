package org.chexnet.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

class OutputMaskedReluTest {
  private static final int N = 64;

  @Test
  void valueAndGradientEqualTensorFlowsRelu() {
    SplittableRandom random = new SplittableRandom(3);
    float[] x = new float[N];
    float[] weights = new float[N];
    for (int i = 0; i < N; i++) {
      // Negatives, positives and exact zeros (where the two masks could disagree).
      x[i] = i % 8 == 0 ? 0f : (float) random.nextGaussian();
      weights[i] = (float) random.nextGaussian();
    }
    float[][] plain = valueAndGradient(x, weights, false);
    float[][] masked = valueAndGradient(x, weights, true);
    // Equal as numbers (delta 0): where x < 0 the masked form gives -0.0 (x * 0), which no later
    // sum or product can tell from 0.0.
    assertArrayEquals(plain[0], masked[0], 0f, "forward");
    assertArrayEquals(plain[1], masked[1], 0f, "gradient");
    for (int i = 0; i < N; i++) {
      assertEquals(x[i] > 0 ? weights[i] : 0f, masked[1][i], 0f, "gradient at " + i);
    }
  }

  @Test
  void reluGradInAnyOtherFormIsNotDifferentiable() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> a = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(N)));
      Placeholder<TFloat32> b = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(N)));
      OutputMaskedRelu.create(tf, a); // registers the gradient
      Operand<TFloat32> loss = tf.sum(tf.nn.reluGrad(a, b), tf.constant(0));
      Exception e =
          assertThrows(
              Exception.class, () -> g.addGradients(loss.asOutput(), new Output<?>[] {a.output()}));
      assertTrue(
          String.valueOf(e.getMessage()).contains("ReluGrad(x, StopGradient(x))")
              || String.valueOf(e.getCause()).contains("ReluGrad(x, StopGradient(x))"),
          String.valueOf(e));
    }
  }

  private static float[][] valueAndGradient(float[] x, float[] weights, boolean masked) {
    try (Graph g = new Graph();
        Session s = new Session(g);
        TFloat32 input = TFloat32.tensorOf(Shape.of(N), d -> d.copyFrom(DataBuffers.of(x)))) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> in = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(N)));
      Operand<TFloat32> y = masked ? OutputMaskedRelu.create(tf, in) : tf.nn.relu(in);
      Operand<TFloat32> loss = tf.sum(tf.math.mul(y, tf.constant(weights)), tf.constant(0));
      Output<?>[] gradient = g.addGradients(loss.asOutput(), new Output<?>[] {in.output()});
      try (Result r = s.runner().feed(in, input).fetch(y).fetch(gradient[0]).run()) {
        return new float[][] {read((TFloat32) r.get(0)), read((TFloat32) r.get(1))};
      }
    }
  }

  private static float[] read(TFloat32 t) {
    float[] values = new float[N];
    t.copyTo(DataBuffers.of(values));
    return values;
  }
}
