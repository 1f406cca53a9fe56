package org.chexnet.serving;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes an uploaded PNG or JPEG from memory (never through a file: ImageIO's file-backed stream
 * cache is bypassed), refusing anything else before the pixels are decoded: other formats, and
 * dimensions read from the header that are absurd for a chest X-ray (or a decompression bomb).
 */
public final class UploadedImages {
  /** Accepted ImageIO format names. */
  static final Set<String> FORMATS = Set.of("png", "jpeg");

  /** NIH's images are 1024 px; the largest digital radiographs are about 4300 px. */
  static final int MAX_SIDE = 8192;

  /** Smaller than any model input that makes sense: a tiny upload is not an X-ray. */
  static final int MIN_SIDE = 16;

  private UploadedImages() {}

  /**
   * @throws ApiException 400 (empty or undecodable), 415 (another format) or 422 (dimensions)
   */
  public static BufferedImage decode(byte[] bytes) {
    if (bytes.length == 0) {
      throw new ApiException(400, "the upload is empty: send a PNG or JPEG chest X-ray");
    }
    try (ImageInputStream input =
        new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(input);
      if (!readers.hasNext()) {
        throw new ApiException(400, "the upload is not an image: send a PNG or JPEG chest X-ray");
      }
      ImageReader reader = readers.next();
      try {
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
        BufferedImage image = reader.read(0);
        if (image == null) {
          throw new ApiException(400, "the " + format + " image could not be decoded");
        }
        return image;
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof ApiException api) {
        throw api;
      }
      throw new ApiException(
          400, "the image could not be decoded (damaged or truncated?): " + e.getMessage());
    }
  }
}
