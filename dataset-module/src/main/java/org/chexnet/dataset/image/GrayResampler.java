package org.chexnet.dataset.image;

/**
 * Resizes a gray image to {@code size x size} while its rows arrive one at a time, top to bottom,
 * so no decoder holds the whole source image. Downscaling averages the exact source area under each
 * output pixel (weights precomputed per axis: 1024 to 224 is a factor of 4.571, so each output
 * pixel covers five or six source pixels, the outer ones in part); upscaling is bilinear with pixel
 * centres aligned. Non-square sources are stretched.
 *
 * <p>Each source row is first added, weighted, into the output rows it overlaps (a few rows of
 * source width, kept in a ring); an output row is resampled horizontally once its last source row
 * has arrived. Sums are kept in float and scaled and rounded once at the end, so samples may be in
 * any unit (8-bit gray, raw 16-bit, luminance). One instance per image; not thread-safe.
 */
public final class GrayResampler {
  private final int sourceWidth;
  private final int sourceHeight;
  private final int size;
  private final Axis columns;

  /** For each source row y, the output rows it feeds: rowTargets[rowStart[y]..rowStart[y+1]). */
  private final int[] rowStart;

  private final int[] rowTargets;
  private final float[] rowWeights;
  private final int[] lastSourceRow;
  private final float[][] ring;
  private final float[] sums;
  private float[] rowBuffer;
  private int nextRow;
  private int nextOutputRow;

  public GrayResampler(int sourceWidth, int sourceHeight, int size) {
    if (sourceWidth < 1 || sourceHeight < 1 || size < 1) {
      throw new IllegalArgumentException(
          "sizes must be positive, got " + sourceWidth + "x" + sourceHeight + " to " + size);
    }
    this.sourceWidth = sourceWidth;
    this.sourceHeight = sourceHeight;
    this.size = size;
    this.columns = Axis.of(sourceWidth, size);
    Axis rows = Axis.of(sourceHeight, size);
    this.lastSourceRow = new int[size];
    int[] counts = new int[sourceHeight + 1];
    for (int j = 0; j < size; j++) {
      for (int k = 0; k < rows.count[j]; k++) {
        counts[rows.first[j] + k]++;
      }
      lastSourceRow[j] = rows.first[j] + rows.count[j] - 1;
    }
    this.rowStart = new int[sourceHeight + 1];
    for (int y = 0; y < sourceHeight; y++) {
      rowStart[y + 1] = rowStart[y] + counts[y];
    }
    this.rowTargets = new int[rowStart[sourceHeight]];
    this.rowWeights = new float[rowStart[sourceHeight]];
    int[] filled = new int[sourceHeight];
    for (int j = 0; j < size; j++) {
      for (int k = 0; k < rows.count[j]; k++) {
        int y = rows.first[j] + k;
        int at = rowStart[y] + filled[y]++;
        rowTargets[at] = j;
        rowWeights[at] = rows.weight[j * rows.taps + k];
      }
    }
    // Output rows in progress at once: those begun and not yet finished, always a run of j.
    int open = 1;
    int oldestOpen = 0;
    for (int j = 0; j < size; j++) {
      while (lastSourceRow[oldestOpen] < rows.first[j]) {
        oldestOpen++;
      }
      open = Math.max(open, j - oldestOpen + 1);
    }
    this.ring = new float[open][sourceWidth];
    this.sums = new float[size * size];
  }

  /**
   * The factor that brings 16-bit samples to 8 bits by their real range: 255 / (2^b - 1), where b
   * is {@code significantBits} (from a PNG sBIT chunk; 0 when absent) when every sample fits in
   * them, and otherwise the fewest bits, at least 8, that hold {@code maxSample}. So 10- to 15-bit
   * data stored unscaled in 16 bits (DICOM exports such as PadChest's) keeps its contrast instead
   * of being crushed into a few gray levels, and full-range data is divided by 65535.
   */
  public static float sixteenBitScale(int maxSample, int significantBits) {
    int bits =
        significantBits > 0 && significantBits <= 16 && maxSample < 1 << significantBits
            ? significantBits
            : 8;
    while (maxSample >= 1 << bits) {
      bits++;
    }
    return 255f / ((1 << bits) - 1);
  }

  public int sourceWidth() {
    return sourceWidth;
  }

  /**
   * A scratch row of source width for callers that convert samples before {@link #addRow(float[],
   * int)}.
   */
  public float[] rowBuffer() {
    if (rowBuffer == null) {
      rowBuffer = new float[sourceWidth];
    }
    return rowBuffer;
  }

