package org.chexnet.experiment.spec;

import java.util.List;
import org.chexnet.model.DenseNetConfig;

/**
 * The network. Named architectures are Keras' DenseNets; {@code custom} takes {@code blocks} and
 * {@code growth_rate} (small networks for tests and the quickstart).
 *
 * @param weights {@code imagenet} (Keras' ImageNet weights) or {@code none} (random, seeded)
 * @param weightsPath for {@code weights: imagenet}: a Keras HDF5 weight file, or a directory
 *     holding Keras' DenseNet-121 file, relative to the working directory; {@code null} reads the
 *     cache that {@code chexnet models download-weights} fills ($CHEXNET_WEIGHTS_DIR, else
 *     ~/.cache/chexnet/weights)
 */
public record ModelSpec(
    @Default("densenet121") Architecture architecture,
    @Default("null") @Min(1) List<Integer> blocks,
    @Default("null") @Min(1) Integer growthRate,
    @Default("imagenet") Weights weights,
    @Default("null") String weightsPath) {

  public enum Architecture {
    DENSENET121,
    DENSENET169,
    DENSENET201,
    CUSTOM
  }

  public enum Weights {
    IMAGENET,
    NONE
  }

  public ModelSpec {
    boolean custom = architecture == Architecture.CUSTOM;
    if (custom && blocks == null) {
      throw new InvalidValue(
          "blocks",
          "is required when architecture is custom (a list of positive integers, e.g. [2, 2, 2, 2])");
    }
    if (custom && growthRate == null) {
      throw new InvalidValue(
          "growth_rate", "is required when architecture is custom (a positive integer, e.g. 12)");
    }
    if (!custom && blocks != null) {
      throw new InvalidValue(
          "blocks",
          "is only for architecture: custom ("
              + SpecBinder.enumName(architecture)
              + " fixes its blocks)");
    }
    if (!custom && growthRate != null) {
      throw new InvalidValue(
          "growth_rate",
          "is only for architecture: custom (" + SpecBinder.enumName(architecture) + " fixes it)");
    }
    if (weights == Weights.NONE && weightsPath != null) {
      throw new InvalidValue(
          "weights_path",
          "is only for weights: imagenet (weights: none starts from random weights)");
    }
    if (blocks != null && blocks.isEmpty()) {
      throw new InvalidValue("blocks", "must list at least one dense block");
    }
  }

  /**
   * The network this section describes, for square images of {@code imageSize} and {@code classes}
   * outputs (the run's findings, {@link DataSpec#findings()}).
   */
  public DenseNetConfig networkConfig(int imageSize, int classes) {
    return switch (architecture) {
      case DENSENET121 -> DenseNetConfig.densenet121(imageSize, classes);
      case DENSENET169 -> DenseNetConfig.densenet169(imageSize, classes);
      case DENSENET201 -> DenseNetConfig.densenet201(imageSize, classes);
      case CUSTOM -> DenseNetConfig.custom(blocks, growthRate, imageSize, classes);
    };
  }
}
