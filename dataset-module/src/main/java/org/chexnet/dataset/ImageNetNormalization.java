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
    writeCrop(gray, size, 0, 0, size, flip, out, offset);
  }

  /**
   * The {@code crop x crop} window at ({@code x0}, {@code y0}) of a size x size gray image as HWC
   * floats at {@code out[offset]}, mirrored left-right within the window if {@code flip}.
   */
  static void writeCrop(
      byte[] gray, int size, int x0, int y0, int crop, boolean flip, float[] out, int offset) {
    if (gray.length != size * size) {
      throw new IllegalArgumentException(
          "expected " + size * size + " gray bytes, got " + gray.length);
    }
    int o = offset;
    for (int y = y0; y < y0 + crop; y++) {
      int row = y * size + x0;
      for (int x = 0; x < crop; x++) {
        int t = (gray[row + (flip ? crop - 1 - x : x)] & 0xff) * CHANNELS;
        // Three stores beat System.arraycopy's call overhead for 3 elements.
        out[o] = TABLE[t];
        out[o + 1] = TABLE[t + 1];
        out[o + 2] = TABLE[t + 2];
        o += CHANNELS;
      }
    }
  }
}
