package org.chexnet.dataset;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
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
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.chexnet.dataset.image.GrayResampler;
import org.chexnet.dataset.image.JpegDecoder;
import org.chexnet.dataset.image.PngDecoder;

/**
 * Decodes a PNG (any colour type and bit depth: NIH's 8-bit gray and RGBA, 16-bit gray such as
 * PadChest's) or a JPEG (gray or colour, e.g. CheXpert and MIMIC-CXR-JPG) to 8-bit gray at {@code
 * size x size}. Downscaling averages the exact source area under each output pixel (no aliasing
 * from 1024 to 224); upscaling is bilinear. Non-square images are stretched. Colour becomes
 * luminance (JPEGs give their Y channel); 16-bit samples are scaled by their real range ({@link
 * GrayResampler#sixteenBitScale}).
 *
 * <p>PNGs are decoded row by row straight into the resampler ({@link PngDecoder}); JPEGs at a
 * reduced scale in the DCT domain when the target is at most half the source ({@link JpegDecoder}).
 * Interlaced PNGs, progressive JPEGs and other formats go through ImageIO. Thread-safe: each thread
 * keeps its own decoders and file buffer.
 */
public final class ImageDecoder {
  /** Per thread: the decoders (they keep an inflater and tables) and a file buffer reused. */
  private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

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

  /** A JPEG's end marker may be followed by a little padding. */
  private static final int JPEG_TAIL = 64;

  private static final byte[] PNG_IEND = {
    0, 0, 0, 0, 'I', 'E', 'N', 'D', (byte) 0xae, 0x42, 0x60, (byte) 0x82
  };

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
  public byte[] decodeGray(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "image not found");
    }
    Workspace workspace = WORKSPACE.get();
    int length = workspace.read(file);
    return decode(workspace, workspace.file, length, file.toString());
  }

  private byte[] decode(Workspace workspace, byte[] data, int length, String source)
      throws IOException {
    byte[] gray = null;
    if (PngDecoder.isPng(data, length)) {
      gray = workspace.png.decode(data, length, source, size);
    } else if (JpegDecoder.isJpeg(data, length)) {
      gray = workspace.jpeg.decode(data, length, source, size);
    }
    return gray != null ? gray : decodeWithImageIo(data, length, source);
  }

  /** Interlaced PNGs, progressive JPEGs and other formats ImageIO reads. */
  private byte[] decodeWithImageIo(byte[] data, int length, String source) throws IOException {
    BufferedImage image;
    try {
      // ImageIO.read closes the stream.
      image =
          ImageIO.read(new MemoryCacheImageInputStream(new ByteArrayInputStream(data, 0, length)));
    } catch (IOException | RuntimeException e) {
      throw new IOException(source + ": cannot decode image: " + e.getMessage(), e);
    }
    if (image == null) {
      throw new IOException(source + ": not a PNG, JPEG or other image format ImageIO can read");
    }
    return toGraySquare(image);
  }

  /**
   * An already decoded image (e.g. an upload, decoded from memory) to gray at size x size.
   *
   * @return size*size gray bytes, row-major
   */
  public byte[] toGraySquare(BufferedImage image) {
    int width = image.getWidth();
    int height = image.getHeight();
    GrayResampler resampler = new GrayResampler(width, height, size);
    float[] gray = resampler.rowBuffer();
    ColorModel colorModel = image.getColorModel();
    if (colorModel instanceof IndexColorModel) {
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          int rgb = image.getRGB(x, y);
          gray[x] = luminance((rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff);
        }
        resampler.addRow(gray, 0);
      }
      return resampler.result(1f);
    }
    // Gray from the raster itself: BufferedImage.getRGB would push gray images through a
    // linear-to-sRGB conversion and change their values.
    Raster raster = image.getRaster();
    int bits = raster.getSampleModel().getSampleSize(0);
    // NIH's RGBA files carry gray in R=G=B with an opaque alpha, so alpha is ignored.
    boolean color = colorModel.getNumColorComponents() >= 3;
    int[] r = new int[width];
    int[] g = new int[width];
    int[] b = new int[width];
    int max = 0;
    for (int y = 0; y < height; y++) {
      raster.getSamples(0, y, width, 1, 0, r);
      if (color) {
        raster.getSamples(0, y, width, 1, 1, g);
        raster.getSamples(0, y, width, 1, 2, b);
      }
      for (int x = 0; x < width; x++) {
        gray[x] = color ? luminance(r[x], g[x], b[x]) : r[x];
        max = Math.max(max, color ? Math.max(r[x], Math.max(g[x], b[x])) : r[x]);
      }
      resampler.addRow(gray, 0);
    }
    float scale = bits > 8 ? GrayResampler.sixteenBitScale(max, 0) : 255f / ((1 << bits) - 1);
    return resampler.result(scale);
  }

  private static float luminance(float r, float g, float b) {
    return 0.299f * r + 0.587f * g + 0.114f * b;
  }

  /** One thread's decoders and the buffer files are read into. */
  private static final class Workspace {
    final PngDecoder png = new PngDecoder();
    final JpegDecoder jpeg = new JpegDecoder();
    byte[] file = new byte[1 << 20];

    /** Reads the whole file into {@link #file}, growing it as needed; returns its length. */
    int read(Path path) throws IOException {
      try (FileChannel channel = FileChannel.open(path)) {
        long size = channel.size();
        if (size > Integer.MAX_VALUE - 16) {
          throw new IOException(path + ": too large for an image (" + size + " bytes)");
        }
        if (file.length < size) {
          file = new byte[(int) size];
        }
        ByteBuffer buffer = ByteBuffer.wrap(file, 0, (int) size);
        while (buffer.hasRemaining()) {
          if (channel.read(buffer) < 0) {
            throw new EOFException(path + ": file shrank while being read");
          }
        }
        return (int) size;
      }
    }
  }
}