  /** The next source row: samples {@code src[offset..offset+sourceWidth)}. */
  public void addRow(float[] src, int offset) {
    for (int at = rowStart[nextRow]; at < rowStart[nextRow + 1]; at++) {
      float[] sum = ring[rowTargets[at] % ring.length];
      float w = rowWeights[at];
      for (int x = 0; x < sourceWidth; x++) {
        sum[x] += w * src[offset + x];
      }
    }
    rowDone();
  }

  /** The next source row as unsigned 8-bit samples {@code src[offset..offset+sourceWidth)}. */
  public void addRow(byte[] src, int offset) {
    for (int at = rowStart[nextRow]; at < rowStart[nextRow + 1]; at++) {
      float[] sum = ring[rowTargets[at] % ring.length];
      float w = rowWeights[at];
      for (int x = 0; x < sourceWidth; x++) {
        sum[x] += w * (src[offset + x] & 0xff);
      }
    }
    rowDone();
  }

  private void rowDone() {
    int y = nextRow++;
    while (nextOutputRow < size && lastSourceRow[nextOutputRow] == y) {
      float[] sum = ring[nextOutputRow % ring.length];
      columns.resample(sum, sums, nextOutputRow * size);
      java.util.Arrays.fill(sum, 0f);
      nextOutputRow++;
    }
  }

  /**
   * @param scale multiplies every output sum before rounding to [0, 255] (1 for 8-bit samples)
   * @return size*size gray bytes, row-major
   * @throws IllegalStateException when fewer rows than the source height were added
   */
  public byte[] result(float scale) {
    if (nextRow != sourceHeight) {
      throw new IllegalStateException(nextRow + " of " + sourceHeight + " rows added");
    }
    byte[] out = new byte[size * size];
    for (int i = 0; i < out.length; i++) {
      // (int) (x + 0.5f) is Math.round for x >= 0; anything below rounds to 0 either way.
      out[i] = (byte) Math.max(0, Math.min(255, (int) (sums[i] * scale + 0.5f)));
    }
    return out;
  }

  /**
   * One axis: output i reads source positions first[i] .. first[i]+count[i]-1 with weights
   * weight[i*taps ..] summing to 1.
   */
  private record Axis(int[] first, int[] count, float[] weight, int taps) {

    static Axis of(int from, int to) {
      return to <= from ? area(from, to) : bilinear(from, to);
    }

    /**
     * Output pixel i covers source interval [i*from/to, (i+1)*from/to); each source pixel weighs
     * its overlap.
     */
    private static Axis area(int from, int to) {
      double step = (double) from / to;
      int taps = (int) Math.ceil(step) + 1;
      int[] first = new int[to];
      int[] count = new int[to];
      float[] weight = new float[to * taps];
      for (int i = 0; i < to; i++) {
        double start = i * step;
        double end = Math.min(from, (i + 1) * step);
        first[i] = (int) Math.floor(start);
        int last = Math.min(from - 1, (int) Math.ceil(end) - 1);
        count[i] = last - first[i] + 1;
        for (int s = first[i]; s <= last; s++) {
          double overlap = Math.min(end, s + 1) - Math.max(start, s);
          weight[i * taps + s - first[i]] = (float) (overlap / step);
        }
      }
      return new Axis(first, count, weight, taps);
    }

    /** Pixel centres aligned: output centre i+0.5 maps to source position (i+0.5)*from/to. */
    private static Axis bilinear(int from, int to) {
      int[] first = new int[to];
      int[] count = new int[to];
      float[] weight = new float[to * 2];
      for (int i = 0; i < to; i++) {
        double position = Math.max(0, Math.min(from - 1, (i + 0.5) * from / to - 0.5));
        first[i] = (int) Math.floor(position);
        float t = (float) (position - first[i]);
        count[i] = first[i] + 1 < from ? 2 : 1;
        weight[i * 2] = count[i] == 2 ? 1 - t : 1;
        weight[i * 2 + 1] = count[i] == 2 ? t : 0;
      }
      return new Axis(first, count, weight, 2);
    }

    void resample(float[] src, float[] out, int outOffset) {
      for (int i = 0; i < first.length; i++) {
        float sum = 0;
        int base = i * taps;
        for (int k = 0; k < count[i]; k++) {
          sum += weight[base + k] * src[first[i] + k];
        }
        out[outOffset + i] = sum;
      }
    }
  }
}
