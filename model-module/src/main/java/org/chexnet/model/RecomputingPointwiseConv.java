package org.chexnet.model;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/**
 * A 1x1 convolution whose input, when it is a {@link FusedBatchNormRelu} output, is recomputed in
 * the backward pass instead of kept from the forward pass: the memory-efficient DenseNet's
 * rematerialisation of every dense layer's largest activation.
 *
 * <p>TF Java cannot replace {@code Conv2D}'s registered gradient, which keeps its input. So the
 * convolution runs as a {@code Conv3D} over a depth of 1 (the same oneDNN speed for 1x1 kernels,
 * measured in BENCHMARKS.md), an op with no registered gradient. The gradient registered here is
 * {@code Conv3D}'s general one (input: {@code Conv3DBackpropInputV2}, filter: {@code
 * Conv3DBackpropFilterV2}), except that where the input is a fused batch norm + ReLU output it uses
 * that output recomputed from the forward pass's saved batch statistics, once the backward pass
 * reaches the layer (it waits for the incoming gradient). {@link FusedBatchNormRelu}'s gradient
 * masks with the same recomputed tensor, so nothing in the backward pass holds the forward one.
 */
final class RecomputingPointwiseConv {
  static final String OP_TYPE = "Conv3D";

  /**
   * Recomputed batch-norm + ReLU outputs, by the native address of the fused op they stand for
   * (gradient callbacks get new Java wrappers of the graph and its ops), until its gradient.
   */
  private static final Map<Long, Output<?>> RECOMPUTED = new ConcurrentHashMap<>();

  static {
    CustomGradients.register();
  }

  private RecomputingPointwiseConv() {}

  /** x [N, H, W, C] times kernel [1, 1, C, filters]: a 1x1, stride-1 convolution. */
  static <T extends TNumber> Operand<T> create(Ops tf, Operand<T> x, Operand<T> kernel) {
    Operand<T> volume = tf.expandDims(x, tf.constant(1)); // [N, 1, H, W, C]
    Operand<T> kernel3d = tf.expandDims(kernel, tf.constant(0)); // [1, 1, 1, C, filters]
    Operand<T> y = tf.nn.conv3d(volume, kernel3d, List.of(1L, 1L, 1L, 1L, 1L), "VALID");
    return tf.squeeze(y, org.tensorflow.op.core.Squeeze.axis(List.of(1L)));
  }

  /** The recomputed output of {@code fusedBatchNormRelu}, if a pointwise convolution made one. */
  static Output<?> takeRecomputed(GraphOperation fusedBatchNormRelu) {
    Output<?> recomputed = RECOMPUTED.remove(fusedBatchNormRelu.getUnsafeNativeHandle().address());
    // An entry left by an earlier, closed graph whose op had the same address is not ours: ours
    // recomputes from this op's own input.
    return recomputed != null && sameTensor(recomputedFrom(recomputed), fusedBatchNormRelu.input(0))
        ? recomputed
        : null;
  }

  private static Output<?> recomputedFrom(Output<?> recomputed) {
    return ((GraphOperation) recomputed.op()).input(0);
  }

  private static boolean sameTensor(Output<?> a, Output<?> b) {
    return a.index() == b.index()
        && ((GraphOperation) a.op()).getUnsafeNativeHandle().address()
            == ((GraphOperation) b.op()).getUnsafeNativeHandle().address();
  }

  @SuppressWarnings("unchecked")
  static List<Operand<?>> gradient(Ops tf, GraphOperation op, List<Output<?>> outputGradients) {
    var attributes = op.attributes();
    List<Long> strides = Arrays.stream(attributes.getAttrIntList("strides")).boxed().toList();
    String padding = attributes.getAttrString("padding");
    if (Arrays.stream(attributes.getAttrIntList("dilations")).anyMatch(d -> d != 1)
        || !attributes.getAttrString("data_format").equals("NDHWC")) {
      throw new IllegalStateException(
          "no gradient for " + OP_TYPE + " '" + op.name() + "': only undilated NDHWC is supported");
    }
    Operand<TNumber> dy = (Operand<TNumber>) outputGradients.get(0);
    Operand<TNumber> filter = (Operand<TNumber>) op.input(1);
    Operand<TNumber> input = (Operand<TNumber>) op.input(0);
    GraphOperation fused = fusedBatchNormReluBehind(input);
    if (fused != null) {
      Operand<TNumber> recomputed = recompute(tf, fused, dy);
      RECOMPUTED.put(fused.getUnsafeNativeHandle().address(), recomputed.asOutput());
      input = tf.expandDims(recomputed, tf.constant(1));
    }
    Operand<TNumber> dInput =
        tf.nn.conv3dBackpropInput(tf.shape(op.input(0)), filter, dy, strides, padding);
    Operand<TNumber> dFilter =
        tf.nn.conv3dBackpropFilter(input, tf.shape(filter), dy, strides, padding);
    return List.of(dInput, dFilter);
  }

  /** The fused batch norm + ReLU op whose output {@code input} expands to a volume, or null. */
  private static GraphOperation fusedBatchNormReluBehind(Operand<?> input) {
    GraphOperation expand = (GraphOperation) input.op();
    if (!expand.type().equals("ExpandDims")) {
      return null;
    }
    Output<?> source = expand.input(0);
    GraphOperation producer = (GraphOperation) source.op();
    return producer.type().equals(FusedBatchNormRelu.OP_TYPE) && source.index() == 0
        ? producer
        : null;
  }

  /**
   * relu(batch norm(x)) of a fused op again, from its saved batch mean and variance, not before
   * {@code after} exists: a control input set on the op itself (the gradient callback's scope drops
   * {@code withControlDependencies}, and grappler bypasses an IdentityN wait).
   */
  @SuppressWarnings("unchecked")
  private static Operand<TNumber> recompute(Ops tf, GraphOperation fused, Operand<?> after) {
    GraphOperation bn =
        (GraphOperation)
            tf.scope()
                .opBuilder(FusedBatchNormRelu.OP_TYPE, "RecomputedBatchNormRelu")
                .addInput(fused.input(0))
                .addInput(fused.input(1))
                .addInput(fused.input(2))
                .addInput(fused.output(3))
                .addInput(fused.output(4))
                .addInputList(new Output<?>[0])
                .addControlInput(after.op())
                .setAttr("epsilon", fused.attributes().getAttrFloat("epsilon"))
                .setAttr("is_training", false)
                .setAttr("activation_mode", "Relu")
                .setAttr("num_side_inputs", 0L)
                .build();
    return bn.output(0);
  }
}
