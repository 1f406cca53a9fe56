package org.chexnet.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;
import org.chexnet.common.ChexnetException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticDatasetsTest {
  @TempDir Path dir;

  static String firstLine(Path file) throws IOException {
    var in = Files.newInputStream(file);
    var stream = file.toString().endsWith(".gz") ? new GZIPInputStream(in) : in;
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
      return reader.readLine();
    }
  }

  @Test
  void cheXpertHasItsFilesHeaderAndJpegs() throws IOException {
    Path root = dir.resolve("chexpert");
    SyntheticCheXpert.write(root, 30, 6, 32, false, 1);
    assertEquals(CheXpertTest.HEADER, firstLine(root.resolve("train.csv")));
    assertEquals(CheXpertTest.HEADER, firstLine(root.resolve("valid.csv")));
    Dataset data = new CheXpert().open(root);
    assertEquals(36, data.images().size());
    assertTrue(
        Files.readString(root.resolve("train.csv"))
            .contains("\nCheXpert-v1.0-small/train/patient00001/study1/view1_frontal.jpg,"));
    for (ImageRecord image : data.images()) {
      BufferedImage jpeg = ImageIO.read(data.imagePath(image.image()).toFile());
      assertEquals(32, jpeg.getWidth(), image.image());
    }
  }

  @Test
  void mimicHasItsFilesAndHeadersGzipped() throws IOException {
    Path root = dir.resolve("mimic");
    SyntheticMimicCxrJpg.write(root, 40, 32, true, 2);
    assertEquals(
        MimicCxrJpgTest.LABELS_HEADER, firstLine(root.resolve("mimic-cxr-2.0.0-chexpert.csv.gz")));
    assertEquals(
        MimicCxrJpgTest.METADATA_HEADER,
        firstLine(root.resolve("mimic-cxr-2.0.0-metadata.csv.gz")));
    assertEquals(
        "dicom_id,study_id,subject_id,split",
        firstLine(root.resolve("mimic-cxr-2.0.0-split.csv.gz")));
    Dataset data = new MimicCxrJpg().open(root);
    assertEquals(40, data.images().size());
    for (ImageRecord image : data.images()) {
      assertTrue(
          image.image().matches("files/p1\\d/p1\\d{7}/s5\\d{7}/[0-9a-f]{8}(-[0-9a-f]{8}){4}\\.jpg"),
          image.image());
      assertEquals(32, ImageIO.read(data.imagePath(image.image()).toFile()).getHeight());
    }
  }

  @Test
  void padChestWritesSixteenBitPngsUsingTwelveBits() throws IOException {
    Path root = dir.resolve("padchest");
    SyntheticPadChest.write(root, 30, 32, false, 3);
    assertEquals(String.join(",", SyntheticPadChest.HEADER), firstLine(root.resolve(PadChest.CSV)));
    Dataset data = new PadChest().open(root);
    for (ImageRecord image : data.images()) {
      BufferedImage png = ImageIO.read(data.imagePath(image.image()).toFile());
      assertEquals(BufferedImage.TYPE_USHORT_GRAY, png.getType(), image.image());
      int max = 0;
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          max = Math.max(max, png.getRaster().getSample(x, y, 0));
        }
      }
      assertTrue(max > 255 && max <= 4095, image.image() + ": max " + max);
    }
  }

  @Test
  void theSameSeedWritesTheSameFilesAndANonEmptyDirectoryIsRefused() throws IOException {
    SyntheticMimicCxrJpg.write(dir.resolve("a"), 300, 0, false, 9);
    SyntheticMimicCxrJpg.write(dir.resolve("b"), 300, 0, false, 9);
    for (String file :
        List.of(MimicCxrJpg.CHEXPERT_CSV, MimicCxrJpg.METADATA_CSV, MimicCxrJpg.SPLIT_CSV)) {
      assertArrayEquals(
          Files.readAllBytes(dir.resolve("a").resolve(file)),
          Files.readAllBytes(dir.resolve("b").resolve(file)),
          file);
    }
    ChexnetException e =
        assertThrows(
            ChexnetException.class,
            () -> SyntheticPadChest.write(dir.resolve("a"), 10, 0, false, 1));
    assertTrue(e.getMessage().contains("not empty"), e.getMessage());
  }
}
