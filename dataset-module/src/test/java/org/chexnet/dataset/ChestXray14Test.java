package org.chexnet.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChestXray14Test {
  private static final int IMAGES = 300;

  @TempDir static Path shared;
  static ChestXray14 data;

  @TempDir Path dir;

  @BeforeAll
  static void writeSynthetic() throws IOException {
    SyntheticChestXray14.write(shared.resolve("synthetic"), IMAGES, 32, 7);
    data = ChestXray14.open(shared.resolve("synthetic"));
  }

  @Test
  void opensTheLayoutAndResolvesImages() {
    assertEquals(IMAGES, data.entries().size());
    assertEquals(
        data.root().resolve("images").resolve("00000001_000.png"),
        data.imagePath("00000001_000.png"));
    assertEquals(
        List.of("Data_Entry_2017_v2020.csv", "train_val_list.txt", "test_list.txt"),
        data.metadataFiles().stream().map(p -> p.getFileName().toString()).toList());
    assertEquals(1, data.entry("00000001_000.png").orElseThrow().patientId());
    assertThrows(IllegalArgumentException.class, () -> data.imagePath("../train_val_list.txt"));
  }

  @Test
  void officialSplitIsPatientDisjointCompleteAndSeeded() throws IOException {
    DataSplits splits = data.officialSplit(0.25, 3);
    List<String> trainValList = Files.readAllLines(data.root().resolve("train_val_list.txt"));
    List<String> testList = Files.readAllLines(data.root().resolve("test_list.txt"));

    assertEquals(trainValList.size(), splits.train().size() + splits.validation().size());
    assertEquals(testList, splits.test().stream().map(LabeledImage::imageIndex).toList());
    assertEquals(IMAGES, splits.imageIndexes().size());
    assertEquals(IMAGES, new HashSet<>(splits.imageIndexes()).size());

    Set<Integer> train = patients(splits.train());
    Set<Integer> validation = patients(splits.validation());
    Set<Integer> test = patients(splits.test());
    assertTrue(disjoint(train, validation) && disjoint(train, test) && disjoint(validation, test));
    assertEquals(Math.round(0.25 * (train.size() + validation.size())), validation.size());

    assertEquals(splits, data.officialSplit(0.25, 3));
    assertNotEquals(splits.validation(), data.officialSplit(0.25, 4).validation());
  }

  @Test
  void labelsComeFromDataEntry() throws IOException {
    for (LabeledImage image : data.officialSplit(0.1, 1).train()) {
      DataEntry entry = data.entry(image.imageIndex()).orElseThrow();
      assertEquals(entry.toLabeledImage(), image);
    }
  }

  @Test
  void missingFileIsNamed() throws IOException {
    Path root = copyOfMetadata();
    Files.delete(root.resolve("test_list.txt"));
    NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> ChestXray14.open(root));
    assertTrue(e.getMessage().contains("test_list.txt"), e.getMessage());

    NoSuchFileException noImages =
        assertThrows(NoSuchFileException.class, () -> ChestXray14.open(dir.resolve("nothing")));
    assertTrue(noImages.getMessage().contains("nothing"), noImages.getMessage());
  }

  @Test
  void fallsBackToTheOlderDataEntryFile() throws IOException {
    Path root = copyOfMetadata();
    Files.move(root.resolve("Data_Entry_2017_v2020.csv"), root.resolve("Data_Entry_2017.csv"));
    ChestXray14 old = ChestXray14.open(root);
    assertEquals(IMAGES, old.entries().size());
    assertEquals("Data_Entry_2017.csv", old.metadataFiles().get(0).getFileName().toString());
  }

  @Test
  void listedImageWithoutDataEntryRowNamesListAndLine() throws IOException {
    Path root = copyOfMetadata();
    Path testList = root.resolve("test_list.txt");
    int lines = Files.readAllLines(testList).size();
    Files.writeString(testList, "\n99999999_000.png", StandardOpenOption.APPEND);
    ChestXray14 broken = ChestXray14.open(root);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> broken.officialSplit(0.1, 1));
    assertTrue(e.getMessage().startsWith(testList + ":" + (lines + 1) + ": "), e.getMessage());
    assertTrue(e.getMessage().contains("99999999_000.png"), e.getMessage());
  }

  @Test
  void rejectsAValidationFractionOutsideZeroToOne() {
    assertThrows(IllegalArgumentException.class, () -> data.officialSplit(1.0, 1));
    assertThrows(IllegalArgumentException.class, () -> data.officialSplit(-0.1, 1));
  }

  private Path copyOfMetadata() throws IOException {
    Path root = Files.createDirectories(dir.resolve("copy"));
    Files.createDirectories(root.resolve("images"));
    for (Path file : data.metadataFiles()) {
      Files.copy(file, root.resolve(file.getFileName()));
    }
    return root;
  }

  private static Set<Integer> patients(List<LabeledImage> images) {
    return images.stream().map(LabeledImage::patientId).collect(Collectors.toSet());
  }

  private static boolean disjoint(Set<Integer> a, Set<Integer> b) {
    return a.stream().noneMatch(b::contains);
  }
}
