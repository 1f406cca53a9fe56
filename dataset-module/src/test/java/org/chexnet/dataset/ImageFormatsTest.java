package org.chexnet.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The PNG and JPEG decoders against the JDK's ImageIO: every PNG colour type and bit depth decoded
 * at full size equals ImageIO's samples (as gray); real NIH images and JPEGs at the training size
 * match an exact area average (in double precision, computed here) of ImageIO's full decode.
 */
class ImageFormatsTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(
      ints = {
        BufferedImage.TYPE_BYTE_GRAY,
        BufferedImage.TYPE_USHORT_GRAY,
        BufferedImage.TYPE_3BYTE_BGR,
        BufferedImage.TYPE_4BYTE_ABGR,
        BufferedImage.TYPE_BYTE_BINARY,
        BufferedImage.TYPE_BYTE_INDEXED
      })
  void everyPngKindDecodesToImageIosSamples(int type) throws IOException {
    BufferedImage image = noise(type, 37, 23);
    for (boolean interlaced : new boolean[] {false, true}) {
      Path png = write(image, "png", interlaced, dir.resolve(type + "-" + interlaced + ".png"));
      BufferedImage read = ImageIO.read(png.toFile());
      byte[] gray = new ImageDecoder(37).decodeGray(png);
      // Same width: the columns are identity; rows are stretched from 23 to 37 (bilinear).
      double[][] expected = resize(grayOf(read), 37);
      assertClose(expected, gray, 0.5001, 0.3, type + (interlaced ? " interlaced" : ""));
    }
  }

  @Test
  void sixteenBitGrayIsScaledByItsRealRange() throws IOException {
    // Full range: divided by 65535.
    assertArrayEquals(
        new byte[] {0, (byte) 128, 100, (byte) 255},
        new ImageDecoder(2).decodeGray(gray16(new int[] {0, 0x8080, 0x6464, 0xffff}, 0)));
    // 12-bit values stored unscaled (largest 4095): divided by 4095, not crushed into 16 levels.
    assertArrayEquals(
        new byte[] {0, (byte) 128, 100, (byte) 255},
        new ImageDecoder(2).decodeGray(gray16(new int[] {0, 2056, 1606, 4095}, 0)));
    // An sBIT chunk declaring 12 bits decides even when the image does not reach 4095.
    assertArrayEquals(
        new byte[] {0, 64, 50, (byte) 128},
        new ImageDecoder(2).decodeGray(gray16(new int[] {0, 1028, 803, 2056}, 12)));
    // An sBIT the samples exceed (a writer that scaled them up, as the PNG spec asks) is ignored.
    assertArrayEquals(
        new byte[] {0, (byte) 128, 100, (byte) 255},
        new ImageDecoder(2).decodeGray(gray16(new int[] {0, 0x8080, 0x6464, 0xffff}, 12)));
  }

  @ParameterizedTest
  @ValueSource(strings = {TestData.GRAY_IMAGE, TestData.OTHER_GRAY_IMAGE, TestData.RGBA_IMAGE})
  void realNihImagesMatchAnExactAreaAverage(String name) throws IOException {
    Path png = TestData.realImage(name);
    double[][] expected = resize(grayOf(ImageIO.read(png.toFile())), 224);
    assertClose(expected, new ImageDecoder(224).decodeGray(png), 0.5001, 0.3, name);
  }

  /**
   * JPEGs decoded at 1/8, 1/4 and 1/2 scale in the DCT domain (and at full scale) against a full
   * decode averaged exactly: block means are exact, so what differs is the clamping of the full
   * decode's ringing at sharp edges and the second averaging from block means to the target.
   */
  @ParameterizedTest
  @ValueSource(ints = {56, 100, 224, 300, 600})
  void jpegDecodedAtReducedScaleMatchesAFullDecodeAveraged(int size) throws IOException {
    BufferedImage gray = ImageIO.read(TestData.realImage(TestData.GRAY_IMAGE).toFile());
    Path jpeg = write(gray, "jpg", false, dir.resolve("gray.jpg"));
    double[][] expected = resize(grayOf(ImageIO.read(jpeg.toFile())), size);
    assertClose(expected, new ImageDecoder(size).decodeGray(jpeg), 80, 0.8, "size " + size);
  }

  @Test
  void colourJpegsGiveTheirLumaAndProgressiveOnesDecodeToo() throws IOException {
    BufferedImage rgba = ImageIO.read(TestData.realImage(TestData.RGBA_IMAGE).toFile());
    BufferedImage rgb = new BufferedImage(1024, 1024, BufferedImage.TYPE_3BYTE_BGR);
    rgb.getGraphics().drawImage(rgba, 0, 0, null);
    for (boolean progressive : new boolean[] {false, true}) {
      Path jpeg = write(rgb, "jpg", progressive, dir.resolve(progressive + ".jpg"));
      double[][] expected = resize(grayOf(ImageIO.read(jpeg.toFile())), 224);
      assertClose(expected, new ImageDecoder(224).decodeGray(jpeg), 80, 0.8, "rgb " + progressive);
    }
  }

  @Test
  void jpegsWithRestartMarkersDecode() throws IOException {
    BufferedImage gray = ImageIO.read(TestData.realImage(TestData.OTHER_GRAY_IMAGE).toFile());
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpg").next();
    ImageWriteParam param = writer.getDefaultWriteParam();
    IIOMetadata metadata = writer.getDefaultImageMetadata(new ImageTypeSpecifier(gray), param);
    String format = "javax_imageio_jpeg_image_1.0";
    IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree(format);
    IIOMetadataNode markers = (IIOMetadataNode) root.getElementsByTagName("markerSequence").item(0);
    IIOMetadataNode restart = new IIOMetadataNode("dri");
    restart.setAttribute("interval", "7");
    markers.insertBefore(restart, markers.getFirstChild());
    metadata.setFromTree(format, root);
    Path jpeg = dir.resolve("restarts.jpg");
    try (ImageOutputStream out = ImageIO.createImageOutputStream(jpeg.toFile())) {
      writer.setOutput(out);
      writer.write(null, new IIOImage(gray, null, metadata), param);
    } finally {
      writer.dispose();
    }
    byte[] bytes = Files.readAllBytes(jpeg);
    int restarts = 0;
    for (int i = 0; i + 1 < bytes.length; i++) {
      restarts += bytes[i] == (byte) 0xff && (bytes[i + 1] & 0xf8) == 0xd0 ? 1 : 0;
    }
    assertTrue(restarts > 1000, restarts + " restart markers");
    double[][] expected = resize(grayOf(ImageIO.read(jpeg.toFile())), 224);
    assertClose(expected, new ImageDecoder(224).decodeGray(jpeg), 80, 0.6, "restart markers");
  }

  @Test
  void damagedFilesAreNamed() throws IOException {
    BufferedImage gray = ImageIO.read(TestData.realImage(TestData.GRAY_IMAGE).toFile());
    Path jpeg = write(gray, "jpg", false, dir.resolve("whole.jpg"));
    byte[] bytes = Files.readAllBytes(jpeg);
    Path cut = Files.write(dir.resolve("cut.jpg"), Arrays.copyOf(bytes, bytes.length / 2));
    assertEquals("truncated JPEG (no end marker)", ImageDecoder.structuralProblem(cut));
    IOException truncated =
        assertThrows(IOException.class, () -> new ImageDecoder(64).decodeGray(cut));
    assertTrue(truncated.getMessage().startsWith(cut + ": "), truncated.getMessage());
    assertNull(ImageDecoder.structuralProblem(jpeg));

    byte[] png = Files.readAllBytes(TestData.realImage(TestData.GRAY_IMAGE));
    png[png.length / 2] ^= 0x55; // inside an IDAT chunk: its CRC no longer matches
    Path damaged = Files.write(dir.resolve("damaged.png"), png);
    IOException crc =
        assertThrows(IOException.class, () -> new ImageDecoder(64).decodeGray(damaged));
    assertTrue(
        crc.getMessage().contains(damaged + ": cannot decode PNG: IDAT chunk"), crc.getMessage());
  }

  /** A random image of the given type (gray levels, colours or palette entries). */
  private static BufferedImage noise(int type, int width, int height) {
    BufferedImage image =
        type == BufferedImage.TYPE_BYTE_BINARY
            ? new BufferedImage(
                width,
                height,
                type,
                new IndexColorModel(
                    2,
                    4,
                    new byte[] {0, 90, (byte) 200, (byte) 255},
                    new byte[] {0, 10, 100, (byte) 255},
                    new byte[] {0, (byte) 250, 50, (byte) 255}))
            : new BufferedImage(width, height, type);
    Random random = new Random(type);
    Raster raster = image.getRaster();
    int bands = raster.getNumBands();
    int max = (1 << raster.getSampleModel().getSampleSize(0)) - 1;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        for (int b = 0; b < bands; b++) {
          int value = random.nextInt(max + 1);
          // Opaque alpha keeps the colour (the decoders ignore alpha, as NIH's are opaque).
          image.getRaster().setSample(x, y, b, b == 3 ? max : value);
        }
      }
    }
    return image;
  }

  private static Path write(BufferedImage image, String format, boolean progressive, Path file)
      throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
    ImageWriteParam param = writer.getDefaultWriteParam();
    if (progressive) {
      param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
    }
    if (format.equals("jpg")) {
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(0.95f);
    }
    Files.deleteIfExists(file);
    try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
      writer.setOutput(out);
      writer.write(null, new IIOImage(image, null, null), param);
    } finally {
      writer.dispose();
    }
    return file;
  }

  /** A 2x2 16-bit gray PNG, with an sBIT chunk when {@code significantBits} > 0. */
  private Path gray16(int[] samples, int significantBits) throws IOException {
    BufferedImage image = new BufferedImage(2, 2, BufferedImage.TYPE_USHORT_GRAY);
    image.getRaster().setPixels(0, 0, 2, 2, samples);
    Path png = write(image, "png", false, Files.createTempFile(dir, "gray16", ".png"));
    if (significantBits == 0) {
      return png;
    }
    byte[] bytes = Files.readAllBytes(png);
    int afterHeader = 8 + 8 + 13 + 4;
    ByteBuffer chunk = ByteBuffer.allocate(13);
    chunk.putInt(1).put("sBIT".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    chunk.put((byte) significantBits);
    CRC32 crc = new CRC32();
    crc.update(chunk.array(), 4, 5);
    chunk.putInt((int) crc.getValue());
    byte[] out = new byte[bytes.length + 13];
    System.arraycopy(bytes, 0, out, 0, afterHeader);
    System.arraycopy(chunk.array(), 0, out, afterHeader, 13);
    System.arraycopy(bytes, afterHeader, out, afterHeader + 13, bytes.length - afterHeader);
    return Files.write(png, out);
  }

  /** Gray in [0, 255] from ImageIO's samples: luminance of colour, palette looked up. */
  private static double[][] grayOf(BufferedImage image) {
    int width = image.getWidth();
    int height = image.getHeight();
    double[][] gray = new double[height][width];
    Raster raster = image.getRaster();
    double max = (1 << raster.getSampleModel().getSampleSize(0)) - 1;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        if (image.getColorModel() instanceof IndexColorModel palette) {
          int i = raster.getSample(x, y, 0);
          gray[y][x] =
              0.299 * palette.getRed(i) + 0.587 * palette.getGreen(i) + 0.114 * palette.getBlue(i);
        } else if (raster.getNumBands() >= 3) {
          gray[y][x] =
              (0.299 * raster.getSample(x, y, 0)
                      + 0.587 * raster.getSample(x, y, 1)
                      + 0.114 * raster.getSample(x, y, 2))
                  * 255
                  / max;
        } else {
          gray[y][x] = raster.getSample(x, y, 0) * 255 / max;
        }
      }
    }
    return gray;
  }

  /**
   * Each axis resized on its own: exact area averages when shrinking (the overlap of each source
   * pixel with the output pixel's interval), linear interpolation between pixel centres when
   * growing.
   */
  private static double[][] resize(double[][] src, int size) {
    double[][] rows = new double[src.length][];
    for (int y = 0; y < src.length; y++) {
      rows[y] = resizeLine(src[y], size);
    }
    double[][] out = new double[size][size];
    double[] column = new double[src.length];
    for (int x = 0; x < size; x++) {
      for (int y = 0; y < src.length; y++) {
        column[y] = rows[y][x];
      }
      double[] resized = resizeLine(column, size);
      for (int y = 0; y < size; y++) {
        out[y][x] = resized[y];
      }
    }
    return out;
  }

  private static double[] resizeLine(double[] src, int size) {
    int n = src.length;
    double[] out = new double[size];
    for (int i = 0; i < size; i++) {
      if (size <= n) {
        double start = (double) i * n / size;
        double end = (double) (i + 1) * n / size;
        double sum = 0;
        for (int s = (int) Math.floor(start); s < Math.min(n, Math.ceil(end)); s++) {
          sum += src[s] * (Math.min(end, s + 1) - Math.max(start, s));
        }
        out[i] = sum / (end - start);
      } else {
        double position = Math.max(0, Math.min(n - 1, (i + 0.5) * n / size - 0.5));
        int left = (int) Math.floor(position);
        int right = Math.min(n - 1, left + 1);
        out[i] = src[left] + (src[right] - src[left]) * (position - left);
      }
    }
    return out;
  }

  /** Every pixel within {@code maxDiff} of the reference; the mean within {@code meanDiff}. */
  private static void assertClose(
      double[][] expected, byte[] actual, double maxDiff, double meanDiff, String what) {
    int size = expected.length;
    assertEquals(size * size, actual.length, what);
    double sum = 0;
    double worst = 0;
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        double wanted = Math.max(0, Math.min(255, expected[y][x]));
        double diff = Math.abs(wanted - (actual[y * size + x] & 0xff));
        sum += diff;
        worst = Math.max(worst, diff);
      }
    }
    double mean = sum / (size * size);
    assertTrue(worst <= maxDiff, what + ": max abs difference " + worst);
    assertTrue(mean <= meanDiff, what + ": mean abs difference " + mean);
  }
}
