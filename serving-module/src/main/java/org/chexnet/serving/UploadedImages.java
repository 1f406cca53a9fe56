package org.chexnet.serving;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.SampleModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes an uploaded PNG or JPEG from memory (never through a file: ImageIO's file-backed stream
 * cache is bypassed) in two steps: {@link #open} reads the header (PNG IHDR, JPEG SOF) and refuses
 * other formats and dimensions absurd for a chest X-ray, and tells how many bytes the decoded
 * pixels will take; {@link Header#decode} then decodes them, once the caller has the memory.
 */
public final class UploadedImages {
  /** Accepted ImageIO format names. */
  static final Set<String> FORMATS = Set.of("png", "jpeg");

  /** NIH's images are 1024 px; the largest digital radiographs are about 4300 px. */
  static final int MAX_SIDE = 8192;

  /** Smaller than any model input that makes sense: a tiny upload is not an X-ray. */
  static final int MIN_SIDE = 16;

  private UploadedImages() {}

  /** An upload whose header was read and accepted; its pixels are not decoded yet. */
  public static final class Header implements AutoCloseable {
    private final ImageInputStream input;
    private final ImageReader reader;
    private final String format;
    private final int width;
    private final int height;
    private final long decodedBytes;

    private Header(
        ImageInputStream input,
        ImageReader reader,
        String format,
        int width,
        int height,
        long decodedBytes) {
      this.input = input;
      this.reader = reader;
      this.format = format;
      this.width = width;
      this.height = height;
      this.decodedBytes = decodedBytes;
    }

    public int width() {
      return width;
    }

    public int height() {
      return height;
    }

    /** The decoded image's raster: width x height x samples per pixel x bytes per sample. */
    public long decodedBytes() {
      return decodedBytes;
    }

    /** "the 8192 x 8192 png image", for messages. */
    public String describe() {
      return "the " + width + " x " + height + " " + format + " image";
    }

    /**
     * @throws ApiException 400 when the pixels cannot be decoded (damaged or truncated)
     */
    public BufferedImage decode() {
      try {
        BufferedImage image = reader.read(0);
        if (image == null) {
          throw new ApiException(400, "the " + format + " image could not be decoded");
        }
        return image;
      } catch (IOException | RuntimeException e) {
        throw undecodable(e);
      }
    }

    @Override
    public void close() {
      reader.dispose();
      try {
        input.close();
      } catch (IOException e) {
        // A memory stream: nothing to release.
      }
    }
  }

  /**
   * Reads the header only. The caller closes the result.
   *
   * @throws ApiException 400 (empty or not an image), 415 (another format) or 422 (dimensions)
   */
  public static Header open(byte[] bytes) {
    if (bytes.length == 0) {
      throw new ApiException(400, "the upload is empty: send a PNG or JPEG chest X-ray");
    }
    ImageInputStream input = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes));
    ImageReader reader = null;
    try {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(input);
      if (!readers.hasNext()) {
        throw new ApiException(400, "the upload is not an image: send a PNG or JPEG chest X-ray");
      }
      reader = readers.next();
      String format = reader.getFormatName().toLowerCase(Locale.ROOT);
      if (!FORMATS.contains(format)) {
        throw new ApiException(
            415, "the upload is a " + format + " image: send a PNG or JPEG chest X-ray");
      }
      reader.setInput(input, true, true);
      int width = reader.getWidth(0);
      int height = reader.getHeight(0);
      if (width < MIN_SIDE || height < MIN_SIDE || width > MAX_SIDE || height > MAX_SIDE) {
        throw new ApiException(
            422,
            "the image is "
                + width
                + " x "
                + height
                + " pixels: a chest X-ray must be between "
                + MIN_SIDE
                + " and "
                + MAX_SIDE
                + " pixels on each side");
      }
      long decodedBytes = (long) width * height * bytesPerPixel(reader);
      return new Header(input, reader, format, width, height, decodedBytes);
    } catch (IOException | RuntimeException e) {
      if (reader != null) {
        reader.dispose();
      }
      try {
        input.close();
      } catch (IOException ignored) {
        // A memory stream: nothing to release.
      }
      throw e instanceof ApiException api ? api : undecodable(e);
    }
  }

  /**
   * Bytes per pixel of the raster the reader will decode into, from the header: samples per pixel
   * times the bytes of its sample type (a 16-bit RGBA PNG: 4 x 2; an 8-bit gray one: 1).
   */
  private static int bytesPerPixel(ImageReader reader) throws IOException {
    ImageTypeSpecifier type = reader.getRawImageType(0);
    if (type == null) {
      Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
      if (!types.hasNext()) {
        throw new IOException("no image type in the header");
      }
      type = types.next();
    }
    SampleModel pixel = type.getSampleModel(1, 1);
    int bits = pixel.getNumDataElements() * DataBuffer.getDataTypeSize(pixel.getDataType());
    return Math.max(1, (bits + 7) / 8);
  }

  private static ApiException undecodable(Exception e) {
    return new ApiException(
        400, "the image could not be decoded (damaged or truncated?): " + e.getMessage());
  }
}
