package org.chexnet.dataset;

/**
 * Test-time augmentation as in the CheXNet reproductions (torchvision's {@code Resize(256)} then
 * {@code TenCrop(224)}): the image resized to {@link #resizeSize()}, cut into the four corner crops
 * and the centre crop, then the same five mirrored left-right; the model's predictions on the ten
 * are averaged.
 */
public final class TenCrop {
  public static final int CROPS = 10;

  private final int cropSize;
  private final int resizeSize;

  /**
   * @param cropSize the model's input size; images are resized to cropSize * 256 / 224 first (256
   *     for 224), the ratio the reproductions use
   */
  public TenCrop(int cropSize) {
    if (cropSize < 1) {
      throw new IllegalArgumentException("crop size must be positive, got " + cropSize);
    }
    this.cropSize = cropSize;
    this.resizeSize = Math.round(cropSize * 256f / 224f);
  }

  public int cropSize() {
    return cropSize;
  }

  /** The side images must have before cropping (give it to {@link ImageDecoder}). */
  public int resizeSize() {
    return resizeSize;
  }

  /** Values per crop: cropSize x cropSize x 3. */
  public int cropValues() {
    return cropSize * cropSize * ImageNetNormalization.CHANNELS;
  }

  /**
   * Writes the ten crops of one gray image, ImageNet-normalised HWC, consecutively at {@code
   * out[offset]}: top-left, top-right, bottom-left, bottom-right, centre, then the same five of the
   * image mirrored left-right (torchvision's order and windows).
   *
   * @param gray resizeSize x resizeSize gray bytes, row-major
   */
  public void write(byte[] gray, float[] out, int offset) {
    int far = resizeSize - cropSize;
    // torchvision's centre crop offset, int(round(far / 2.0)): Python rounds half to even.
    int centre = (int) Math.rint(far / 2.0);
    int[] xs = {0, far, 0, far, centre};
    int[] ys = {0, 0, far, far, centre};
    for (int c = 0; c < CROPS; c++) {
      // As torchvision's ten_crop: the last five are the five crops of the mirrored image, so a
      // mirrored crop's window is the original's reflected (x -> far - x); with an odd margin the
      // centre shifts by a pixel.
      int x = c < 5 ? xs[c] : far - xs[c - 5];
      ImageNetNormalization.writeCrop(
          gray, resizeSize, x, ys[c % 5], cropSize, c >= 5, out, offset + c * cropValues());
    }
  }

  /**
   * The mean of each image's ten crops' predictions.
   *
   * @param predictions row-major, {@value #CROPS} consecutive rows of {@code classes} per image
   * @return one row per image
   */
  public static float[] average(float[] predictions, int classes) {
    if (classes < 1 || predictions.length % (CROPS * classes) != 0) {
      throw new IllegalArgumentException(
          predictions.length + " predictions are not images x " + CROPS + " crops x " + classes);
    }
    float[] mean = new float[predictions.length / CROPS];
    for (int image = 0; image < mean.length / classes; image++) {
      for (int k = 0; k < classes; k++) {
        double sum = 0;
        for (int c = 0; c < CROPS; c++) {
          sum += predictions[(image * CROPS + c) * classes + k];
        }
        mean[image * classes + k] = (float) (sum / CROPS);
      }
    }
    return mean;
  }
}
