package org.chexnet.model;

import org.tensorflow.TensorFlow;

/**
 * Registers the gradients of the ops this module builds that TensorFlow has none for, all at once.
 * TF Java 1.1.0 overflows the stack when a gradient is registered after another custom one has been
 * used, so every class that builds such an op calls {@link #register()} first.
 */
final class CustomGradients {
  private static boolean registered;

  private CustomGradients() {}

  static synchronized void register() {
    if (registered) {
      return;
    }
    // Each returns false when already registered (by an earlier class loader).
    TensorFlow.registerCustomGradient(OutputMaskedRelu.OP_TYPE, OutputMaskedRelu::gradient);
    TensorFlow.registerCustomGradient(FusedBatchNormRelu.OP_TYPE, FusedBatchNormRelu::gradient);
    TensorFlow.registerCustomGradient(
        RecomputingPointwiseConv.OP_TYPE, RecomputingPointwiseConv::gradient);
    registered = true;
  }
}
