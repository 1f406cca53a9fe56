package org.chexnet.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheXpertTest {
  static final String HEADER =
      "Path,Sex,Age,Frontal/Lateral,AP/PA,No Finding,Enlarged Cardiomediastinum,Cardiomegaly,"
          + "Lung Opacity,Lung Lesion,Edema,Consolidation,Pneumonia,Atelectasis,Pneumothorax,"
          + "Pleural Effusion,Pleural Other,Fracture,Support Devices";

  // Hand-written rows in CheXpert's layout (not CheXpert's data): 14 codes after AP/PA.
  static final String TRAIN =
      HEADER
          + "\n"
          + "CheXpert-v1.0-small/train/patient00001/study1/view1_frontal.jpg,Female,68,Frontal,AP,"
          + "1.0,,,,,,,,,0.0,,,,1.0\n"
          + "CheXpert-v1.0-small/train/patient00002/study2/view1_frontal.jpg,Male,87,Frontal,PA,"
          + ",,-1.0,1.0,,-1.0,-1.0,,-1.0,,,,1.0,\n"
          + "CheXpert-v1.0-small/train/patient00002/study2/view2_lateral.jpg,Male,87,Lateral,,"
          + ",,-1.0,1.0,,-1.0,-1.0,,-1.0,,,,1.0,\n"
          + "CheXpert-v1.0-small/train/patient00003/study1/view1_frontal.jpg,Unknown,0,Frontal,LL,"
          + ",,,,,,,,,,1.0,,,\n";
  static final String VALID =
      HEADER
          + "\n"
          + "CheXpert-v1.0-small/valid/patient64541/study1/view1_frontal.jpg,Male,73,Frontal,AP,"
          + "0.0,1.0,1.0,1.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0\n";

  @TempDir Path dir;

  static void write(Path file, String text) throws IOException {
    if (file.getFileName().toString().endsWith(".gz")) {
      try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
      }
    } else {
      Files.writeString(file, text);
    }
  }

  private DatasetMetadata read(String train, String valid) throws IOException {
    write(dir.resolve("train.csv"), train);
    write(dir.resolve("valid.csv.gz"), valid);
    return new CheXpert().readMetadata(dir);
  }

  @Test
  void readsEveryRowWithPatientStudyViewSexAgeAndOfficialSplit() throws IOException {
    DatasetMetadata metadata = read(TRAIN, VALID);
    List<ImageRecord> images = metadata.images();
    assertEquals(5, images.size());
    ImageRecord first = images.get(0);
    assertEquals("train/patient00001/study1/view1_frontal.jpg", first.image());
    assertEquals(1, first.patientId());
    assertEquals("patient00001", first.patient());
    assertEquals("patient00001/study1", first.study());
    assertEquals(View.AP, first.view());
    assertEquals(Sex.FEMALE, first.sex());
    assertEquals(68, first.age());
    assertEquals(Split.TRAIN, first.split());
    assertEquals(2, first.line());
    assertEquals(View.PA, images.get(1).view());
    assertEquals(View.LATERAL, images.get(2).view());
    assertEquals(View.OTHER, images.get(3).view());
    assertEquals(Sex.UNKNOWN, images.get(3).sex());
    assertEquals(-1, images.get(3).age(), "CheXpert writes 0 for an unknown age");
    ImageRecord valid = images.get(4);
    assertEquals(Split.VALIDATION, valid.split());
    assertEquals(64541, valid.patientId());
    assertEquals(dir.resolve("valid.csv.gz"), valid.file());
    assertEquals(List.of(dir.resolve("train.csv"), dir.resolve("valid.csv.gz")), metadata.read());
    assertEquals(List.of(), metadata.missing());
  }

  @Test
  void labelCodesBecomeStatesInHeaderOrder() throws IOException {
    List<ImageRecord> images = read(TRAIN, VALID).images();
    LabelState p = LabelState.POSITIVE;
    LabelState n = LabelState.NEGATIVE;
    LabelState u = LabelState.UNCERTAIN;
    LabelState m = LabelState.MISSING;
    assertEquals(List.of(p, m, m, m, m, m, m, m, m, n, m, m, m, p), states(images.get(0)));
    assertEquals(List.of(m, m, u, p, m, u, u, m, u, m, m, m, p, m), states(images.get(1)));
    assertEquals(List.of(n, p, p, p, n, n, n, n, n, n, n, n, n, n), states(images.get(4)));
    assertEquals(CheXpert.FINDINGS, new CheXpert().findings());
  }

  static List<LabelState> states(ImageRecord image) {
    List<LabelState> states = new java.util.ArrayList<>();
    for (int f = 0; f < image.states().length; f++) {
      states.add(image.state(f));
    }
    return states;
  }

  @Test
  void imagesResolveUnderTheDirectoryWithoutTheFolderName() throws IOException {
    write(dir.resolve("train.csv"), TRAIN);
    Dataset data = new CheXpert().open(dir);
    assertEquals(
        dir.resolve("train/patient00001/study1/view1_frontal.jpg"),
        data.imagePath(data.images().get(0).image()));
    assertEquals(CheXpert.NAME, data.name());
    assertEquals(List.of(dir.resolve("train.csv")), data.metadataFiles());
  }

  @Test
  void aMissingValidCsvIsReportedAndNeitherFileIsAnError() throws IOException {
    write(dir.resolve("train.csv"), TRAIN);
    DatasetMetadata metadata = new CheXpert().readMetadata(dir);
    assertEquals(4, metadata.images().size());
    assertEquals(1, metadata.missing().size());
    assertTrue(
        metadata.missing().get(0).startsWith("valid.csv or valid.csv.gz"),
        metadata.missing().toString());
    Files.delete(dir.resolve("train.csv"));
    NoSuchFileException e =
        assertThrows(NoSuchFileException.class, () -> new CheXpert().readMetadata(dir));
    assertTrue(
        e.getMessage().contains("train.csv") && e.getMessage().contains("valid.csv"),
        e.getMessage());
  }

  @Test
  void anUnknownLabelCodeNamesFileLineAndColumn() {
    String bad = TRAIN.replace("87,Lateral,,,,-1.0", "87,Lateral,,,,2.0");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> read(bad, VALID));
    assertEquals(
        dir.resolve("train.csv")
            + ":4: column 'Cardiomegaly': unknown label code '2.0'; expected 1.0, 0.0, -1.0"
            + " (uncertain) or blank",
        e.getMessage());
  }

  @Test
  void aPathOutsideTheDirectoryNamesFileLineAndColumn() {
    for (String path :
        List.of(
            "CheXpert-v1.0-small/train/../../etc/study1/view1_frontal.jpg",
            "/etc/passwd",
            "CheXpert-v1.0-small/train/patient00001/view1_frontal.jpg",
            "view1_frontal.jpg")) {
      String bad =
          TRAIN.replace("CheXpert-v1.0-small/train/patient00003/study1/view1_frontal.jpg", path);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> read(bad, VALID), path);
      assertTrue(
          e.getMessage().startsWith(dir.resolve("train.csv") + ":5: column 'Path': expected"),
          e.getMessage());
      assertTrue(e.getMessage().contains(path), e.getMessage());
    }
  }

  @Test
  void aMissingHeaderColumnIsNamed() {
    String bad = TRAIN.replace(",Pleural Other,", ",Pleural Others,");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> read(bad, VALID));
    assertTrue(
        e.getMessage().startsWith(dir.resolve("train.csv") + ":1: missing column 'Pleural Other'"),
        e.getMessage());
  }

  @Test
  void aRowWithTooFewFieldsNamesItsLine() {
    String bad = TRAIN + "CheXpert-v1.0-small/train/patient00004/study1/view1_frontal.jpg,Male\n";
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> read(bad, VALID));
    assertEquals(dir.resolve("train.csv") + ":6: expected 19 fields, got 2", e.getMessage());
  }

  @Test
  void aPatientInTrainAndValidIsAnErrorNamingBothRows() {
    String bad = VALID.replace("valid/patient64541", "valid/patient00002");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> read(TRAIN, bad));
    assertTrue(e.getMessage().contains("patient00002"), e.getMessage());
    assertTrue(e.getMessage().contains(dir.resolve("train.csv") + ":3"), e.getMessage());
    assertTrue(e.getMessage().contains(dir.resolve("valid.csv.gz") + ":2"), e.getMessage());
  }

  @Test
  void officialSplitIsValidCsvForValidationAndCarvesTestFromTrainByPatient() throws IOException {
    Path root = dir.resolve("synthetic");
    SyntheticCheXpert.write(root, 3000, 200, 0, false, 7);
    Dataset data = new CheXpert().open(root);
    DataSplits splits = data.split(new SplitPlan.Official(0.1), 3, LabelPolicy.DEFAULT, Set.of());
    Set<String> valid = new HashSet<>();
    Set<Integer> trainPatients = new HashSet<>();
    for (ImageRecord image : data.images()) {
      if (image.split() == Split.VALIDATION) {
        valid.add(image.image());
      } else {
        trainPatients.add(image.patientId());
      }
    }
    assertEquals(
        valid, Set.copyOf(splits.validation().stream().map(LabeledImage::imageIndex).toList()));
    Set<Integer> testPatients = patients(splits.test());
    assertEquals(Math.round(0.1 * trainPatients.size()), testPatients.size());
    assertTrue(trainPatients.containsAll(testPatients));
    assertEquals(3200, splits.train().size() + splits.validation().size() + splits.test().size());
    assertEquals(
        splits,
        data.split(new SplitPlan.Official(0.1), 3, LabelPolicy.DEFAULT, Set.of()),
        "seeded");
  }

  @Test
  void viewFilterKeepsTheSplitOfEveryPatient() throws IOException {
    Path root = dir.resolve("synthetic");
    SyntheticCheXpert.write(root, 2000, 100, 0, true, 8);
    Dataset data = new CheXpert().open(root);
    SplitPlan plan = new SplitPlan.PatientRandom(0.7, 0.1, 0.2);
    DataSplits all = data.split(plan, 5, LabelPolicy.DEFAULT, Set.of());
    DataSplits frontal = data.split(plan, 5, LabelPolicy.DEFAULT, Set.of(View.PA, View.AP));
    assertTrue(patients(all.test()).containsAll(patients(frontal.test())));
    assertTrue(patients(all.train()).containsAll(patients(frontal.train())));
    assertTrue(frontal.train().size() < all.train().size());
    assertTrue(frontal.train().stream().allMatch(i -> i.imageIndex().endsWith("_frontal.jpg")));
  }

  static Set<Integer> patients(List<LabeledImage> images) {
    Set<Integer> patients = new HashSet<>();
    images.forEach(i -> patients.add(i.patientId()));
    return patients;
  }

  @Test
  void policiesTurnUncertainAndMissingIntoLabelsOrMasks() throws IOException {
    ImageRecord image = read(TRAIN, VALID).images().get(1); // m m u p m u u m u m m m p m
    List<String> findings = CheXpert.FINDINGS;
    LabeledImage ignore = LabelPolicy.DEFAULT.labeler(findings).label(image);
    assertArrayEquals(new float[] {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0}, ignore.labels());
    assertArrayEquals(new float[] {1, 1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 1, 1}, ignore.mask());

    LabelPolicy onesIgnore =
        new LabelPolicy(LabelPolicy.Uncertain.ONES, LabelPolicy.Missing.IGNORE);
    LabeledImage ones = onesIgnore.labeler(findings).label(image);
    assertArrayEquals(new float[] {0, 0, 1, 1, 0, 1, 1, 0, 1, 0, 0, 0, 1, 0}, ones.labels());
    assertArrayEquals(new float[] {0, 0, 1, 1, 0, 1, 1, 0, 1, 0, 0, 0, 1, 0}, ones.mask());

    LabelPolicy zeros = new LabelPolicy(LabelPolicy.Uncertain.ZEROS, LabelPolicy.Missing.NEGATIVE);
    LabeledImage zero = zeros.labeler(findings).label(image);
    assertArrayEquals(new float[] {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0}, zero.labels());
    assertNull(zero.mask(), "every label known");
  }

  @Test
  void withMissingIgnoredABlankOnANoFindingImageIsNegativeButSupportDevices() throws IOException {
    ImageRecord healthy = read(TRAIN.replace(",,,,1.0\n", ",,,,\n"), VALID).images().get(0);
    LabelPolicy policy = new LabelPolicy(LabelPolicy.Uncertain.IGNORE, LabelPolicy.Missing.IGNORE);
    LabeledImage labeled = policy.labeler(CheXpert.FINDINGS).label(healthy);
    float[] mask = new float[14];
    java.util.Arrays.fill(mask, 1f);
    mask[13] = 0f; // Support Devices: blank, not implied by No Finding
    assertArrayEquals(mask, labeled.mask());
    assertEquals(1f, labeled.labels()[0]);
  }
}
