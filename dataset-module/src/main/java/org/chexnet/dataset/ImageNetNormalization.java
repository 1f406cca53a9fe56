package org.chexnet.dataset;

/**
 * Turns 8-bit gray into the 3-channel ImageNet-normalised input DenseNet-121 was pretrained on:
 * gray g in [0, 1] becomes (g - MEAN[c]) / STD[c] in channel c.
 */
public final class ImageNetNormalization {
  public static final int CHANNELS = 3;

  private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
  private static final float[] STD = {0.229f, 0.224f, 0.225f};

  // 256 gray levels x 3 channels, so batches are filled by lookup.
  private static final float[] TABLE = new float[256 * CHANNELS];

  static {
    for (int gray = 0; gray < 256; gray++) {
      for (int c = 0; c < CHANNELS; c++) {
        TABLE[gray * CHANNELS + c] = (gray / 255f - MEAN[c]) / STD[c];
      }
    }
  }

  private ImageNetNormalization() {}

  /** The normalised value of gray level {@code gray} (0..255) in channel {@code channel} (0..2). */
  public static float value(int gray, int channel) {
    return TABLE[gray * CHANNELS + channel];
  }

  /** One size x size gray image as HWC floats, mirrored left-right if {@code flip}. */
  public static float[] toHwc(byte[] gray, int size, boolean flip) {
    float[] out = new float[size * size * CHANNELS];
    writeHwc(gray, size, flip, out, 0);
    return out;
  }

  static void writeHwc(byte[] gray, int size, boolean flip, float[] out, int offset) {
    if (gray.length != size * size) {
      throw new IllegalArgumentException(
          "expected " + size * size + " gray bytes, got " + gray.length);
    }
    int o = offset;
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int g = gray[y * size + (flip ? size - 1 - x : x)] & 0xff;
        System.arraycopy(TABLE, g * CHANNELS, out, o, CHANNELS);
        o += CHANNELS;
      }
    }
  }
}
