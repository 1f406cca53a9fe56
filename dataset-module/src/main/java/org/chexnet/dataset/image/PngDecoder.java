package org.chexnet.dataset.image;

import java.io.IOException;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decodes a non-interlaced PNG of any colour type and bit depth straight into a {@link
 * GrayResampler}: the image data is inflated one row at a time into a two-row buffer, unfiltered
 * against the row above, turned into gray samples and handed on, so no full-size image is ever
 * held. Chunk CRCs of the chunks it reads and the zlib checksum are verified. Colour becomes
 * luminance (0.299 R + 0.587 G + 0.114 B); alpha is ignored (NIH's RGBA files are opaque gray).
 *
 * <p>16-bit samples are brought to 8 bits by their real range, as {@link
 * GrayResampler#sixteenBitScale} says (an {@code sBIT} chunk, else the image's largest sample).
 *
 * <p>Interlaced (Adam7) files are left to the caller ({@link #decode} returns null). One instance
 * per thread: it keeps its inflater and row buffers between images.
 */
public final class PngDecoder {
  static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  private final Inflater inflater = new Inflater();
  private final CRC32 crc = new CRC32();

  /** Inflated rows are processed in windows of about this many bytes, to stay in cache. */
  private static final int WINDOW_BYTES = 1 << 16;

  private byte[] window = new byte[0];
  private byte[] row = new byte[0];
  private byte[] above = new byte[0];
  private int[] dataChunks = new int[64];

  public static boolean isPng(byte[] data, int length) {
    return length >= SIGNATURE.length && Arrays.equals(data, 0, 8, SIGNATURE, 0, 8);
  }

  /**
   * @param data the file's bytes, {@code data[0..length)}
   * @param source names the file in error messages
   * @return size*size gray bytes, or null for an interlaced PNG
   * @throws IOException naming {@code source} and what is wrong with the file
   */
  public byte[] decode(byte[] data, int length, String source, int size) throws IOException {
    try {
      return decodeChecked(data, length, size);
    } catch (BadImage e) {
      throw new IOException(source + ": cannot decode PNG: " + e.getMessage(), e);
    } catch (DataFormatException e) {
      throw new IOException(source + ": cannot decode PNG: corrupt image data: " + e.getMessage());
    }
  }

  private byte[] decodeChecked(byte[] data, int length, int size)
      throws BadImage, DataFormatException {
    if (!isPng(data, length)) {
      throw new BadImage("no PNG signature");
    }
    int width = 0;
    int height = 0;
    int bitDepth = 0;
    int colorType = -1;
    boolean interlaced = false;
    float[] palette = null;
    int significantBits = 0;
    int dataCount = 0;
    boolean ended = false;
    for (int pos = SIGNATURE.length; !ended; ) {
      if (pos + 12 > length) {
        throw new BadImage("truncated (no end chunk)");
      }
      int chunkLength = readInt(data, pos);
      if (chunkLength < 0 || chunkLength > length - pos - 12) {
        throw new BadImage("truncated (chunk of " + chunkLength + " bytes at byte " + pos + ")");
      }
      int type = readInt(data, pos + 4);
      int body = pos + 8;
      if (pos == SIGNATURE.length && type != IHDR) {
        throw new BadImage("no header chunk");
      }
      switch (type) {
        case IHDR -> {
          checkCrc(data, pos, chunkLength, "IHDR");
          if (chunkLength != 13) {
            throw new BadImage("header chunk of " + chunkLength + " bytes");
          }
          width = readInt(data, body);
          height = readInt(data, body + 4);
          bitDepth = data[body + 8];
          colorType = data[body + 9];
          interlaced = data[body + 12] != 0;
          checkHeader(width, height, bitDepth, colorType, data[body + 10], data[body + 11]);
        }
        case PLTE -> {
          checkCrc(data, pos, chunkLength, "PLTE");
          if (chunkLength % 3 != 0 || chunkLength > 3 * 256) {
            throw new BadImage("palette chunk of " + chunkLength + " bytes");
          }
          palette = new float[256];
          Arrays.fill(palette, Float.NaN);
          for (int i = 0; i < chunkLength / 3; i++) {
            palette[i] =
                luminance(
                    data[body + 3 * i] & 0xff,
                    data[body + 3 * i + 1] & 0xff,
                    data[body + 3 * i + 2] & 0xff);
          }
        }
        case SBIT -> {
          checkCrc(data, pos, chunkLength, "sBIT");
          for (int i = 0; i < Math.min(3, chunkLength); i++) {
            significantBits = Math.max(significantBits, data[body + i] & 0xff);
          }
        }
        case IDAT -> {
          if (2 * dataCount + 2 > dataChunks.length) {
            dataChunks = Arrays.copyOf(dataChunks, dataChunks.length * 2);
          }
          checkCrc(data, pos, chunkLength, "IDAT");
          dataChunks[2 * dataCount] = body;
          dataChunks[2 * dataCount + 1] = chunkLength;
          dataCount++;
        }
        case IEND -> ended = true;
        default -> {} // ancillary chunks (gamma, text, time ...) do not change gray values here
      }
      pos = body + chunkLength + 4;
    }
    if (dataCount == 0) {
      throw new BadImage("no image data");
    }
    if (colorType == INDEXED && palette == null) {
      throw new BadImage("indexed colour without a palette");
    }
    if (interlaced) {
      return null;
    }
    return decodeRows(
        data, dataCount, width, height, bitDepth, colorType, palette, significantBits, size);
  }

  private byte[] decodeRows(
      byte[] data,
      int dataCount,
      int width,
      int height,
      int bitDepth,
      int colorType,
      float[] palette,
      int significantBits,
      int size)
      throws BadImage, DataFormatException {
    int channels = CHANNELS[colorType];
    int stride = (int) (((long) width * channels * bitDepth + 7) / 8) + 1; // with the filter byte
    int pixelBytes = Math.max(1, channels * bitDepth / 8);
    int windowRows = Math.max(1, WINDOW_BYTES / stride);
    if (window.length < windowRows * stride) {
      window = new byte[windowRows * stride];
    }
    if (row.length < stride) {
      row = new byte[stride];
      above = new byte[stride];
    }
    Arrays.fill(above, (byte) 0); // the row above the first is zeros
    inflater.reset();
    int nextChunk = 0;
    GrayResampler resampler = new GrayResampler(width, height, size);
    int maxSample = 0;
    for (int y = 0; y < height; ) {
      int rows = Math.min(windowRows, height - y);
      int end = rows * stride;
      for (int filled = 0; filled < end; ) {
        int n = inflater.inflate(window, filled, end - filled);
        filled += n;
        if (n == 0) {
          if (inflater.finished()) {
            throw new BadImage(
                "image data ends before row " + (y + filled / stride) + " of " + height);
          }
          if (inflater.needsDictionary()) {
            throw new BadImage("image data needs a preset dictionary");
          }
          if (inflater.needsInput()) {
            if (nextChunk == dataCount) {
              throw new BadImage(
                  "truncated image data before row " + (y + filled / stride) + " of " + height);
            }
            inflater.setInput(data, dataChunks[2 * nextChunk], dataChunks[2 * nextChunk + 1]);
            nextChunk++;
          }
        }
      }
      for (int r = 0; r < rows; r++, y++) {
        unfilter(window, r * stride, row, above, stride - 1, pixelBytes, y);
        maxSample =
            Math.max(maxSample, addRow(resampler, row, width, bitDepth, colorType, palette));
        byte[] swap = above;
        above = row;
        row = swap;
      }
    }
    finishStream(data, dataCount, nextChunk);
    float scale = bitDepth == 16 ? GrayResampler.sixteenBitScale(maxSample, significantBits) : 1f;
    return resampler.result(scale);
  }

  /** Reads to the end of the zlib stream so that its checksum is verified. */
  private void finishStream(byte[] data, int dataCount, int nextChunk)
      throws BadImage, DataFormatException {
    byte[] rest = window; // spare bytes: anything after the last row is not image data
    while (!inflater.finished()) {
      if (inflater.inflate(rest, 0, rest.length) == 0 && inflater.needsInput()) {
        if (nextChunk == dataCount) {
          throw new BadImage("truncated image data (no end of stream)");
        }
        inflater.setInput(data, dataChunks[2 * nextChunk], dataChunks[2 * nextChunk + 1]);
        nextChunk++;
      }
    }
  }

  /**
   * Adds one unfiltered row (after its filter byte) to the resampler.
   *
   * @return the largest sample of the row (16-bit data only, else 0)
   */
  private static int addRow(
      GrayResampler resampler, byte[] row, int width, int bitDepth, int colorType, float[] palette)
      throws BadImage {
    if (bitDepth == 8 && colorType == GRAY) {
      resampler.addRow(row, 0);
      return 0;
    }
    float[] gray = resampler.rowBuffer();
    int max = 0;
    if (bitDepth == 16 && (colorType == RGB || colorType == RGBA)) {
      int step = 2 * CHANNELS[colorType];
      for (int x = 0, at = 0; x < width; x++, at += step) {
        int r = ((row[at] & 0xff) << 8) | (row[at + 1] & 0xff);
        int g = ((row[at + 2] & 0xff) << 8) | (row[at + 3] & 0xff);
        int b = ((row[at + 4] & 0xff) << 8) | (row[at + 5] & 0xff);
        gray[x] = luminance(r, g, b);
        max = Math.max(max, Math.max(r, Math.max(g, b)));
      }
    } else if (bitDepth == 16) {
      int step = 2 * CHANNELS[colorType]; // gray, or gray and alpha
      for (int x = 0, at = 0; x < width; x++, at += step) {
        int value = ((row[at] & 0xff) << 8) | (row[at + 1] & 0xff);
        gray[x] = value;
        max = Math.max(max, value);
      }
    } else if (bitDepth == 8) {
      int channels = CHANNELS[colorType];
      for (int x = 0, at = 0; x < width; x++, at += channels) {
        gray[x] =
            switch (colorType) {
              case RGB, RGBA -> luminance(row[at] & 0xff, row[at + 1] & 0xff, row[at + 2] & 0xff);
              case INDEXED -> paletteGray(palette, row[at] & 0xff);
              default -> row[at] & 0xff; // gray + alpha
            };
      }
    } else {
      // 1, 2 or 4 bits: gray scaled to 0..255, or palette indexes.
      int mask = (1 << bitDepth) - 1;
      float scale = 255f / mask;
      for (int x = 0; x < width; x++) {
        int bit = x * bitDepth;
        int value = (row[bit >> 3] >> (8 - bitDepth - (bit & 7))) & mask;
        gray[x] = colorType == INDEXED ? paletteGray(palette, value) : value * scale;
      }
    }
    resampler.addRow(gray, 0);
    return max;
  }

  private static float paletteGray(float[] palette, int index) throws BadImage {
    float gray = palette[index];
    if (Float.isNaN(gray)) {
      throw new BadImage("palette index " + index + " out of range");
    }
    return gray;
  }

  /**
   * Undoes a row's PNG filter: {@code out[0..n)} = the row's {@code n} filtered bytes {@code
   * raw[at+1..]} (after the filter type byte {@code raw[at]}) plus the predictor from {@code out}'s
   * left neighbours and the row {@code above}. Three separate arrays, so that the JIT vectorises
   * the loops without a dependency on the row above; with one-byte pixels the running left value
   * stays in a register (a store-to-load round trip per pixel would lengthen the serial chain).
   */
  private static void unfilter(byte[] raw, int at, byte[] out, byte[] above, int n, int bpp, int y)
      throws BadImage {
    int from = at + 1;
    switch (raw[at]) {
      case 0 -> System.arraycopy(raw, from, out, 0, n);
      case 1 -> {
        if (bpp == 1) {
          int left = 0;
          for (int i = 0; i < n; i++) {
            left = (raw[from + i] + left) & 0xff;
            out[i] = (byte) left;
          }
        } else {
          System.arraycopy(raw, from, out, 0, bpp);
          for (int i = bpp; i < n; i++) {
            out[i] = (byte) (raw[from + i] + out[i - bpp]);
          }
        }
      }
      case 2 -> {
        for (int i = 0; i < n; i++) {
          out[i] = (byte) (raw[from + i] + above[i]);
        }
      }
      case 3 -> {
        if (bpp == 1) {
          int left = 0;
          for (int i = 0; i < n; i++) {
            left = (raw[from + i] + ((left + (above[i] & 0xff)) >> 1)) & 0xff;
            out[i] = (byte) left;
          }
        } else {
          for (int i = 0; i < bpp; i++) {
            out[i] = (byte) (raw[from + i] + ((above[i] & 0xff) >> 1));
          }
          for (int i = bpp; i < n; i++) {
            out[i] = (byte) (raw[from + i] + (((out[i - bpp] & 0xff) + (above[i] & 0xff)) >> 1));
          }
        }
      }
      case 4 -> {
        if (bpp == 1) {
          int left = 0;
          int upLeft = 0;
          for (int i = 0; i < n; i++) {
            int up = above[i] & 0xff;
            left = (raw[from + i] + paeth(left, up, upLeft)) & 0xff;
            out[i] = (byte) left;
            upLeft = up;
          }
        } else {
          for (int i = 0; i < bpp; i++) {
            out[i] = (byte) (raw[from + i] + above[i]);
          }
          for (int i = bpp; i < n; i++) {
            out[i] =
                (byte)
                    (raw[from + i]
                        + paeth(out[i - bpp] & 0xff, above[i] & 0xff, above[i - bpp] & 0xff));
          }
        }
      }
      default -> throw new BadImage("unknown filter type " + raw[at] + " in row " + y);
    }
  }

  /**
   * The PNG Paeth predictor (whichever of left, up, up-left is closest to left + up - upLeft, ties
   * in that order), in stb_image's equivalent form: two min/max and two selects, no branches on the
   * pixel data and a short dependency on {@code left}, which is the serial chain of a row.
   */
  private static int paeth(int left, int up, int upLeft) {
    int threshold = 3 * upLeft - up - left;
    int low = Math.min(left, up);
    int high = Math.max(left, up);
    int notLow = high <= threshold ? low : upLeft;
    return threshold <= low ? high : notLow;
  }

  private void checkCrc(byte[] data, int pos, int chunkLength, String name) throws BadImage {
    crc.reset();
    crc.update(data, pos + 4, chunkLength + 4);
    if ((int) crc.getValue() != readInt(data, pos + 8 + chunkLength)) {
      throw new BadImage(name + " chunk at byte " + pos + " is damaged (CRC mismatch)");
    }
  }

  private static void checkHeader(
      int width, int height, int bitDepth, int colorType, int compression, int filter)
      throws BadImage {
    if (width <= 0 || height <= 0) {
      throw new BadImage("bad dimensions " + width + "x" + height);
    }
    boolean valid =
        switch (colorType) {
          case GRAY ->
              bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8 || bitDepth == 16;
          case INDEXED -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8;
          case RGB, GRAY_ALPHA, RGBA -> bitDepth == 8 || bitDepth == 16;
          default -> false;
        };
    if (!valid) {
      throw new BadImage("unsupported colour type " + colorType + " at bit depth " + bitDepth);
    }
    if (compression != 0 || filter != 0) {
      throw new BadImage("unknown compression or filter method");
    }
    if ((long) width * CHANNELS[colorType] * bitDepth / 8 > Integer.MAX_VALUE - 16) {
      throw new BadImage("rows too wide: " + width + " pixels");
    }
  }

  static float luminance(float r, float g, float b) {
    return 0.299f * r + 0.587f * g + 0.114f * b;
  }

  private static int readInt(byte[] data, int pos) {
    return ((data[pos] & 0xff) << 24)
        | ((data[pos + 1] & 0xff) << 16)
        | ((data[pos + 2] & 0xff) << 8)
        | (data[pos + 3] & 0xff);
  }

  // Chunk types: their four ASCII letters read as a big-endian int.
  private static final int IHDR = 0x49484452;
  private static final int PLTE = 0x504c5445;
  private static final int SBIT = 0x73424954;
  private static final int IDAT = 0x49444154;
  private static final int IEND = 0x49454e44;
  private static final int GRAY = 0;
  private static final int RGB = 2;
  private static final int INDEXED = 3;
  private static final int GRAY_ALPHA = 4;
  private static final int RGBA = 6;
  private static final int[] CHANNELS = {1, 0, 3, 1, 2, 0, 4};

  /** What is wrong with the file; wrapped into an IOException naming it. */
  private static final class BadImage extends Exception {
    BadImage(String message) {
      super(message, null, false, false);
    }
  }
}
