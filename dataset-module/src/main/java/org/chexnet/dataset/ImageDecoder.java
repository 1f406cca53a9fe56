package org.chexnet.dataset;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;

/**
 * Decodes a PNG (NIH's 8-bit gray, RGB and RGBA; 16-bit gray such as PadChest's) or a baseline JPEG
 * (CheXpert, MIMIC-CXR-JPG) to 8-bit gray at {@code size x size}; 16-bit samples are scaled by
 * their real range ({@link #sixteenBitScale}). Downscaling averages the exact source area under
 * each output pixel (no aliasing from 1024 to 224); upscaling is bilinear. Non-square images are
 * stretched, as NIH's are all square. Thread-safe.
 */
public final class ImageDecoder {
  private final int size;

  public ImageDecoder(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("image size must be positive, got " + size);
    }
    this.size = size;
  }

  public int size() {
    return size;
  }

  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  private static final byte[] PNG_IEND = {
    0, 0, 0, 0, 'I', 'E', 'N', 'D', (byte) 0xae, 0x42, 0x60, (byte) 0x82
  };

  /** A JPEG's end marker may be followed by a little padding. */
  private static final int JPEG_TAIL = 64;

  /**
   * A check that reads a few bytes instead of decoding: the file exists, starts like a PNG (with
   * its header chunk) or a JPEG, and ends with the PNG end chunk or the JPEG end marker. Catches
   * missing, empty, truncated (an interrupted copy or download) and foreign files; damage inside
   * the image data is only found by decoding.
   *
   * @return what is wrong, or null when the file looks whole
   */
  public static String structuralProblem(Path image) {
    try (FileChannel channel = FileChannel.open(image)) {
      long size = channel.size();
      ByteBuffer head = ByteBuffer.allocate((int) Math.min(size, PNG_SIGNATURE.length + 8));
      readFully(channel, head, 0);
      byte[] start = head.array();
      if (size >= 3
          && start[0] == (byte) 0xff
          && start[1] == (byte) 0xd8
          && start[2] == (byte) 0xff) {
        ByteBuffer tail = ByteBuffer.allocate((int) Math.min(size, JPEG_TAIL));
        readFully(channel, tail, size - tail.capacity());
        byte[] end = tail.array();
        for (int i = 0; i + 1 < end.length; i++) {
          if (end[i] == (byte) 0xff && end[i + 1] == (byte) 0xd9) {
            return null;
          }
        }
        return "truncated JPEG (no end marker)";
      }
      if (size < PNG_SIGNATURE.length + 8 + PNG_IEND.length) {
        return "not a PNG or JPEG file (" + size + " bytes)";
      }
      if (!Arrays.equals(start, 0, PNG_SIGNATURE.length, PNG_SIGNATURE, 0, PNG_SIGNATURE.length)
          || !new String(start, 12, 4, StandardCharsets.US_ASCII).equals("IHDR")) {
        return "not a PNG or JPEG file (no PNG signature and header, no JPEG start marker)";
      }
      ByteBuffer tail = ByteBuffer.allocate(PNG_IEND.length);
      readFully(channel, tail, size - PNG_IEND.length);
      if (!Arrays.equals(tail.array(), PNG_IEND)) {
        return "truncated PNG (no end chunk)";
      }
      return null;
    } catch (NoSuchFileException e) {
      return "image not found";
    } catch (IOException e) {
      return "cannot read: " + e;
    }
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position)
      throws IOException {
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, position + buffer.position()) < 0) {
        throw new EOFException("file shrank while being read");
      }
    }
  }

  /**
   * @return size*size gray bytes, row-major
   * @throws IOException naming the file if it is missing, unreadable or not a decodable image
   */
  public byte[] decodeGray(Path png) throws IOException {
    if (!Files.isRegularFile(png)) {
      throw new NoSuchFileException(png.toString(), null, "image not found");
    }
    BufferedImage image;
    try {
      // ImageIO.read(File) reads through a FileImageInputStream, avoiding ImageIO's temp-file
      // cache.
      image = ImageIO.read(png.toFile());
    } catch (IOException | RuntimeException e) {
      throw new IOException(png + ": cannot decode image: " + e.getMessage(), e);
    }
    if (image == null) {
      throw new IOException(png + ": not an image format ImageIO can read");
    }
    return toGraySquare(image);
  }

  /**
   * An already decoded image (e.g. an upload, decoded from memory) to gray at size x size.
   *
   * @return size*size gray bytes, row-major
   */
  public byte[] toGraySquare(BufferedImage image) {
    float[] gray = toGray(image);
    float[] rows = resampleRows(gray, image.getWidth(), image.getHeight());
    float[] resized = resampleColumns(rows, image.getHeight());
    byte[] out = new byte[size * size];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Math.max(0, Math.min(255, Math.round(resized[i])));
    }
    return out;
  }

  /**
   * Gray in [0, 255] from the raster itself. BufferedImage.getRGB would push gray images through a
   * linear-to-sRGB conversion and change their values.
   */
  private static float[] toGray(BufferedImage image) {
    int width = image.getWidth();
    int height = image.getHeight();
    float[] gray = new float[width * height];
    ColorModel colorModel = image.getColorModel();
    if (colorModel instanceof IndexColorModel) {
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          int rgb = image.getRGB(x, y);
          gray[y * width + x] = luminance((rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff);
        }
      }
      return gray;
    }
    Raster raster = image.getRaster();
    int bits = raster.getSampleModel().getSampleSize(0);
    float scale = bits > 8 ? sixteenBitScale(maxSample(raster)) : 255f / ((1 << bits) - 1);
    // NIH's RGBA files carry gray in R=G=B with an opaque alpha, so alpha is ignored.
    boolean color = colorModel.getNumColorComponents() >= 3;
    int[] r = new int[width];
    int[] g = new int[width];
    int[] b = new int[width];
    for (int y = 0; y < height; y++) {
      raster.getSamples(0, y, width, 1, 0, r);
      if (color) {
        raster.getSamples(0, y, width, 1, 1, g);
        raster.getSamples(0, y, width, 1, 2, b);
      }
      for (int x = 0; x < width; x++) {
        gray[y * width + x] = scale * (color ? luminance(r[x], g[x], b[x]) : r[x]);
      }
    }
    return gray;
  }

  /**
   * 255 over the largest value of the fewest bits, at least 8, that hold {@code maxSample}: 10- to
   * 15-bit data stored unscaled in 16 bits (DICOM exports such as PadChest's) keeps its contrast
   * instead of being crushed into a few gray levels, and full-range data is divided by 65535.
   */
  static float sixteenBitScale(int maxSample) {
    int bits = 8;
    while (maxSample >= 1 << bits) {
      bits++;
    }
    return 255f / ((1 << bits) - 1);
  }

  private static int maxSample(Raster raster) {
    int max = 0;
    int[] row = new int[raster.getWidth()];
    for (int y = 0; y < raster.getHeight(); y++) {
      raster.getSamples(0, y, row.length, 1, 0, row);
      for (int sample : row) {
        max = Math.max(max, sample);
      }
    }
    return max;
  }

  private static float luminance(int r, int g, int b) {
    return 0.299f * r + 0.587f * g + 0.114f * b;
  }

  /** Resamples each row from srcWidth to size. */
  private float[] resampleRows(float[] src, int srcWidth, int height) {
    Weights weights = Weights.of(srcWidth, size);
    float[] out = new float[size * height];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < size; x++) {
        out[y * size + x] = weights.apply(src, y * srcWidth, 1, x);
      }
    }
    return out;
  }

  /** Resamples each column (rows already have {@code size} pixels) from srcHeight to size. */
  private float[] resampleColumns(float[] src, int srcHeight) {
    Weights weights = Weights.of(srcHeight, size);
    float[] out = new float[size * size];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        out[y * size + x] = weights.apply(src, x, size, y);
      }
    }
    return out;
  }

  /**
   * For each output position along one axis: the source positions it reads and their weights
   * (summing to 1).
   */
  private record Weights(int[][] index, float[][] weight) {

    static Weights of(int from, int to) {
      return to <= from ? area(from, to) : bilinear(from, to);
    }

    /**
     * Output pixel i covers source interval [i*from/to, (i+1)*from/to); each source pixel weighs
     * its overlap.
     */
    private static Weights area(int from, int to) {
      int[][] index = new int[to][];
      float[][] weight = new float[to][];
      double step = (double) from / to;
      for (int i = 0; i < to; i++) {
        double start = i * step;
        double end = Math.min(from, (i + 1) * step);
        int first = (int) Math.floor(start);
        int last = Math.min(from - 1, (int) Math.ceil(end) - 1);
        index[i] = new int[last - first + 1];
        weight[i] = new float[last - first + 1];
        for (int s = first; s <= last; s++) {
          double overlap = Math.min(end, s + 1) - Math.max(start, s);
          index[i][s - first] = s;
          weight[i][s - first] = (float) (overlap / step);
        }
      }
      return new Weights(index, weight);
    }

    /** Pixel centres aligned: output centre i+0.5 maps to source position (i+0.5)*from/to. */
    private static Weights bilinear(int from, int to) {
      int[][] index = new int[to][];
      float[][] weight = new float[to][];
      for (int i = 0; i < to; i++) {
        double position = Math.max(0, Math.min(from - 1, (i + 0.5) * from / to - 0.5));
        int left = (int) Math.floor(position);
        int right = Math.min(from - 1, left + 1);
        float t = (float) (position - left);
        index[i] = new int[] {left, right};
        weight[i] = new float[] {1 - t, t};
      }
      return new Weights(index, weight);
    }

    float apply(float[] src, int offset, int stride, int i) {
      float sum = 0;
      for (int k = 0; k < index[i].length; k++) {
        sum += weight[i][k] * src[offset + index[i][k] * stride];
      }
      return sum;
    }
  }
}
