package org.chexnet.model;

import java.util.List;

/**
 * The shape of a DenseNet: dense block sizes, growth rate and the classifier head.
 *
 * <p>The named variants follow Keras' {@code tf.keras.applications.DenseNet121/169/201}; tiny
 * configurations for tests come from the same builder with small {@code blocks}.
 *
 * @param blocks layers per dense block (DenseNet-121: 6, 12, 24, 16)
 * @param growthRate feature maps each layer adds (DenseNet-121: 32)
 * @param initialFilters filters of the 7x7 stem convolution (DenseNet-121: 64)
 * @param bottleneckWidth the 1x1 bottleneck has {@code bottleneckWidth * growthRate} filters (4)
 * @param compression share of channels a transition keeps (0.5)
 * @param imageSize input height and width in pixels
 * @param numClasses sigmoid outputs of the head (14 findings)
 * @param batchNormEpsilon added to the variance in every batch norm: Keras' DenseNet uses {@value
 *     #KERAS_BN_EPSILON}, torchvision's {@value #TORCHVISION_BN_EPSILON}; an imported network keeps
 *     its source's, so that it computes exactly what the source does
 */
public record DenseNetConfig(
    List<Integer> blocks,
    int growthRate,
    int initialFilters,
    int bottleneckWidth,
    double compression,
    int imageSize,
    int numClasses,
    double batchNormEpsilon) {

  /** Keras' DenseNet batch-norm epsilon. */
  public static final double KERAS_BN_EPSILON = 1.001e-5;

  /** torchvision's DenseNet batch-norm epsilon (BatchNorm2d's default). */
  public static final double TORCHVISION_BN_EPSILON = 1e-5;

  /** A Keras-layout DenseNet with Keras' batch-norm epsilon. */
  public DenseNetConfig(
      List<Integer> blocks,
      int growthRate,
      int initialFilters,
      int bottleneckWidth,
      double compression,
      int imageSize,
      int numClasses) {
    this(
        blocks,
        growthRate,
        initialFilters,
        bottleneckWidth,
        compression,
        imageSize,
        numClasses,
        KERAS_BN_EPSILON);
  }

  public DenseNetConfig {
    blocks = List.copyOf(blocks);
    if (blocks.isEmpty() || blocks.stream().anyMatch(b -> b < 1)) {
      throw new IllegalArgumentException(
          "blocks must be a non-empty list of positive integers, got " + blocks);
    }
    if (growthRate < 1 || initialFilters < 1 || bottleneckWidth < 1 || numClasses < 1) {
      throw new IllegalArgumentException(
          "growthRate, initialFilters, bottleneckWidth and numClasses must be positive");
    }
    if (!(compression > 0 && compression <= 1)) {
      throw new IllegalArgumentException("compression must be in (0, 1], got " + compression);
    }
    if (!(batchNormEpsilon > 0)) {
      throw new IllegalArgumentException(
          "batchNormEpsilon must be positive, got " + batchNormEpsilon);
    }
    // The stem halves the input twice, and each transition once more.
    int minimumSize = 4 << (blocks.size() - 1);
    if (imageSize < minimumSize) {
      throw new IllegalArgumentException(
          "imageSize must be at least "
              + minimumSize
              + " for "
              + blocks.size()
              + " dense blocks, got "
              + imageSize);
    }
  }

  public static DenseNetConfig densenet121(int imageSize, int numClasses) {
    return keras(List.of(6, 12, 24, 16), imageSize, numClasses);
  }

  public static DenseNetConfig densenet169(int imageSize, int numClasses) {
    return keras(List.of(6, 12, 32, 32), imageSize, numClasses);
  }

  public static DenseNetConfig densenet201(int imageSize, int numClasses) {
    return keras(List.of(6, 12, 48, 32), imageSize, numClasses);
  }

  /**
   * A small DenseNet for tests and the quickstart; the stem has twice the growth rate, as in the
   * DenseNet paper.
   */
  public static DenseNetConfig custom(
      List<Integer> blocks, int growthRate, int imageSize, int numClasses) {
    return new DenseNetConfig(blocks, growthRate, 2 * growthRate, 4, 0.5, imageSize, numClasses);
  }

  private static DenseNetConfig keras(List<Integer> blocks, int imageSize, int numClasses) {
    return new DenseNetConfig(blocks, 32, 64, 4, 0.5, imageSize, numClasses);
  }
}
