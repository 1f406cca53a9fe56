package org.chexnet.training.losses;

import org.tensorflow.Operand;
import org.tensorflow.framework.op.FrameworkOps;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras' {@code BinaryCrossentropy}: the mean over images and classes of the per-class binary
 * cross-entropy, computed from logits for numerical stability rather than from clipped
 * probabilities.
 */
public final class BinaryCrossEntropy {
  private BinaryCrossEntropy() {}

  public static Operand<TFloat32> mean(Ops tf, Operand<TFloat32> labels, Operand<TFloat32> logits) {
    Operand<TFloat32> perElement =
        FrameworkOps.create(tf).nn.sigmoidCrossEntropyWithLogits(labels, logits);
    return tf.math.mean(perElement, tf.constant(new int[] {0, 1}));
  }
}
