package org.chexnet.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.chexnet.common.ChexnetException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticChestXray14Test {
  private static final int IMAGES = 300;
  private static final int SIZE = 64;

  @TempDir static Path shared;
  static ChestXray14 data;

  @TempDir Path dir;

  @BeforeAll
  static void writeSynthetic() throws IOException {
    SyntheticChestXray14.write(shared.resolve("synthetic"), IMAGES, SIZE, 11);
    data = ChestXray14.open(shared.resolve("synthetic"));
  }

  @Test
  void sameSeedGivesByteIdenticalFilesAndAnotherSeedDoesNot() throws IOException {
    SyntheticChestXray14.write(dir.resolve("a"), 40, 32, 5);
    SyntheticChestXray14.write(dir.resolve("b"), 40, 32, 5);
    SyntheticChestXray14.write(dir.resolve("c"), 40, 32, 6);
    List<Path> files = relativeFiles(dir.resolve("a"));
    assertEquals(40 + 3, files.size());
    assertEquals(files, relativeFiles(dir.resolve("b")));
    for (Path file : files) {
      assertArrayEquals(
          Files.readAllBytes(dir.resolve("a").resolve(file)),
          Files.readAllBytes(dir.resolve("b").resolve(file)),
          file.toString());
    }
    assertFalse(
        Files.readString(dir.resolve("a/Data_Entry_2017_v2020.csv"))
            .equals(Files.readString(dir.resolve("c/Data_Entry_2017_v2020.csv"))));
    assertFalse(
        Arrays.equals(
            Files.readAllBytes(dir.resolve("a/images/00000001_000.png")),
            Files.readAllBytes(dir.resolve("c/images/00000001_000.png"))));
  }

  @Test
  void followsNihLayoutAndFormats() throws IOException {
    List<String> lines = Files.readAllLines(data.root().resolve("Data_Entry_2017_v2020.csv"));
    assertEquals(
        "Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,"
            + "OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y]",
        lines.get(0));
    assertTrue(
        lines
            .get(1)
            .matches(
                "00000001_000\\.png,[A-Za-z_| ]+,0,1,\\d+,[MF],(PA|AP),\\d+,\\d+,0\\.\\d{3},0\\.\\d{3}"),
        lines.get(1));
    assertEquals(IMAGES, data.entries().size());

    for (DataEntry entry : data.entries()) {
      assertEquals(
          String.format("%08d_%03d.png", entry.patientId(), entry.followUp()), entry.imageIndex());
      assertTrue(entry.followUp() <= 2);
      assertTrue(entry.age() >= 18 && entry.age() < 100);
    }
    BufferedImage image = ImageIO.read(data.imagePath("00000001_000.png").toFile());
    assertEquals(BufferedImage.TYPE_BYTE_GRAY, image.getType());
    assertEquals(SIZE, image.getWidth());
    assertEquals(SIZE, image.getHeight());
  }

  @Test
  void listsArePatientDisjointAndCoverEveryImage() throws IOException {
    List<String> trainVal = Files.readAllLines(data.root().resolve("train_val_list.txt"));
    List<String> test = Files.readAllLines(data.root().resolve("test_list.txt"));
    assertEquals(IMAGES, trainVal.size() + test.size());
    Set<String> trainValPatients =
        trainVal.stream().map(name -> name.substring(0, 8)).collect(Collectors.toSet());
    Set<String> testPatients =
        test.stream().map(name -> name.substring(0, 8)).collect(Collectors.toSet());
    assertTrue(trainValPatients.stream().noneMatch(testPatients::contains));
    double testShare =
        testPatients.size() / (double) (testPatients.size() + trainValPatients.size());
    assertEquals(0.2, testShare, 0.01);
  }

  @Test
  void everyFindingHasPositivesAndNegativesInEverySplit() throws IOException {
    data.officialSplit(0.2, 1)
        .prevalence()
        .forEach(
            (split, prevalence) -> {
              for (Finding finding : Finding.values()) {
                double share = prevalence[finding.ordinal()];
                assertTrue(
                    share > 0 && share < 0.6, split + " " + finding + " prevalence " + share);
              }
            });
  }

  @Test
  void signalOfEachFindingLiesInItsRegion() throws IOException {
    ImageDecoder decoder = new ImageDecoder(SIZE);
    double[][] pixels = new double[IMAGES][];
    for (int i = 0; i < IMAGES; i++) {
      byte[] gray = decoder.decodeGray(data.imagePath(data.entries().get(i).imageIndex()));
      pixels[i] = new double[gray.length];
      for (int p = 0; p < gray.length; p++) {
        pixels[i][p] = gray[p] & 0xff;
      }
    }
    for (Finding finding : Finding.values()) {
      double[] difference = meanPositiveMinusNegative(finding, pixels);
      Rectangle region = SyntheticChestXray14.region(finding, SIZE);
      double inside = 0;
      double outside = 0;
      for (int y = 0; y < SIZE; y++) {
        for (int x = 0; x < SIZE; x++) {
          if (region.contains(x, y)) {
            inside += difference[y * SIZE + x];
          } else {
            outside += Math.abs(difference[y * SIZE + x]);
          }
        }
      }
      inside /= region.width * region.height;
      outside /= SIZE * SIZE - region.width * region.height;
      assertTrue(
          inside > 4 * outside,
          finding + ": mean difference " + inside + " inside its region, " + outside + " outside");
    }
  }

  @Test
  void regionsAreDistinctGridCellsInsideTheImage() {
    Rectangle image = new Rectangle(0, 0, 128, 128);
    for (Finding a : Finding.values()) {
      Rectangle region = SyntheticChestXray14.region(a, 128);
      assertEquals(new Rectangle(region.x, region.y, 32, 32), region);
      assertTrue(image.contains(region));
      for (Finding b : Finding.values()) {
        assertTrue(
            a == b || !region.intersects(SyntheticChestXray14.region(b, 128)),
            a + " overlaps " + b);
      }
    }
  }

  @Test
  void refusesToWriteIntoANonEmptyDirectory() throws IOException {
    Files.writeString(dir.resolve("keep.txt"), "mine");
    ChexnetException e =
        assertThrows(ChexnetException.class, () -> SyntheticChestXray14.write(dir, 20, 32, 1));
    assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
  }

  private static double[] meanPositiveMinusNegative(Finding finding, double[][] pixels) {
    double[] positive = new double[SIZE * SIZE];
    double[] negative = new double[SIZE * SIZE];
    int positives = 0;
    for (int i = 0; i < IMAGES; i++) {
      boolean has = data.entries().get(i).labels()[finding.ordinal()] != 0f;
      positives += has ? 1 : 0;
      double[] sum = has ? positive : negative;
      for (int p = 0; p < sum.length; p++) {
        sum[p] += pixels[i][p];
      }
    }
    double[] difference = new double[SIZE * SIZE];
    for (int p = 0; p < difference.length; p++) {
      difference[p] = positive[p] / positives - negative[p] / (IMAGES - positives);
    }
    return difference;
  }

  private static List<Path> relativeFiles(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).map(root::relativize).sorted().toList();
    }
  }
}
