package org.chexnet.dataset.image;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Decodes the gray (luma) channel of a baseline or extended-sequential Huffman JPEG at a reduced
 * scale chosen in the DCT domain, straight into a {@link GrayResampler}.
 *
 * <p>When the target is at most half the source, each 8x8 block is turned into 4x4, 2x2 or 1x1
 * pixels (the largest reduction that keeps the decoded image at least the target size, as Pillow's
 * {@code draft} and libjpeg's scaled decoding choose): every output pixel is the exact mean of the
 * full-resolution block area it covers, computed from the dequantised coefficients by precomputed
 * per-coefficient kernels (at 1/8 that is the DC term alone; at 1/4, the coefficients whose
 * frequency is even and non-zero average out and are not used). Coefficients that do not matter are
 * still Huffman-decoded, but skipped with a table that consumes a code and its magnitude bits in
 * one look-up. Colour JPEGs give their Y channel (what libjpeg's grayscale output is); the chroma
 * blocks are skipped the same way.
 *
 * <p>Progressive, arithmetic-coded, lossless, 12-bit, CMYK and RGB-coded files are left to the
 * caller ({@link #decode} returns null). One instance per thread.
 */
public final class JpegDecoder {
  private static final VarHandle LONG_BE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final int LOOKAHEAD = 9;
  private static final int SKIP_BITS = 12;
  private static final int SKIP_EOB = 1 << 16;
  private static final int PAIR_BITS = 12;
  private static final int PAIR_EOB = 1 << 6;

  /** Per zigzag position: 2 if its vertical frequency is odd, plus 1 if its horizontal one is. */
  private static final int[] PARITY = new int[64];

  /** Natural (row-major) index of each zigzag position. */
  private static final int[] ZIGZAG = {
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
    13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59,
    52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63
  };

  /**
   * Per output side n (1, 2, 4, 8): the n*n kernels of the 64 zigzag positions, one after another.
   */
  private static final float[][] KERNELS = new float[9][];

  static {
    for (int n = 1; n <= 8; n *= 2) {
      KERNELS[n] = kernels(n);
    }
    for (int k = 0; k < 64; k++) {
      PARITY[k] = (ZIGZAG[k] / 8 % 2) * 2 + ZIGZAG[k] % 2;
    }
  }

  private final int[][] quant = new int[4][];
  private final Huffman[] dcTables = new Huffman[4];
  private final Huffman[] acTables = new Huffman[4];

  private byte[] data;
  private int end;
  private int pos;
  private long bits;
  private int padBytes;

  /** At 2x2: per zigzag position, dequantiser times the top-left pixel's kernel weight. */
  private final float[] halfWeights = new float[64];

  /** At 2x2: the block's four sums by frequency parity, see {@link #lumaBlock}. */
  private final float[] parity = new float[4];

  public static boolean isJpeg(byte[] data, int length) {
    return length >= 3
        && data[0] == (byte) 0xff
        && data[1] == (byte) 0xd8
        && data[2] == (byte) 0xff;
  }

  /**
   * @param data the file's bytes, {@code data[0..length)}
   * @param source names the file in error messages
   * @return size*size gray bytes, or null for a JPEG kind this decoder leaves to others
   * @throws IOException naming {@code source} and what is wrong with the file
   */
  public byte[] decode(byte[] data, int length, String source, int size) throws IOException {
    this.data = data;
    this.end = length;
    try {
      return decodeChecked(size);
    } catch (BadImage e) {
      throw new IOException(source + ": cannot decode JPEG: " + e.getMessage(), e);
    } finally {
      this.data = null;
      Arrays.fill(quant, null);
      Arrays.fill(dcTables, null);
      Arrays.fill(acTables, null);
    }
  }

  private record Component(int id, int h, int v, int quantTable) {}

  private byte[] decodeChecked(int size) throws BadImage {
    if (!isJpeg(data, end)) {
      throw new BadImage("no JPEG start marker");
    }
    pos = 2;
    Component[] components = null;
    int width = 0;
    int height = 0;
    int restartInterval = 0;
    boolean adobeRgb = false;
    while (true) {
      if (pos >= end) {
        throw new BadImage("truncated (no image data before the end of the file)");
      }
      if (data[pos] != (byte) 0xff) {
        throw new BadImage("expected a marker at byte " + pos);
      }
      while (pos < end && data[pos] == (byte) 0xff) {
        pos++; // fill bytes
      }
      if (pos >= end) {
        throw new BadImage("truncated (no image data before the end of the file)");
      }
      int marker = data[pos++] & 0xff;
      if (marker == 0xd8 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        continue; // no length field
      }
      if (marker == 0xd9) {
        throw new BadImage("no image data before the end marker");
      }
      if (pos + 2 > end) {
        throw new BadImage("truncated marker segment at byte " + pos);
      }
      int segmentEnd = pos + (((data[pos] & 0xff) << 8) | (data[pos + 1] & 0xff));
      if (segmentEnd > end || segmentEnd < pos + 2) {
        throw new BadImage("truncated marker segment at byte " + pos);
      }
      int body = pos + 2;
      switch (marker) {
        case 0xc0, 0xc1 -> {
          if (data[body] != 8) {
            return null; // 12-bit samples
          }
          height = u16(body + 1);
          width = u16(body + 3);
          int count = data[body + 5] & 0xff;
          if (width == 0 || height == 0 || count == 0 || body + 6 + 3 * count > segmentEnd) {
            throw new BadImage(
                "bad frame header (" + width + "x" + height + ", " + count + " components)");
          }
          components = new Component[count];
          for (int c = 0; c < count; c++) {
            int at = body + 6 + 3 * c;
            int sampling = data[at + 1] & 0xff;
            components[c] =
                new Component(data[at] & 0xff, sampling >> 4, sampling & 15, data[at + 2] & 3);
            if (components[c].h() < 1
                || components[c].h() > 4
                || components[c].v() < 1
                || components[c].v() > 4) {
              throw new BadImage("bad sampling factors " + sampling + " in the frame header");
            }
          }
        }
        case 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf -> {
          return null; // progressive, lossless, hierarchical or arithmetic-coded
        }
        case 0xc4 -> readHuffmanTables(body, segmentEnd);
        case 0xdb -> readQuantTables(body, segmentEnd);
        case 0xdd -> restartInterval = u16(body);
        case 0xee -> {
          // Adobe: transform 0 means the three components are R, G, B rather than Y, Cb, Cr.
          if (segmentEnd - body >= 12 && data[body] == 'A' && data[body + 1] == 'd') {
            adobeRgb = data[body + 11] == 0;
          }
        }
        case 0xda -> {
          if (components == null) {
            throw new BadImage("scan before the frame header");
          }
          if (components.length != 1
              && (components.length != 3 || adobeRgb || components[0].id() == 'R')) {
            return null; // CMYK, RGB-coded or otherwise not Y-first
          }
          int hMax = 0;
          int vMax = 0;
          for (Component c : components) {
            hMax = Math.max(hMax, c.h());
            vMax = Math.max(vMax, c.v());
          }
          Component luma = components[0];
          if (components.length > 1 && (luma.h() != hMax || luma.v() != vMax)) {
            return null; // subsampled luma
          }
          int inScan = data[body] & 0xff;
          int[] scanComponents = new int[inScan];
          int[] dc = new int[inScan];
          int[] ac = new int[inScan];
          boolean hasLuma = false;
          for (int i = 0; i < inScan; i++) {
            int id = data[body + 1 + 2 * i] & 0xff;
            int tables = data[body + 2 + 2 * i] & 0xff;
            scanComponents[i] = -1;
            for (int c = 0; c < components.length; c++) {
              if (components[c].id() == id) {
                scanComponents[i] = c;
              }
            }
            if (scanComponents[i] < 0) {
              throw new BadImage("scan names unknown component " + id);
            }
            hasLuma |= scanComponents[i] == 0;
            dc[i] = tables >> 4 & 3;
            ac[i] = tables & 3;
          }
          pos = segmentEnd;
          if (!hasLuma) {
            skipScan();
            continue;
          }
          return decodeScan(
              components, width, height, hMax, vMax, scanComponents, dc, ac, restartInterval, size);
        }
        default -> {} // application data, comments
      }
      pos = segmentEnd;
    }
  }

  private byte[] decodeScan(
      Component[] components,
      int width,
      int height,
      int hMax,
      int vMax,
      int[] scanComponents,
      int[] dcIndex,
      int[] acIndex,
      int restartInterval,
      int size)
      throws BadImage {
    int scale = 8;
    while (scale > 1 && (width < scale * size || height < scale * size)) {
      scale /= 2;
    }
    int n = 8 / scale;
    float[] kernels = KERNELS[n];
    int outWidth = (width + scale - 1) / scale;
    int outHeight = (height + scale - 1) / scale;
    int inScan = scanComponents.length;
    Huffman[] dc = new Huffman[inScan];
    Huffman[] ac = new Huffman[inScan];
    for (int i = 0; i < inScan; i++) {
      dc[i] = dcTables[dcIndex[i]];
      ac[i] = acTables[acIndex[i]];
      if (dc[i] == null || ac[i] == null) {
        throw new BadImage("scan uses an undefined Huffman table");
      }
    }
    int[] lumaQuant = quant[components[0].quantTable()];
    if (lumaQuant == null) {
      throw new BadImage("luma uses an undefined quantisation table");
    }
    for (int k = 0; k < 64; k++) {
      halfWeights[k] = lumaQuant[k] * KERNELS[2][4 * k];
    }
    // A scan of one component codes its blocks one by one; several interleave MCUs.
    boolean interleaved = inScan > 1;
    int lumaH = interleaved ? components[0].h() : 1;
    int lumaV = interleaved ? components[0].v() : 1;
    int mcusX = interleaved ? (width + 8 * hMax - 1) / (8 * hMax) : (width + 7) / 8;
    int mcusY = interleaved ? (height + 8 * vMax - 1) / (8 * vMax) : (height + 7) / 8;
    int bandWidth = mcusX * lumaH * n;
    int bandRows = lumaV * n;
    float[] band = new float[bandWidth * bandRows];
    float[] block = new float[n * n];
    int[] predictors = new int[inScan];
    GrayResampler resampler = new GrayResampler(outWidth, outHeight, size);
    int rowsOut = 0;
    bits = EMPTY;
    padBytes = 0;
    int mcu = 0;
    for (int my = 0; my < mcusY; my++) {
      for (int mx = 0; mx < mcusX; mx++, mcu++) {
        if (restartInterval > 0 && mcu > 0 && mcu % restartInterval == 0) {
          restart();
          Arrays.fill(predictors, 0);
        }
        for (int i = 0; i < inScan; i++) {
          int c = scanComponents[i];
          int blocksH = interleaved ? components[c].h() : 1;
          int blocksV = interleaved ? components[c].v() : 1;
          for (int bv = 0; bv < blocksV; bv++) {
            for (int bh = 0; bh < blocksH; bh++) {
              if (c != 0) {
                skipBlock(dc[i], ac[i]);
                continue;
              }
              int at = bv * n * bandWidth + (mx * lumaH + bh) * n;
              if (n == 1) {
                predictors[i] += skipBlock(dc[i], ac[i]);
                band[at] = 128 + predictors[i] * lumaQuant[0] / 8f;
              } else {
                predictors[i] =
                    lumaBlock(
                        dc[i],
                        ac[i],
                        lumaQuant,
                        kernels,
                        block,
                        n,
                        predictors[i],
                        band,
                        at,
                        bandWidth);
              }
            }
          }
        }
      }
      for (int r = 0; r < bandRows && rowsOut < outHeight; r++, rowsOut++) {
        resampler.addRow(band, r * bandWidth);
      }
    }
    checkNotPastData();
    return resampler.result(1f);
  }

  /*
   * The bit reader: a long whose top bits are the next bits of the entropy-coded data, followed by
   * a single 1 (the sentinel) and zeros, so that one value carries both the bits and their count
   * (63 - trailing zeros). The block decoders keep it in a local: a field written and read back
   * per code would add a store-to-load round trip to the serial chain of look-ups.
   */
  private static final long EMPTY = 1L << 63;

  /**
   * Decodes one luma block into its n*n pixels (n of 2, 4 or 8) at {@code band[at..]}: its DC
   * difference and the AC coefficients, adding each coefficient's kernel ({@code block} holds the
   * sums at 4x4 and 8x8). Up to two codes with their magnitude bits come from one look-up ({@link
   * Huffman#pairs}), and both are always added (a missing second code has value 0; coefficients
   * that average out weigh 0): branches on the data would mispredict more than they save. At 2x2 a
   * coefficient's kernel is its weight at the top-left pixel with signs flipped across the halves
   * where its frequency is odd, so it is added once, into one of four sums by parity ({@link
   * #halfWeights}).
   *
   * @return the new DC predictor
   */
  private int lumaBlock(
      Huffman dcTable,
      Huffman acTable,
      int[] q,
      float[] kernels,
      float[] block,
      int n,
      int predictor,
      float[] band,
      int at,
      int bandWidth)
      throws BadImage {
    long bits = refill(this.bits);
    int entry = dcTable.code(bits);
    bits <<= entry >> 8;
    int magnitude = entry & 15;
    if (magnitude != 0) {
      predictor += extend((int) (bits >>> (64 - magnitude)), magnitude);
      bits <<= magnitude;
    }
    int area = n * n;
    float dc = 128 + predictor * q[0] / 8f;
    float[] sums = parity;
    sums[0] = dc;
    sums[1] = 0;
    sums[2] = 0;
    sums[3] = 0;
    if (area != 4) {
      Arrays.fill(block, dc);
    }
    int k = 1;
    while (k < 64) {
      bits = refill(bits);
      int pair = acTable.pairs[(int) (bits >>> (64 - PAIR_BITS))];
      int used = pair & 15;
      int first = k + (pair >>> 7 & 31);
      int after = first + (pair >>> 12 & 31);
      boolean endOfBlock = (pair & PAIR_EOB) != 0;
      // Positions are one past each coefficient; a group ending the block exactly with an
      // end-of-block code could have read it from the next block, so it goes one by one.
      if (used != 0 && (after < 64 || (after == 64 && !endOfBlock))) {
        bits <<= used;
        k = after;
        if (area == 4) {
          sums[PARITY[first - 1]] += (pair << 8 >> 25) * halfWeights[first - 1];
          sums[PARITY[after - 1]] += (pair >> 24) * halfWeights[after - 1];
        } else {
          addKernel(block, kernels, (first - 1) * area, (pair << 8 >> 25) * q[first - 1], area);
          addKernel(block, kernels, (after - 1) * area, (pair >> 24) * q[after - 1], area);
        }
        if (endOfBlock) {
          break;
        }
        continue;
      }
      int code = acTable.code(bits);
      bits <<= code >> 8;
      int rs = code & 0xff;
      magnitude = rs & 15;
      if (magnitude == 0) {
        if (rs != 0xf0) {
          break;
        }
        k += 16;
        continue;
      }
      int position = k + (rs >> 4);
      if (position > 63) {
        throw new BadImage("corrupt image data (coefficient beyond the block)");
      }
      int value = extend((int) (bits >>> (64 - magnitude)), magnitude);
      bits <<= magnitude;
      if (area == 4) {
        sums[PARITY[position]] += value * halfWeights[position];
      } else {
        addKernel(block, kernels, position * area, value * q[position], area);
      }
      k = position + 1;
    }
    this.bits = bits;
    if (area == 4) {
      // Sums by parity of (vertical, horizontal) frequency: an odd one flips sign across halves.
      float even = sums[0];
      float odd = sums[1];
      float oddRows = sums[2];
      float oddBoth = sums[3];
      band[at] = even + odd + oddRows + oddBoth;
      band[at + 1] = even - odd + oddRows - oddBoth;
      band[at + bandWidth] = even + odd - oddRows - oddBoth;
      band[at + bandWidth + 1] = even - odd - oddRows + oddBoth;
    } else {
      for (int r = 0; r < n; r++) {
        System.arraycopy(block, r * n, band, at + r * bandWidth, n);
      }
    }
    return predictor;
  }

  private static void addKernel(float[] block, float[] kernels, int at, float weight, int area) {
    for (int i = 0; i < area; i++) {
      block[i] += weight * kernels[at + i];
    }
  }

  /**
   * Consumes one block, the AC codes several per look-up where they fit (see {@link Huffman#skip}).
   *
   * @return its DC difference
   */
  private int skipBlock(Huffman dcTable, Huffman acTable) throws BadImage {
    long bits = refill(this.bits);
    int entry = dcTable.code(bits);
    bits <<= entry >> 8;
    int magnitude = entry & 15;
    int difference = 0;
    if (magnitude != 0) {
      difference = extend((int) (bits >>> (64 - magnitude)), magnitude);
      bits <<= magnitude;
    }
    for (int k = 1; k < 64; ) {
      bits = refill(bits);
      int group = acTable.skip[(int) (bits >>> (64 - SKIP_BITS))];
      int advance = (group >> 8) & 0xff;
      // A group that would end the block exactly with an end-of-block code could have read that
      // code from the next block's bits: such groups, and those past the block, go one by one.
      if (group != 0 && (k + advance < 64 || (k + advance == 64 && (group & SKIP_EOB) == 0))) {
        bits <<= group & 0xff;
        if ((group & SKIP_EOB) != 0) {
          break;
        }
        k += advance;
        continue;
      }
      int code = acTable.code(bits);
      bits <<= code >> 8;
      int rs = code & 0xff;
      if ((rs & 15) == 0) {
        if (rs != 0xf0) {
          break;
        }
        k += 16;
      } else {
        k += (rs >> 4) + 1;
        bits <<= rs & 15;
      }
    }
    this.bits = bits;
    return difference;
  }

  /** JPEG's EXTEND: {@code magnitude} bits as a signed coefficient. */
  private static int extend(int v, int magnitude) {
    return v < 1 << (magnitude - 1) ? v - (1 << magnitude) + 1 : v;
  }

  /**
   * Tops the bits up to at least 32 when fewer are left (enough for any code with its magnitude
   * bits). Stuffed 0xFF 0x00 pairs become 0xFF; at a marker or the end of the file zeros are fed
   * (and counted, so that reading into them is reported, see {@link #checkNotPastData}).
   */
  private long refill(long bits) {
    if ((int) bits != 0) {
      return bits; // the sentinel is in the low half: 32 or more bits left
    }
    int count = 63 - Long.numberOfTrailingZeros(bits);
    bits &= bits - 1; // drop the sentinel
    if (padBytes == 0 && pos + 8 <= end) {
      long word = (long) LONG_BE.get(data, pos);
      // No 0xFF byte among the eight: take whole bytes at once.
      if (((~word - 0x0101010101010101L) & word & 0x8080808080808080L) == 0) {
        int take = (63 - count) >> 3;
        pos += take;
        count += 8 * take;
        return bits | (word & ~(-1L >>> (8 * take))) >>> (count - 8 * take) | 1L << (63 - count);
      }
    }
    while (count <= 55) {
      int b = 0;
      if (padBytes == 0 && pos < end) {
        b = data[pos] & 0xff;
        if (b != 0xff) {
          pos++;
        } else if (pos + 1 < end && data[pos + 1] == 0) {
          pos += 2;
        } else {
          b = 0;
          padBytes++;
        }
      } else {
        padBytes++;
      }
      bits |= (long) b << (56 - count);
      count += 8;
    }
    return bits | 1L << (63 - count);
  }

  /** Fails when decoding read into the zeros fed past a marker or the end of the file. */
  private void checkNotPastData() throws BadImage {
    if (63 - Long.numberOfTrailingZeros(bits) < 8 * padBytes) {
      throw new BadImage("image data is truncated or corrupt");
    }
  }

  /** At a restart interval's end: drop the partial byte and pass the RSTn marker. */
  private void restart() throws BadImage {
    checkNotPastData();
    bits = EMPTY;
    padBytes = 0;
    while (pos + 1 < end) {
      if (data[pos] == (byte) 0xff) {
        int next = data[pos + 1] & 0xff;
        if (next >= 0xd0 && next <= 0xd7) {
          pos += 2;
          return;
        }
        if (next != 0 && next != 0xff) {
          throw new BadImage("missing restart marker at byte " + pos);
        }
      }
      pos++;
    }
    throw new BadImage("truncated (missing restart marker)");
  }

  /** Moves past a scan's entropy-coded data to the next marker. */
  private void skipScan() throws BadImage {
    while (pos + 1 < end) {
      if (data[pos] == (byte) 0xff) {
        int next = data[pos + 1] & 0xff;
        if (next != 0 && !(next >= 0xd0 && next <= 0xd7) && next != 0xff) {
          return;
        }
      }
      pos++;
    }
    throw new BadImage("truncated scan");
  }

  private void readQuantTables(int at, int segmentEnd) throws BadImage {
    while (at < segmentEnd) {
      int precision = (data[at] & 0xff) >> 4;
      int index = data[at] & 15;
      int bytes = precision == 0 ? 1 : 2;
      if (index > 3 || precision > 1 || at + 1 + 64 * bytes > segmentEnd) {
        throw new BadImage("bad quantisation table");
      }
      int[] table = new int[64];
      for (int k = 0; k < 64; k++) {
        table[k] = bytes == 1 ? data[at + 1 + k] & 0xff : u16(at + 1 + 2 * k);
      }
      quant[index] = table;
      at += 1 + 64 * bytes;
    }
  }

  private void readHuffmanTables(int at, int segmentEnd) throws BadImage {
    while (at < segmentEnd) {
      int tableClass = (data[at] & 0xff) >> 4;
      int index = data[at] & 15;
      if (tableClass > 1 || index > 3 || at + 17 > segmentEnd) {
        throw new BadImage("bad Huffman table");
      }
      int[] counts = new int[17];
      int total = 0;
      for (int length = 1; length <= 16; length++) {
        counts[length] = data[at + length] & 0xff;
        total += counts[length];
      }
      if (total > 256 || at + 17 + total > segmentEnd) {
        throw new BadImage("bad Huffman table");
      }
      byte[] symbols = Arrays.copyOfRange(data, at + 17, at + 17 + total);
      Huffman table = new Huffman(counts, symbols, tableClass == 1);
      (tableClass == 0 ? dcTables : acTables)[index] = table;
      at += 17 + total;
    }
  }

  private int u16(int at) {
    return ((data[at] & 0xff) << 8) | (data[at + 1] & 0xff);
  }

  /** A canonical Huffman table with a look-up for codes of up to {@link #LOOKAHEAD} bits. */
  private static final class Huffman {
    /** (length << 8) | symbol for codes that fit the look-ahead, else 0. */
    final int[] fast = new int[1 << LOOKAHEAD];

    /**
     * AC tables: for the next {@link #SKIP_BITS} bits, the whole codes with their magnitude bits
     * they hold, decoded greedily up to an end-of-block: bits | (coefficients advanced << 8) |
     * {@link #SKIP_EOB} if it ended with one; 0 when not even the first code fits.
     */
    final int[] skip;

    /**
     * AC tables: for the next {@link #PAIR_BITS} bits, up to two whole codes with their magnitude
     * bits, and an end-of-block code after them if it fits too, in one int (16 KiB a table, to stay
     * in the L1 cache): bits used (4 bits) | count (2) << 4 | {@link #PAIR_EOB} | (run + 1) << 7 |
     * (run + 1) << 12 | first value (7 bits) << 17 | second value (8 bits) << 24; a run of 16 zeros
     * counts as a code of value 0; a missing second code has run + 1 = 0 and value 0. Values too
     * large for their field end the group early. 0 when not even the first code fits.
     */
    final int[] pairs;

    final int[] maxCode = new int[18];
    final int[] valueOffset = new int[18];
    final byte[] symbols;

    Huffman(int[] counts, byte[] symbols, boolean ac) throws BadImage {
      this.symbols = symbols;
      int code = 0;
      int k = 0;
      for (int length = 1; length <= 16; length++) {
        valueOffset[length] = k - code;
        maxCode[length] = counts[length] > 0 ? code + counts[length] - 1 : -1;
        for (int i = 0; i < counts[length]; i++, k++, code++) {
          if (length <= LOOKAHEAD) {
            int shift = LOOKAHEAD - length;
            int symbol = symbols[k] & 0xff;
            for (int fill = 0; fill < 1 << shift; fill++) {
              int index = (code << shift) | fill;
              fast[index] = (length << 8) | symbol;
            }
          }
        }
        if (code > 1 << length) {
          throw new BadImage("bad Huffman table (too many codes of length " + length + ")");
        }
        code <<= 1;
      }
      maxCode[17] = Integer.MAX_VALUE;
      skip = ac ? skipTable() : null;
      pairs = ac ? pairTable() : null;
    }

    /** (length << 8) | symbol for the code at the top of {@code bits}. */
    int code(long bits) throws BadImage {
      int code = fast[(int) (bits >>> (64 - LOOKAHEAD))];
      return code != 0 ? code : slowCode(bits);
    }

    /** (length << 8) | symbol for a code longer than the look-ahead at the top of {@code bits}. */
    private int slowCode(long bits) throws BadImage {
      int code16 = (int) (bits >>> 48);
      for (int length = LOOKAHEAD + 1; length <= 16; length++) {
        int code = code16 >>> (16 - length);
        if (code <= maxCode[length]) {
          return length << 8 | (symbols[valueOffset[length] + code] & 0xff);
        }
      }
      throw new BadImage("corrupt image data (bad Huffman code)");
    }

    /** The symbol whose code starts {@code bits} (of {@code available}), or -1; length in [1]. */
    private int symbolAt(int bits, int available, int[] length) {
      for (int l = 1; l <= available; l++) {
        int code = (bits >>> (available - l)) & ((1 << l) - 1);
        if (code <= maxCode[l]) {
          length[0] = l;
          return symbols[valueOffset[l] + code] & 0xff;
        }
      }
      return -1;
    }

    private int[] pairTable() {
      int[] table = new int[1 << PAIR_BITS];
      int[] length = new int[1];
      for (int index = 0; index < table.length; index++) {
        int used = 0;
        int count = 0;
        int entry = 0;
        boolean endOfBlock = false;
        while (count < 3) {
          int available = PAIR_BITS - used;
          int symbol =
              available > 0 ? symbolAt(index & ((1 << available) - 1), available, length) : -1;
          if (symbol < 0 || length[0] + (symbol & 15) > available) {
            break;
          }
          int magnitude = symbol & 15;
          if (magnitude == 0 && symbol != 0xf0) {
            used += length[0];
            endOfBlock = true;
            break;
          }
          if (count == 2) {
            break; // room for an end-of-block only
          }
          int v = (index >>> (available - length[0] - magnitude)) & ((1 << magnitude) - 1);
          int value = magnitude == 0 ? 0 : v < 1 << (magnitude - 1) ? v - (1 << magnitude) + 1 : v;
          // The first value has 7 bits, the second 8: larger ones go one code at a time.
          if (count == 0 ? value < -64 || value > 63 : value < -128 || value > 127) {
            break;
          }
          int advance = magnitude == 0 ? 16 : (symbol >> 4) + 1;
          entry |=
              count == 0
                  ? advance << 7 | (value & 0x7f) << 17
                  : advance << 12 | (value & 0xff) << 24;
          used += length[0] + magnitude;
          count++;
        }
        table[index] = used == 0 ? 0 : entry | used | count << 4 | (endOfBlock ? PAIR_EOB : 0);
      }
      return table;
    }

    private int[] skipTable() {
      int[] table = new int[1 << SKIP_BITS];
      for (int index = 0; index < table.length; index++) {
        int used = 0;
        int advance = 0;
        boolean endOfBlock = false;
        while (advance < 63) {
          int symbol = -1;
          int length = 0;
          for (int l = 1; l <= SKIP_BITS - used && symbol < 0; l++) {
            int code = (index >>> (SKIP_BITS - used - l)) & ((1 << l) - 1);
            if (code <= maxCode[l]) {
              symbol = symbols[valueOffset[l] + code] & 0xff;
              length = l;
            }
          }
          if (symbol < 0 || used + length + (symbol & 15) > SKIP_BITS) {
            break;
          }
          used += length + (symbol & 15);
          if (symbol == 0 || ((symbol & 15) == 0 && symbol != 0xf0)) {
            endOfBlock = true;
            break;
          }
          advance += (symbol & 15) == 0 ? 16 : (symbol >> 4) + 1;
        }
        table[index] = used == 0 ? 0 : used | advance << 8 | (endOfBlock ? SKIP_EOB : 0);
      }
      return table;
    }
  }

  /**
   * The n*n block means, per zigzag coefficient: the mean over each output pixel's (8/n)^2 source
   * pixels of that coefficient's IDCT basis function (JPEG's normalisation).
   */
  private static float[] kernels(int n) {
    int bin = 8 / n;
    double[][] axis = new double[8][n]; // [frequency][output position]
    for (int u = 0; u < 8; u++) {
      double c = u == 0 ? Math.sqrt(0.5) : 1;
      for (int j = 0; j < n; j++) {
        double sum = 0;
        for (int x = j * bin; x < (j + 1) * bin; x++) {
          sum += Math.cos((2 * x + 1) * u * Math.PI / 16);
        }
        double mean = 0.5 * c * sum / bin;
        axis[u][j] = Math.abs(mean) < 1e-9 ? 0 : mean;
      }
    }
    float[] kernels = new float[64 * n * n];
    for (int k = 0; k < 64; k++) {
      int row = ZIGZAG[k] / 8;
      int column = ZIGZAG[k] % 8;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          kernels[(k * n + i) * n + j] = (float) (axis[row][i] * axis[column][j]);
        }
      }
    }
    return kernels;
  }

  /** What is wrong with the file; wrapped into an IOException naming it. */
  private static final class BadImage extends Exception {
    BadImage(String message) {
      super(message, null, false, false);
    }
  }
}
