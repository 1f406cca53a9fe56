package org.chexnet.model;

/**
 * How the network's training pass computes. Neither setting changes the weights, the inference pass
 * or a checkpoint's contents.
 *
 * @param precision the number format of its activations
 * @param memoryEfficient recompute each dense layer's batch-norm + ReLU output in the backward pass
 *     instead of keeping it (float32; mixed_bfloat16 keeps half-size activations instead): about
 *     0.6 GB less for DenseNet-121 at batch 16, 224x224, for about 7% of the step time, as
 *     torchvision's {@code densenet121(memory_efficient=True)}
 */
public record TrainingPass(Precision precision, boolean memoryEfficient) {
  /** float32, keeping activations: the spec's defaults. */
  public static final TrainingPass DEFAULT = new TrainingPass(Precision.FLOAT32, false);

  public TrainingPass {
    if (precision == null) {
      throw new IllegalArgumentException("precision is required");
    }
  }
}
