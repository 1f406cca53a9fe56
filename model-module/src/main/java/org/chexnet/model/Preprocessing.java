package org.chexnet.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;
import org.chexnet.dataset.ImageDecoder;
import org.chexnet.dataset.ImageNetNormalization;
import org.chexnet.dataset.TenCrop;

/**
 * How a model wants its images: part of the model, since a network trained on ten-crops of 256
 * pixel images and one trained on 224 pixel images give different answers for the same X-ray.
 *
 * <p>Every CheXNet reproduction turns the gray X-ray into RGB (three equal channels), resizes it,
 * scales it to [0, 1] and normalises with ImageNet's mean and standard deviation; they differ in
 * the size and in the crops. The mean and std are stored so the model card says them outright; only
 * ImageNet's are applied (the dataset module's lookup table).
 *
 * @param resize side of the square the image is resized to first
 * @param crop what is cut out of it
 * @param cropSize side of the crops (the network's input); equals {@code resize} for {@link
 *     Crop#NONE}
 * @param mean per-channel mean subtracted after scaling to [0, 1] (ImageNet's)
 * @param std per-channel standard deviation divided by (ImageNet's)
 */
public record Preprocessing(
    int resize, Crop crop, int cropSize, List<Double> mean, List<Double> std) {

  public static final List<Double> IMAGENET_MEAN = List.of(0.485, 0.456, 0.406);
  public static final List<Double> IMAGENET_STD = List.of(0.229, 0.224, 0.225);

  /** The crops a model is given; with more than one, its predictions are averaged. */
  public enum Crop {
    /** The resized image as it is. */
    NONE,
    /** The centre square of {@code cropSize}. */
    CENTER,
    /**
     * torchvision's TenCrop: the four corners and the centre, and the same mirrored; the mean of
     * the ten predictions.
     */
    TEN_CROP
  }

  public Preprocessing {
    mean = List.copyOf(mean);
    std = List.copyOf(std);
    if (resize < 1 || cropSize < 1 || cropSize > resize) {
      throw new IllegalArgumentException(
          "crops of " + cropSize + " pixels from images resized to " + resize);
    }
    if (crop == Crop.NONE && cropSize != resize) {
      throw new IllegalArgumentException("without a crop the input is the resized image");
    }
    if (crop == Crop.TEN_CROP && new TenCrop(cropSize).resizeSize() != resize) {
      throw new IllegalArgumentException(
          "ten crops of "
              + cropSize
              + " are cut from images resized to "
              + new TenCrop(cropSize).resizeSize()
              + " (the reproductions' 256/224), not "
              + resize);
    }
    if (!mean.equals(IMAGENET_MEAN) || !std.equals(IMAGENET_STD)) {
      throw new IllegalArgumentException(
          "only ImageNet's normalisation (mean "
              + IMAGENET_MEAN
              + ", std "
              + IMAGENET_STD
              + ") is supported, got mean "
              + mean
              + ", std "
              + std);
    }
  }

  /** Resize to {@code resize}, ten crops of {@code cropSize}, mean of the crops' predictions. */
  public static Preprocessing tenCrop(int resize, int cropSize) {
    return new Preprocessing(resize, Crop.TEN_CROP, cropSize, IMAGENET_MEAN, IMAGENET_STD);
  }

  /** Resize to {@code resize}, the centre {@code cropSize} square. */
  public static Preprocessing centerCrop(int resize, int cropSize) {
    return new Preprocessing(resize, Crop.CENTER, cropSize, IMAGENET_MEAN, IMAGENET_STD);
  }

  /** Resize to {@code size}, no crop. */
  public static Preprocessing resize(int size) {
    return new Preprocessing(size, Crop.NONE, size, IMAGENET_MEAN, IMAGENET_STD);
  }

  /**
   * The whole image resized to the network's input side, no crops: what a class activation map is
   * computed on (so that it covers the image), and {@code predict --tta none}.
   */
  public Preprocessing wholeImage() {
    return resize(cropSize);
  }

  /**
   * Ten crops of the network's input side from the image resized to 256/224 of it, the mean of
   * their predictions: {@code predict --tta tencrop}.
   */
  public Preprocessing tenCrops() {
    return tenCrop(new TenCrop(cropSize).resizeSize(), cropSize);
  }

  /** The network's input side. */
  @JsonIgnore
  public int inputSize() {
    return cropSize;
  }

  /** Network inputs per image: 10 for ten-crop, else 1. */
  @JsonIgnore
  public int inputsPerImage() {
    return crop == Crop.TEN_CROP ? TenCrop.CROPS : 1;
  }

  /** Decodes PNGs to gray at {@link #resize()}, ready for {@link #inputs(byte[])}. */
  public ImageDecoder decoder() {
    return new ImageDecoder(resize);
  }

  /**
   * The network inputs of one image.
   *
   * @param gray the image resized to {@link #resize()}, gray bytes, row-major
   * @return {@link #inputsPerImage()} consecutive HWC inputs of {@link #inputSize()}, normalised
   */
  public float[] inputs(byte[] gray) {
    return switch (crop) {
      case NONE -> ImageNetNormalization.toHwc(gray, resize, false);
      case CENTER -> ImageNetNormalization.toHwc(centre(gray), cropSize, false);
      case TEN_CROP -> {
        TenCrop tenCrop = new TenCrop(cropSize);
        float[] out = new float[TenCrop.CROPS * tenCrop.cropValues()];
        tenCrop.write(gray, out, 0);
        yield out;
      }
    };
  }

  /**
   * Each image's prediction from its inputs' predictions: the mean over the ten crops, or the
   * prediction itself.
   *
   * @param predictions row-major, {@link #inputsPerImage()} rows of {@code classes} per image
   */
  public float[] combine(float[] predictions, int classes) {
    return crop == Crop.TEN_CROP ? TenCrop.average(predictions, classes) : predictions;
  }

  /** One line for people: "RGB, resize to 256, ten-crop 224 (mean of the crops), ImageNet ...". */
  public String describe() {
    String cropping =
        switch (crop) {
          case NONE -> "no crop";
          case CENTER -> "centre crop " + cropSize;
          case TEN_CROP -> "ten-crop " + cropSize + " (mean of the ten predictions)";
        };
    return "gray as RGB, resize to "
        + resize
        + ", "
        + cropping
        + ", scale to [0, 1], ImageNet mean "
        + mean
        + " and std "
        + std;
  }

  /** The centre {@code cropSize} square, offset as torchvision's CenterCrop rounds it. */
  private byte[] centre(byte[] gray) {
    if (gray.length != resize * resize) {
      throw new IllegalArgumentException(
          "expected " + resize * resize + " gray bytes, got " + gray.length);
    }
    int offset = (int) Math.rint((resize - cropSize) / 2.0);
    byte[] out = new byte[cropSize * cropSize];
    for (int y = 0; y < cropSize; y++) {
      System.arraycopy(gray, (y + offset) * resize + offset, out, y * cropSize, cropSize);
    }
    return out;
  }
}
