package org.chexnet.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Splits on NIH's real lists and the CheXNet reproduction's real 70/10/20 lists. */
class SplitsTest {
  @TempDir static Path shared;
  static Path trainValList;
  static Path testList;
  static Map<String, Path> chexnetLists = new LinkedHashMap<>();

  /** The first 300 Data_Entry rows plus one the reproduction's lists label differently. */
  static ChestXray14 data;

  static Map<String, Path> chexnetSubsets = new LinkedHashMap<>();

  @BeforeAll
  static void copyRealLists() throws IOException {
    trainValList = TestData.gunzip("lists/train_val_list.txt.gz", shared);
    testList = TestData.gunzip("lists/test_list.txt.gz", shared);
    for (String split : List.of("train", "val", "test")) {
      Path dir = Files.createDirectories(shared.resolve("chexnet-" + split));
      chexnetLists.put(split, TestData.gunzip("chexnet-split/" + split + "_list.txt.gz", dir));
    }

    Path root = Files.createDirectories(shared.resolve("real"));
    Files.createDirectories(root.resolve("images"));
    List<String> csv = new ArrayList<>(Files.readAllLines(TestData.resource(TestData.CSV)));
    csv.add(
        Files.readAllLines(TestData.resource("Data_Entry_2017_v2020.pneumonia-relabelled.csv"))
            .get(1));
    Files.write(root.resolve(ChestXray14.DATA_ENTRY_CSV), csv);
    Set<String> names =
        csv.stream().skip(1).map(line -> line.split(",")[0]).collect(Collectors.toSet());
    // NIH's and the reproduction's real lists, cut to the images that have rows here.
    writeSubset(trainValList, names, root.resolve(ChestXray14.TRAIN_VAL_LIST));
    writeSubset(testList, names, root.resolve(ChestXray14.TEST_LIST));
    for (Map.Entry<String, Path> list : chexnetLists.entrySet()) {
      Path subset = shared.resolve("subset-" + list.getKey() + ".txt");
      writeSubset(list.getValue(), names, subset);
      chexnetSubsets.put(list.getKey(), subset);
    }
    data = ChestXray14.open(root);
  }

  private static void writeSubset(Path list, Set<String> names, Path target) throws IOException {
    Files.write(
        target,
        Files.readAllLines(list).stream()
            .filter(line -> names.contains(line.split(" ")[0]))
            .toList());
  }

  @Test
  void officialListsHaveNihSizesAndNoSharedPatient() throws IOException {
    List<ListedImage> trainVal = ImageLists.read(trainValList);
    List<ListedImage> test = ImageLists.read(testList);
    assertEquals(86_524, trainVal.size());
    assertEquals(25_596, test.size());
    assertTrue(trainVal.stream().allMatch(i -> i.labels() == null));
    ImageLists.requirePatientDisjoint(Map.of("train_val", trainVal, "test", test));
  }

  @Test
  void chexnetReproductionListsAreLabelledCompleteAndPatientDisjoint() throws IOException {
    Map<String, List<ListedImage>> lists = new LinkedHashMap<>();
    for (Map.Entry<String, Path> list : chexnetLists.entrySet()) {
      lists.put(list.getKey(), ImageLists.read(list.getValue()));
    }
    assertEquals(78_468, lists.get("train").size());
    assertEquals(11_219, lists.get("val").size());
    assertEquals(22_433, lists.get("test").size());
    Set<String> all = new HashSet<>();
    lists.values().forEach(l -> l.forEach(i -> all.add(i.imageIndex())));
    assertEquals(112_120, all.size());
    ImageLists.requirePatientDisjoint(lists);
    // "00023313_000.png 1 0 0 ...": Atelectasis only.
    ListedImage second = lists.get("train").get(1);
    assertEquals("00023313_000.png", second.imageIndex());
    assertEquals(23313, second.patientId());
    assertEquals("Atelectasis", Labels.describe(second.labels()));
  }

