package org.chexnet.model;

import java.util.List;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/**
 * A ReLU whose backward pass needs only its output, so the training graph does not keep the
 * batch-norm output that feeds it: the training pass's ReLU wherever {@link FusedBatchNormRelu}
 * cannot be used (no kernel on the device, or channels it does not take).
 *
 * <p>TensorFlow's C++ gradient of {@code Relu} (the one TF Java uses) masks with the op's
 * <em>input</em>; in DenseNet every ReLU follows a batch norm whose output nothing else needs, so
 * that gradient alone keeps one extra activation-sized tensor per layer alive until the backward
 * pass reaches it (about 0.9 GB for DenseNet-121 at batch 16, 224x224). PyTorch avoids it with an
 * in-place ReLU. Here the forward value is {@code ReluGrad(x, StopGradient(x))} = x where x > 0,
 * else 0 (the same kernel as the backward of {@code Relu}), and the gradient registered for that
 * pattern masks with the output: y > 0 exactly where x > 0. A Relu's gradient cannot be replaced
 * (TF Java refuses to override a registered one); {@code ReluGrad} has none.
 */
final class OutputMaskedRelu {
  static final String OP_TYPE = "ReluGrad";

  static {
    CustomGradients.register();
  }

  private OutputMaskedRelu() {}

  /**
   * max(x, 0) (-0.0 where x < 0, equal to 0.0 in every later sum or product), differentiable with
   * respect to {@code x} through its output only.
   */
  static <T extends TNumber> Operand<T> create(Ops tf, Operand<T> x) {
    return tf.nn.reluGrad(x, tf.stopGradient(x));
  }

  static List<Operand<?>> gradient(Ops tf, GraphOperation op, List<Output<?>> outputGradients) {
    Output<?> features = op.input(1);
    GraphOperation featuresOp = (GraphOperation) features.op();
    if (!featuresOp.type().equals("StopGradient") || !featuresOp.input(0).equals(op.input(0))) {
      throw new IllegalStateException(
          "no gradient for "
              + OP_TYPE
              + " '"
              + op.name()
              + "': only chexnet's ReluGrad(x, StopGradient(x)) form is differentiable");
    }
    @SuppressWarnings("unchecked")
    Operand<TNumber> upstream = (Operand<TNumber>) outputGradients.get(0);
    Operand<TNumber> dx = tf.nn.reluGrad(upstream, op.<TNumber>output(0));
    // The second input is cut by StopGradient, so this value is never computed; the adapter
    // needs a tensor for every input.
    return List.of(dx, upstream);
  }
}
