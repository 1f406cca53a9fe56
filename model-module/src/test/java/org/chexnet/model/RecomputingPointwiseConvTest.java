package org.chexnet.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class RecomputingPointwiseConvTest {
  // Growth 8: every batch norm has a multiple of 4 channels, so every 1x1 convolution follows a
  // fused batch norm + ReLU and recomputes it.
  private static final DenseNetConfig NET = DenseNetConfig.custom(List.of(2, 2), 8, 32, 3);
  private static final int BATCH = 4;

  @Test
  void memoryEfficientTrainingComputesTheSameGradients() {
    List<float[]> recomputed = gradients(true);
    List<float[]> kept = gradients(false);
    assertEquals(kept.size(), recomputed.size());
    for (int i = 0; i < kept.size(); i++) {
      for (int j = 0; j < kept.get(i).length; j++) {
        float expected = kept.get(i)[j];
        assertEquals(
            expected, recomputed.get(i)[j], 1e-5 * Math.max(1, Math.abs(expected)), "tensor " + i);
      }
    }
  }

  @Test
  void theBackwardPassReadsOnlyRecomputedActivations() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      DenseNetGraph net = build(tf, true);
      g.addGradients(loss(tf, net).asOutput(), variables(net));
      int recomputations = 0;
      for (var it = g.operations(); it.hasNext(); ) {
        GraphOperation op = (GraphOperation) it.next();
        if (op.name().contains("RecomputedBatchNormRelu")) {
          recomputations++;
          // It waits for the backward pass, or it would run (and be kept) in the forward one.
          assertEquals(1, op.numControlInputs(), op.name());
        }
        if (!op.type().equals(FusedBatchNormRelu.OP_TYPE) || op.name().startsWith("gradients")) {
          continue;
        }
        boolean feedsPointwise =
            op.consumers(0).stream().anyMatch(c -> c.type().equals("ExpandDims"));
        if (feedsPointwise) {
          // Only the forward convolution and a shape read: no gradient op holds the output.
          for (GraphOperation consumer : op.consumers(0)) {
            assertFalse(
                consumer.name().startsWith("gradients") && !consumer.type().equals("Shape"),
                op.name() + " output read by " + consumer.name());
          }
        }
      }
      // Two dense layers per block and one transition: five 1x1 convolutions.
      assertEquals(5, recomputations);
    }
  }

  private static List<float[]> gradients(boolean memoryEfficient) {
    List<float[]> values =
        TrainingPassValues.of(
            BATCH, 32, tf -> build(tf, memoryEfficient), new float[] {1f, -2f, 3f});
    assertTrue(values.stream().anyMatch(v -> v.length > 0 && v[0] != 0f));
    return values;
  }

  private static DenseNetGraph build(Ops tf, boolean memoryEfficient) {
    return DenseNet.build(tf, NET, 1, new TrainingPass(Precision.FLOAT32, memoryEfficient), true);
  }

  private static Operand<TFloat32> loss(Ops tf, DenseNetGraph net) {
    return tf.sum(
        tf.math.mul(net.trainingLogits(), tf.constant(new float[] {1f, -2f, 3f})),
        tf.constant(new int[] {0, 1}));
  }

  private static Output<?>[] variables(DenseNetGraph net) {
    return net.trainableVariables().stream().map(Operand::asOutput).toArray(Output<?>[]::new);
  }
}