  @Test
  void listsSharingAPatientFailNamingThePatientFilesAndLines() throws IOException {
    Path train =
        Files.write(shared.resolve("t.txt"), List.of("00000001_000.png", "00000002_000.png"));
    Path val = Files.write(shared.resolve("v.txt"), List.of("00000003_000.png"));
    Path test =
        Files.write(shared.resolve("s.txt"), List.of("00000004_000.png", "00000002_001.png"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> data.listSplit(train, val, test, SplitPlan.LabelSource.DATA_ENTRY));
    assertEquals(
        "patient 2 is in both train ("
            + train
            + ":2: 00000002_000.png) and test ("
            + test
            + ":2: 00000002_001.png); a patient in two splits leaks into the scores",
        e.getMessage());
  }

  @Test
  void malformedListLinesNameFileAndLine() throws IOException {
    Path bad = Files.write(shared.resolve("bad.txt"), List.of("00000001_000.png 0 1 2"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> ImageLists.read(bad))
            .getMessage()
            .startsWith(bad + ":1: expected an image name, optionally followed by 14 labels"));
    Path label =
        Files.write(
            shared.resolve("label.txt"), List.of("00000001_000.png 0 0 0 0 0 0 2 0 0 0 0 0 0 0"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> ImageLists.read(label))
            .getMessage()
            .contains(":1: label 7 (Pneumonia) must be 0 or 1, got '2'"));
    Path name = Files.write(shared.resolve("name.txt"), List.of("x.png"));
    assertThrows(IllegalArgumentException.class, () -> ImageLists.read(name));
  }

  @Test
  void listSplitUsesDataEntryLabelsOrTheListsAndReportsDisagreement() throws IOException {
    Path train = chexnetSubsets.get("train");
    Path val = chexnetSubsets.get("val");
    Path test = chexnetSubsets.get("test");
    DataSplits fromDataEntry = data.listSplit(train, val, test, SplitPlan.LabelSource.DATA_ENTRY);
    DataSplits fromLists = data.listSplit(train, val, test, SplitPlan.LabelSource.LIST);
    assertEquals(data.entries().size(), fromDataEntry.imageIndexes().size());

    // v2020 added Pneumonia to 00000193_019.png; the reproduction's lists (2017 labels) lack it.
    assertEquals("Pneumonia", Labels.describe(find(fromDataEntry, "00000193_019.png").labels()));
    assertEquals("No Finding", Labels.describe(find(fromLists, "00000193_019.png").labels()));
    List<ListedImage> listed = new ArrayList<>();
    for (Path list : List.of(train, val, test)) {
      listed.addAll(ImageLists.read(list));
    }
    ImageLists.LabelCheck check = data.compareLabels(listed);
    assertEquals(data.entries().size(), check.compared());
    assertEquals(1, check.disagreeing());
    assertTrue(
        check
            .examples()
            .get(0)
            .endsWith(
                "00000193_019.png: list says No Finding, Data_Entry_2017_v2020.csv says Pneumonia"),
        check.examples().toString());
  }

  @Test
  void listImagesWithoutDataEntryRowsAreNamed() throws IOException {
    Path train = Files.write(shared.resolve("unknown.txt"), List.of("99999999_000.png"));
    Path empty = Files.write(shared.resolve("empty.txt"), List.of());
    assertEquals(
        train + ":1: image 99999999_000.png has no row in Data_Entry_2017_v2020.csv",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    data.split(
                        new SplitPlan.Lists(train, empty, empty, SplitPlan.LabelSource.LIST), 1))
            .getMessage());
  }

  @Test
  void officialSplitOnRealRowsKeepsNihTestList() throws IOException {
    DataSplits splits = data.split(new SplitPlan.Official(0.2), 5);
    assertEquals(
        Files.readAllLines(data.root().resolve(ChestXray14.TEST_LIST)), names(splits.test()));
    assertEquals(data.entries().size(), splits.imageIndexes().size());
  }

