package org.chexnet.model;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Runs a network's training pass on seeded images and returns its logits and the gradient of every
 * trainable variable (of a fixed weighting of the logits), to compare two ways of building the same
 * network.
 */
final class TrainingPassValues {
  private TrainingPassValues() {}

  static List<float[]> of(
      int batch, int size, Function<Ops, DenseNetGraph> build, float[] logitWeights) {
    SplittableRandom random = new SplittableRandom(5);
    float[] images = new float[batch * size * size * 3];
    for (int i = 0; i < images.length; i++) {
      images[i] = (float) (random.nextDouble() * 4 - 2);
    }
    try (Graph g = new Graph();
        Session s = new Session(g);
        TFloat32 input =
            TFloat32.tensorOf(
                Shape.of(batch, size, size, 3), d -> d.copyFrom(DataBuffers.of(images)))) {
      Ops tf = Ops.create(g);
      DenseNetGraph net = build.apply(tf);
      Operand<TFloat32> loss =
          tf.sum(
              tf.math.mul(net.trainingLogits(), tf.constant(logitWeights)),
              tf.constant(new int[] {0, 1}));
      Output<?>[] variables =
          net.trainableVariables().stream().map(Operand::asOutput).toArray(Output<?>[]::new);
      Output<?>[] gradients = g.addGradients(loss.asOutput(), variables);
      s.initialize();
      var runner = s.runner().feed(net.images(), input).fetch(net.trainingLogits());
      for (Output<?> gradient : gradients) {
        runner.fetch(gradient);
      }
      List<float[]> values = new ArrayList<>();
      try (Result r = runner.run()) {
        for (int i = 0; i < r.size(); i++) {
          TFloat32 t = (TFloat32) r.get(i);
          float[] v = new float[(int) t.size()];
          t.copyTo(DataBuffers.of(v));
          values.add(v);
        }
      }
      return values;
    }
  }
}
