package org.chexnet.model;

/**
 * The number format of the training pass's activations.
 *
 * <p>Weights, optimizer state, batch-norm statistics, the loss, the inference pass (validation,
 * test, serving, SavedModel) and so every reported metric stay float32 in both; only the training
 * pass's convolutions, batch norms, ReLUs, pools and concatenations change.
 */
public enum Precision {
  /** Everything float32 (the default; bit-reproducible on one machine). */
  FLOAT32,
  /**
   * Keras' {@code mixed_bfloat16}: the training pass computes and keeps its activations in bfloat16
   * (half the memory, oneDNN's AMX/AVX512-BF16 kernels on CPUs that have them), with float32 master
   * weights cast on the way in and batch-norm statistics and the head in float32.
   */
  MIXED_BFLOAT16
}