  @Test
  void patientRandomSplitIsDisjointCompleteSeededAndChecksFractions() throws IOException {
    DataSplits a = data.split(new SplitPlan.PatientRandom(0.7, 0.1, 0.2), 9);
    assertEquals(a, data.split(new SplitPlan.PatientRandom(0.7, 0.1, 0.2), 9));
    assertEquals(data.entries().size(), a.imageIndexes().size());
    long patients = data.entries().stream().mapToInt(DataEntry::patientId).distinct().count();
    assertEquals(Math.round(0.2 * patients), patients(a.test()).size());
    assertEquals(Math.round(0.1 * patients), patients(a.validation()).size());
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> data.split(new SplitPlan.PatientRandom(0.7, 0.2, 0.2), 9))
            .getMessage()
            .contains("sum to 1"));
  }

  @Test
  void viewPositionFilterKeepsOnlyThoseViews() throws IOException {
    DataSplits pa =
        data.filterViewPositions(data.split(new SplitPlan.Official(0.2), 5), Set.of("pa"));
    assertTrue(pa.imageIndexes().size() > 0);
    assertTrue(
        pa.imageIndexes().stream()
            .allMatch(i -> data.entry(i).orElseThrow().viewPosition().equals("PA")));
    assertEquals(
        data.entries().stream().filter(e -> e.viewPosition().equals("PA")).count(),
        pa.imageIndexes().size());
  }

  @Test
  void subsampleKeepsPatientsWholeAndEveryLabelPresent() throws IOException {
    DataSplits full = data.split(new SplitPlan.PatientRandom(0.6, 0.2, 0.2), 3);
    DataSplits sub = full.subsample(0.1, 11);
    assertEquals(sub, full.subsample(0.1, 11));
    for (String split : full.byName().keySet()) {
      List<LabeledImage> all = full.byName().get(split);
      List<LabeledImage> kept = sub.byName().get(split);
      assertTrue(kept.size() >= Math.round(0.1 * all.size()), split);
      assertTrue(kept.size() < all.size(), split);
      for (int f = 0; f < Finding.COUNT; f++) {
        assertEquals(
            full.prevalence().get(split)[f] > 0,
            sub.prevalence().get(split)[f] > 0,
            split + " " + f);
      }
      Set<Integer> keptPatients = patients(kept);
      assertEquals(
          all.stream().filter(i -> keptPatients.contains(i.patientId())).count(),
          kept.size(),
          split);
    }
    assertThrows(IllegalArgumentException.class, () -> full.subsample(0, 1));
  }

  @Test
  void prevalenceTableShowsEveryFindingAndTheSizes() throws IOException {
    DataSplits splits = data.split(new SplitPlan.Official(0.2), 5);
    String table = splits.prevalenceTable(Finding.labels());
    List<String> lines = table.lines().toList();
    assertEquals(1 + Finding.COUNT + 2, lines.size(), table);
    assertTrue(lines.get(0).matches("finding\\s+train\\s+validation\\s+test"), lines.get(0));
    assertTrue(lines.get(1).startsWith("Atelectasis "), table);
    String images = lines.get(Finding.COUNT + 1);
    assertEquals(
        List.of(
            "images",
            "" + splits.train().size(),
            "" + splits.validation().size(),
            "" + splits.test().size()),
        List.of(images.trim().split("\\s+")));
    long hernia =
        splits.train().stream().filter(i -> i.labels()[Finding.HERNIA.ordinal()] != 0).count();
    assertTrue(lines.get(Finding.COUNT).trim().startsWith("Hernia "), table);
    assertEquals(String.valueOf(hernia), lines.get(Finding.COUNT).trim().split("\\s+")[1]);
  }

  private static LabeledImage find(DataSplits splits, String name) {
    return splits.byName().values().stream()
        .flatMap(List::stream)
        .filter(i -> i.imageIndex().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static List<String> names(List<LabeledImage> images) {
    return images.stream().map(LabeledImage::imageIndex).toList();
  }

  private static Set<Integer> patients(List<LabeledImage> images) {
    return images.stream().map(LabeledImage::patientId).collect(Collectors.toSet());
  }
}
