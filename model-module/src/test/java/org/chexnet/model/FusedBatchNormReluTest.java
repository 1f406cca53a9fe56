package org.chexnet.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;

class FusedBatchNormReluTest {
  // Growth 4: 8, 12 and 16 channels take the fused op, the transition's 6 and 10 and 14 the
  // separate form, so both meet in one network.
  private static final DenseNetConfig TINY = DenseNetConfig.custom(List.of(1, 2), 4, 16, 3);
  private static final int BATCH = 4;

  @Test
  void theFusedKernelIsUsedWhereItExists() {
    assertTrue(FusedBatchNormRelu.available("CPU", DataType.DT_FLOAT));
    assertTrue(FusedBatchNormRelu.available("CPU", DataType.DT_BFLOAT16));
    assertEquals(Devices.builtWithCuda(), FusedBatchNormRelu.available("GPU", DataType.DT_FLOAT));
  }

  @Test
  void fusedAndSeparateFormsTrainTheSameNetwork() {
    for (Precision precision : Precision.values()) {
      List<float[]> fused = trainingPass(true, precision);
      List<float[]> separate = trainingPass(false, precision);
      assertEquals(separate.size(), fused.size());
      for (int i = 0; i < fused.size(); i++) {
        float[] a = fused.get(i);
        float[] b = separate.get(i);
        for (int j = 0; j < a.length; j++) {
          // The same kernels compute both: equal up to float rounding of the mask's neighbours.
          assertEquals(b[j], a[j], 1e-5 * Math.max(1, Math.abs(b[j])), precision + " tensor " + i);
        }
      }
    }
  }

  @Test
  void otherFormsOfTheFusedOpAreNotDifferentiable() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.constant(new float[][][][] {{{{1f, -1f, 2f, -2f}}}});
      Operand<TFloat32> ones = tf.constant(new float[] {1f, 1f, 1f, 1f});
      Operand<TFloat32> zeros = tf.constant(new float[] {0f, 0f, 0f, 0f});
      FusedBatchNormRelu.create(tf, x, ones, zeros, zeros, ones, 1e-3f, 1f); // registers
      var identity =
          g.opBuilder(FusedBatchNormRelu.OP_TYPE, "identity", tf.scope())
              .addInput(x.asOutput())
              .addInput(ones.asOutput())
              .addInput(zeros.asOutput())
              .addInput(zeros.asOutput())
              .addInput(ones.asOutput())
              .addInputList(new Output<?>[0])
              .setAttr("is_training", true)
              .setAttr("activation_mode", "Identity")
              .setAttr("num_side_inputs", 0L)
              .build();
      Operand<TFloat32> loss = tf.sum(identity.<TFloat32>output(0), tf.constant(new int[] {0, 3}));
      Exception e =
          assertThrows(
              Exception.class,
              () -> g.addGradients(loss.asOutput(), new Output<?>[] {x.asOutput()}));
      assertTrue(String.valueOf(e).contains("training-mode ReLU form"), String.valueOf(e));
    }
  }

  private static List<float[]> trainingPass(boolean fusedBatchNormRelu, Precision precision) {
    return TrainingPassValues.of(
        BATCH,
        16,
        tf -> DenseNet.build(tf, TINY, 1, new TrainingPass(precision, false), fusedBatchNormRelu),
        new float[] {1f, -2f, 3f});
  }
}
