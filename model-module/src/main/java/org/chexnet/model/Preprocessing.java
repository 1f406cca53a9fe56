package org.chexnet.model;

/**
 * How an image becomes a network's input: resized to a square of {@code imageSize}, the gray value
 * repeated on 3 channels, then normalised.
 */
public record Preprocessing(int imageSize, Normalization normalization) {

  public enum Normalization {
    /**
     * ImageNet's per-channel mean and standard deviation on values in [0, 1] (Keras, torchvision).
     */
    IMAGENET
  }

  public Preprocessing {
    if (imageSize < 1) {
      throw new IllegalArgumentException("image size must be positive, got " + imageSize);
    }
  }

  /** What chexnet's own networks expect. */
  public static Preprocessing imagenet(int imageSize) {
    return new Preprocessing(imageSize, Normalization.IMAGENET);
  }
}
