package org.chexnet.training;

import java.util.List;
import java.util.SplittableRandom;
import org.chexnet.model.DenseNetConfig;
import org.chexnet.training.optimizers.Adam;

/**
 * A DenseNet small enough to build and step in well under a second, and seeded random batches for
 * it.
 */
public final class TinyNets {
  public static final int IMAGE_SIZE = 32;
  public static final int CLASSES = 14;
  public static final int IMAGE_VALUES = IMAGE_SIZE * IMAGE_SIZE * 3;

  private TinyNets() {}

  public static DenseNetConfig config() {
    return DenseNetConfig.custom(List.of(1, 1, 1, 1), 4, IMAGE_SIZE, CLASSES);
  }

  public static TrainableModel model(long seed) {
    return model(seed, 1e-3f);
  }

  public static TrainableModel model(long seed, float learningRate) {
    return TrainableModel.create(
        config(),
        new TrainableModel.AdamSettings(learningRate, 0.9f, 0.999f, Adam.KERAS_EPSILON),
        seed);
  }

  /** {@code size} images of standard-normal values (roughly what ImageNet normalisation gives). */
  public static float[] images(SplittableRandom random, int size) {
    float[] images = new float[size * IMAGE_VALUES];
    for (int i = 0; i < images.length; i++) {
      images[i] = (float) gaussian(random);
    }
    return images;
  }

  /** {@code size} rows of 0/1 labels, each positive with probability 0.3. */
  public static float[] labels(SplittableRandom random, int size) {
    float[] labels = new float[size * CLASSES];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = random.nextDouble() < 0.3 ? 1f : 0f;
    }
    return labels;
  }

  public static double maxAbsDifference(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("lengths differ: " + a.length + " vs " + b.length);
    }
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs((double) a[i] - b[i]));
    }
    return max;
  }

  private static double gaussian(SplittableRandom random) {
    // Box-Muller; SplittableRandom has no nextGaussian before Java 17's RandomGenerator default,
    // keep it explicit.
    double u = 1.0 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
