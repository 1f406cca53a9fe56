package org.chexnet.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageDecoderTest {

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {TestData.GRAY_IMAGE, TestData.OTHER_GRAY_IMAGE, TestData.RGBA_IMAGE})
  void decodesRealNihImagesToSizeBySize(String name) throws IOException {
    byte[] gray = new ImageDecoder(224).decodeGray(TestData.realImage(name));
    assertEquals(224 * 224, gray.length);
    int[] histogram = new int[256];
    for (byte b : gray) {
      histogram[b & 0xff]++;
    }
    long levels = Arrays.stream(histogram).filter(count -> count > 0).count();
    assertTrue(levels > 100, name + " decoded to only " + levels + " gray levels");
  }

  @Test
  void rgbaImageKeepsItsGrayValues() throws IOException {
    Path rgba = TestData.realImage(TestData.RGBA_IMAGE);
    BufferedImage image = ImageIO.read(rgba.toFile());
    assertEquals(4, image.getRaster().getNumBands(), "test resource should be RGBA");
    byte[] gray = new ImageDecoder(1024).decodeGray(rgba);
    Raster raster = image.getRaster();
    for (int[] xy : new int[][] {{0, 0}, {512, 300}, {200, 800}, {1023, 1023}}) {
      int r = raster.getSample(xy[0], xy[1], 0);
      int g = raster.getSample(xy[0], xy[1], 1);
      int b = raster.getSample(xy[0], xy[1], 2);
      int expected = Math.round(0.299f * r + 0.587f * g + 0.114f * b);
      assertEquals(expected, gray[xy[1] * 1024 + xy[0]] & 0xff, "pixel " + Arrays.toString(xy));
    }
  }

  @Test
  void eightBitGrayIsReadWithoutGammaConversion() throws IOException {
    Path png = grayPng(BufferedImage.TYPE_BYTE_GRAY, new int[] {0, 50, 100, 255});
    assertArrayEquals(new byte[] {0, 50, 100, (byte) 255}, new ImageDecoder(2).decodeGray(png));
  }

  @Test
  void sixteenBitGrayScalesToEightBits() throws IOException {
    Path png = grayPng(BufferedImage.TYPE_USHORT_GRAY, new int[] {0, 0x8080, 0x6464, 0xffff});
    BufferedImage written = ImageIO.read(png.toFile());
    assertEquals(16, written.getSampleModel().getSampleSize(0), "test image should be 16-bit");
    assertArrayEquals(
        new byte[] {0, (byte) 128, 100, (byte) 255}, new ImageDecoder(2).decodeGray(png));
  }

  @Test
  void twelveBitsStoredInSixteenAreScaledByTheirRealRangeNotTheirContainer() throws IOException {
    // PadChest's PNGs: 16-bit containers holding 12-bit (or so) DICOM values. Dividing by 65535
    // would leave them in 0..16 of 255; their range is 0..4095.
    Path png = grayPng(BufferedImage.TYPE_USHORT_GRAY, new int[] {0, 4095, 2048, 1000});
    assertEquals(16, ImageIO.read(png.toFile()).getSampleModel().getSampleSize(0));
    assertArrayEquals(
        new byte[] {0, (byte) 255, (byte) 128, (byte) Math.round(1000 * 255f / 4095)},
        new ImageDecoder(2).decodeGray(png));
  }

  @Test
  void syntheticPadChestPngsKeepTheGrayLevelsTheyWereWrittenFrom() throws IOException {
    byte[] gray = new byte[16 * 16];
    for (int i = 0; i < gray.length; i++) {
      gray[i] = (byte) i;
    }
    gray[gray.length - 1] = (byte) 255; // the written image spans the whole 12-bit range
    Path png = dir.resolve("pad.png");
    SyntheticFiles.writePng16(png, gray, 16, 12);
    assertArrayEquals(gray, new ImageDecoder(16).decodeGray(png));
  }

  @Test
  void baselineJpegsDecodeToTheirGrayLevels() throws IOException {
    // CheXpert's and MIMIC-CXR-JPG's images; JPEG is lossy, so within a few levels of the source.
    byte[] gray = new byte[64 * 64];
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        gray[y * 64 + x] = (byte) (40 + 2 * x + y);
      }
    }
    Path jpeg = dir.resolve("view1_frontal.jpg");
    SyntheticFiles.writeJpeg(jpeg, gray, 64);
    assertNull(ImageDecoder.structuralProblem(jpeg));
    byte[] decoded = new ImageDecoder(64).decodeGray(jpeg);
    int worst = 0;
    for (int i = 0; i < gray.length; i++) {
      worst = Math.max(worst, Math.abs((gray[i] & 0xff) - (decoded[i] & 0xff)));
    }
    assertTrue(worst <= 6, "JPEG decoded up to " + worst + " gray levels off");
    byte[] halved = new ImageDecoder(32).decodeGray(jpeg);
    assertEquals(
        ((gray[0] & 0xff) + (gray[1] & 0xff) + (gray[64] & 0xff) + (gray[65] & 0xff)) / 4.0,
        halved[0] & 0xff,
        6);

    byte[] bytes = Files.readAllBytes(jpeg);
    Path cut = Files.write(dir.resolve("cut.jpg"), Arrays.copyOf(bytes, bytes.length - 100));
    assertEquals("truncated JPEG (no end marker)", ImageDecoder.structuralProblem(cut));
  }

  @Test
  void downscalingAveragesTheArea() throws IOException {
    Path real = TestData.realImage(TestData.GRAY_IMAGE);
    byte[] full = new ImageDecoder(1024).decodeGray(real);
    byte[] half = new ImageDecoder(512).decodeGray(real);
    for (int y = 0; y < 512; y += 37) {
      for (int x = 0; x < 512; x += 41) {
        int sum =
            (full[2 * y * 1024 + 2 * x] & 0xff)
                + (full[2 * y * 1024 + 2 * x + 1] & 0xff)
                + (full[(2 * y + 1) * 1024 + 2 * x] & 0xff)
                + (full[(2 * y + 1) * 1024 + 2 * x + 1] & 0xff);
        assertEquals(sum / 4.0, half[y * 512 + x] & 0xff, 0.51, "pixel " + x + "," + y);
      }
    }
  }

  @Test
  void upscalingInterpolatesBetweenPixels() throws IOException {
    Path png = grayPng(BufferedImage.TYPE_BYTE_GRAY, new int[] {0, 200, 0, 200});
    byte[] up = new ImageDecoder(4).decodeGray(png);
    // Columns 0 and 3 keep the source values; the middle ones blend them.
    assertEquals(0, up[0] & 0xff);
    assertEquals(50, up[1] & 0xff);
    assertEquals(150, up[2] & 0xff);
    assertEquals(200, up[3] & 0xff);
  }

  @Test
  void corruptOrMissingFilesAreNamed() throws IOException {
    Path corrupt = dir.resolve("00000001_000.png");
    byte[] real = Files.readAllBytes(TestData.realImage(TestData.GRAY_IMAGE));
    Files.write(corrupt, Arrays.copyOf(real, 2000));
    IOException e = assertThrows(IOException.class, () -> new ImageDecoder(64).decodeGray(corrupt));
    assertTrue(e.getMessage().contains(corrupt.toString()), e.getMessage());

    Path text = Files.writeString(dir.resolve("notes.png"), "not an image");
    IOException notImage =
        assertThrows(IOException.class, () -> new ImageDecoder(64).decodeGray(text));
    assertTrue(notImage.getMessage().contains(text.toString()), notImage.getMessage());

    Path missing = dir.resolve("missing.png");
    NoSuchFileException gone =
        assertThrows(NoSuchFileException.class, () -> new ImageDecoder(64).decodeGray(missing));
    assertTrue(gone.getMessage().contains(missing.toString()), gone.getMessage());
  }

  @Test
  void structuralCheckPassesRealImagesAndFindsTruncatedMissingAndForeignFiles() throws IOException {
    for (String name : new String[] {TestData.GRAY_IMAGE, TestData.RGBA_IMAGE}) {
      assertNull(ImageDecoder.structuralProblem(TestData.realImage(name)), name);
    }
    byte[] real = Files.readAllBytes(TestData.realImage(TestData.GRAY_IMAGE));
    Path truncated = Files.write(dir.resolve("cut.png"), Arrays.copyOf(real, real.length - 1));
    assertEquals("truncated PNG (no end chunk)", ImageDecoder.structuralProblem(truncated));
    Path text = Files.writeString(dir.resolve("text.png"), "not an image, but long enough");
    assertEquals(
        "not a PNG or JPEG file (no PNG signature and header, no JPEG start marker)",
        ImageDecoder.structuralProblem(text));
    Path empty = Files.write(dir.resolve("empty.png"), new byte[0]);
    assertEquals("not a PNG or JPEG file (0 bytes)", ImageDecoder.structuralProblem(empty));
    assertEquals("image not found", ImageDecoder.structuralProblem(dir.resolve("gone.png")));
  }

  /** A 2x2 gray PNG with the given samples, row-major. */
  private Path grayPng(int type, int[] samples) throws IOException {
    BufferedImage image = new BufferedImage(2, 2, type);
    image.getRaster().setPixels(0, 0, 2, 2, samples);
    Path png = Files.createTempFile(dir, "gray", ".png");
    assertTrue(ImageIO.write(image, "png", png.toFile()));
    return png;
  }
}
