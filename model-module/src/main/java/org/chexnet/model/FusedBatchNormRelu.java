package org.chexnet.model;

import java.util.List;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.FusedBatchNormGrad;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TNumber;

/**
 * Training-mode batch norm and ReLU as one op, TensorFlow's {@code _FusedBatchNormEx} (the op its
 * own graph optimiser fuses the pair into for inference), with a gradient that needs only the op's
 * output.
 *
 * <p>Two savings in a DenseNet training step, where every ReLU follows a batch norm: the ReLU costs
 * no separate pass over the activations (8% of a DenseNet-121 step here), and no pre-activation
 * tensor is kept for the backward pass (TensorFlow's C++ gradient of {@code Relu}, the one TF Java
 * uses, masks with its input, which keeps one more activation-sized tensor per layer alive: about
 * 0.9 GB for DenseNet-121 at batch 16, 224x224; PyTorch avoids it with an in-place ReLU). The op
 * has no registered gradient; the one registered here masks the incoming gradient where the output
 * is 0 (the output is positive exactly where the normalised input is) and hands it to {@code
 * FusedBatchNormGradV3} with the op's saved batch statistics.
 */
final class FusedBatchNormRelu {
  static final String OP_TYPE = "_FusedBatchNormEx";

  /** The op takes only channel counts divisible by this (DenseNet-121's all are). */
  static final int CHANNEL_MULTIPLE = 4;

  static {
    CustomGradients.register();
  }

  private FusedBatchNormRelu() {}

  /** The fused op's outputs that the network uses. */
  record Outputs<T extends TNumber>(
      Output<T> y, Output<TFloat32> updatedMean, Output<TFloat32> updatedVariance) {}

  /**
   * relu(batch_norm(x)) with batch statistics; {@code updatedMean} / {@code updatedVariance} are
   * the moving averages after this batch, as FusedBatchNormV3 returns them.
   */
  static <T extends TNumber> Outputs<T> create(
      Ops tf,
      Operand<T> x,
      Operand<TFloat32> gamma,
      Operand<TFloat32> beta,
      Operand<TFloat32> movingMean,
      Operand<TFloat32> movingVariance,
      float epsilon,
      float exponentialAvgFactor) {
    GraphOperation op =
        (GraphOperation)
            tf.scope()
                .opBuilder(OP_TYPE, "FusedBatchNormRelu")
                .addInput(x.asOutput())
                .addInput(gamma.asOutput())
                .addInput(beta.asOutput())
                .addInput(movingMean.asOutput())
                .addInput(movingVariance.asOutput())
                .addInputList(new Output<?>[0]) // no side inputs
                .setAttr("epsilon", epsilon)
                .setAttr("exponential_avg_factor", exponentialAvgFactor)
                .setAttr("is_training", true)
                .setAttr("activation_mode", "Relu")
                .setAttr("num_side_inputs", 0L)
                .build();
    return new Outputs<>(op.output(0), op.output(1), op.output(2));
  }

  /** Whether {@code deviceType} (CPU, GPU) has a kernel of the fused op for {@code dtype}. */
  static boolean available(String deviceType, org.tensorflow.proto.DataType dtype) {
    return Devices.hasKernel(OP_TYPE, deviceType, dtype);
  }

  static List<Operand<?>> gradient(Ops tf, GraphOperation op, List<Output<?>> outputGradients) {
    var attributes = op.attributes();
    if (!attributes.getAttrString("activation_mode").equals("Relu")
        || !attributes.getAttrBool("is_training")
        || attributes.getAttrInt("num_side_inputs") != 0) {
      throw new IllegalStateException(
          "no gradient for "
              + OP_TYPE
              + " '"
              + op.name()
              + "': only the training-mode ReLU form without side inputs is differentiable");
    }
    @SuppressWarnings("unchecked")
    Operand<TNumber> upstream = (Operand<TNumber>) outputGradients.get(0);
    @SuppressWarnings("unchecked")
    Operand<TNumber> x = (Operand<TNumber>) op.input(0);
    @SuppressWarnings("unchecked")
    Operand<TFloat32> gamma = (Operand<TFloat32>) op.input(1);
    // Where a pointwise convolution recomputed this op's output for its own gradient, mask with
    // that tensor too, so that the forward one is not kept.
    Output<?> recomputed = RecomputingPointwiseConv.takeRecomputed(op);
    @SuppressWarnings("unchecked")
    Operand<TNumber> y = recomputed != null ? (Operand<TNumber>) recomputed : op.<TNumber>output(0);
    Operand<TNumber> masked = tf.nn.reluGrad(upstream, y);
    FusedBatchNormGrad<TNumber, TFloat32> grad =
        tf.nn.fusedBatchNormGrad(
            masked,
            x,
            gamma,
            op.<TFloat32>output(3),
            op.<TFloat32>output(4),
            op.<TFloat32>output(5),
            FusedBatchNormGrad.epsilon(attributes.getAttrFloat("epsilon")),
            FusedBatchNormGrad.isTraining(true));
    // The moving statistics (inputs 3 and 4) are not differentiated; these tensors of their
    // shape are never computed, the adapter needs one per input.
    return List.of(
        grad.xBackprop(),
        grad.scaleBackprop(),
        grad.offsetBackprop(),
        grad.scaleBackprop(),
        grad.offsetBackprop());
  }
}
