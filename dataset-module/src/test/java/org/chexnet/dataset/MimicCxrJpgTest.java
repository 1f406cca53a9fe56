package org.chexnet.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MimicCxrJpgTest {
  static final String LABELS_HEADER =
      "subject_id,study_id,Atelectasis,Cardiomegaly,Consolidation,Edema,Enlarged Cardiomediastinum,"
          + "Fracture,Lung Lesion,Lung Opacity,No Finding,Pleural Effusion,Pleural Other,Pneumonia,"
          + "Pneumothorax,Support Devices";
  static final String METADATA_HEADER =
      "dicom_id,subject_id,study_id,PerformedProcedureStepDescription,ViewPosition,Rows,Columns,"
          + "StudyDate,StudyTime,ProcedureCodeSequence_CodeMeaning,ViewCodeSequence_CodeMeaning,"
          + "PatientOrientationCodeSequence_CodeMeaning";

  // Hand-written rows in MIMIC-CXR-JPG's layout (made-up IDs, not MIMIC's data).
  static final String LABELS =
      LABELS_HEADER
          + "\n"
          + "10000001,50000001,,,,,,,,,1.0,,,,,\n"
          + "10000001,50000002,1.0,-1.0,,,,,,1.0,,0.0,,,,1.0\n"
          + "12000002,50000003,,,0.0,,,,,,,1.0,,-1.0,,\n";
  static final String METADATA =
      METADATA_HEADER
          + "\n"
          + "aaaaaaaa-00000001,10000001,50000001,CHEST (PA AND LAT),PA,3056,2544,21800506,213014.531,"
          + "CHEST (PA AND LAT),postero-anterior,Erect\n"
          + "aaaaaaaa-00000002,10000001,50000001,CHEST (PA AND LAT),LATERAL,3056,2544,21800506,"
          + "213014.531,CHEST (PA AND LAT),lateral,Erect\n"
          + "aaaaaaaa-00000003,10000001,50000002,CHEST (PORTABLE AP),AP,2544,3056,21800601,80000,"
          + "CHEST (PORTABLE AP),antero-posterior,\n"
          + "aaaaaaaa-00000004,12000002,50000003,CHEST (PA AND LAT),,3056,2544,21810101,1000,,,\n"
          + "aaaaaaaa-00000005,12000002,50000009,CHEST (PA AND LAT),AP AXIAL,3056,2544,21810101,"
          + "1000,,,\n";
  static final String SPLIT =
      "dicom_id,study_id,subject_id,split\n"
          + "aaaaaaaa-00000001,50000001,10000001,train\n"
          + "aaaaaaaa-00000002,50000001,10000001,train\n"
          + "aaaaaaaa-00000003,50000002,10000001,train\n"
          + "aaaaaaaa-00000004,50000003,12000002,test\n"
          + "aaaaaaaa-00000005,50000009,12000002,test\n";

  @TempDir Path dir;

  private DatasetMetadata read(String labels, String metadata, String split) throws IOException {
    CheXpertTest.write(dir.resolve("mimic-cxr-2.0.0-chexpert.csv.gz"), labels);
    CheXpertTest.write(dir.resolve("mimic-cxr-2.0.0-metadata.csv.gz"), metadata);
    if (split != null) {
      CheXpertTest.write(dir.resolve("mimic-cxr-2.0.0-split.csv"), split);
    }
    return new MimicCxrJpg().readMetadata(dir);
  }

  @Test
  void joinsLabelsPerStudyAndTheSplitPerImage() throws IOException {
    DatasetMetadata metadata = read(LABELS, METADATA, SPLIT);
    List<ImageRecord> images = metadata.images();
    assertEquals(4, images.size(), "the image of a study without labels is left out");
    ImageRecord first = images.get(0);
    assertEquals("files/p10/p10000001/s50000001/aaaaaaaa-00000001.jpg", first.image());
    assertEquals(10000001, first.patientId());
    assertEquals("50000001", first.study());
    assertEquals(View.PA, first.view());
    assertEquals(Split.TRAIN, first.split());
    assertEquals(Sex.UNKNOWN, first.sex());
    assertEquals(-1, first.age());
    assertEquals(View.LATERAL, images.get(1).view());
    assertEquals(View.AP, images.get(2).view());
    assertEquals(View.UNKNOWN, images.get(3).view());
    assertEquals(Split.TEST, images.get(3).split());
    assertEquals("files/p12/p12000002/s50000003/aaaaaaaa-00000004.jpg", images.get(3).image());
    LabelState p = LabelState.POSITIVE;
    LabelState n = LabelState.NEGATIVE;
    LabelState u = LabelState.UNCERTAIN;
    LabelState m = LabelState.MISSING;
    // Both images of study 50000001 share its labels; header order is MIMIC's.
    assertEquals(
        List.of(m, m, m, m, m, m, m, m, p, m, m, m, m, m), CheXpertTest.states(images.get(1)));
    assertEquals(
        List.of(p, u, m, m, m, m, m, p, m, n, m, m, m, p), CheXpertTest.states(images.get(2)));
    assertEquals(
        List.of(m, m, n, m, m, m, m, m, m, p, m, u, m, m), CheXpertTest.states(images.get(3)));
    assertEquals(
        List.of(
            "1 images of mimic-cxr-2.0.0-metadata.csv.gz left out: their study has no row in"
                + " mimic-cxr-2.0.0-chexpert.csv.gz"),
        metadata.notes());
    assertEquals(3, metadata.read().size());
    assertEquals(List.of(), metadata.missing());
  }

  @Test
  void withoutTheSplitFileThereIsNoOfficialSplitAndItIsReportedMissing() throws IOException {
    DatasetMetadata metadata = read(LABELS, METADATA, null);
    assertTrue(metadata.images().stream().allMatch(i -> i.split() == null));
    assertEquals(1, metadata.missing().size());
    assertTrue(
        metadata.missing().get(0).startsWith("mimic-cxr-2.0.0-split.csv"),
        metadata.missing().get(0));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new RecordDataset(metadata)
                    .split(new SplitPlan.Official(0.1), 1, LabelPolicy.DEFAULT, Set.of()));
    assertTrue(e.getMessage().contains("no official split"), e.getMessage());
  }

  @Test
  void negbioLabelsAreReadWhenTheChexpertFileIsAbsent() throws IOException {
    CheXpertTest.write(dir.resolve("mimic-cxr-2.0.0-negbio.csv"), LABELS);
    CheXpertTest.write(dir.resolve("mimic-cxr-2.0.0-metadata.csv"), METADATA);
    DatasetMetadata metadata = new MimicCxrJpg().readMetadata(dir);
    assertEquals(dir.resolve("mimic-cxr-2.0.0-negbio.csv"), metadata.read().get(0));
    assertEquals(4, metadata.images().size());
  }

  @Test
  void missingRequiredFilesAreNamed() throws IOException {
    CheXpertTest.write(dir.resolve("mimic-cxr-2.0.0-metadata.csv"), METADATA);
    NoSuchFileException e =
        assertThrows(NoSuchFileException.class, () -> new MimicCxrJpg().readMetadata(dir));
    assertTrue(e.getMessage().contains("mimic-cxr-2.0.0-chexpert.csv"), e.getMessage());
    assertTrue(e.getMessage().contains("mimic-cxr-2.0.0-negbio.csv"), e.getMessage());
  }

  @Test
  void officialSplitIsTheSplitFileWithValidateAsValidation() throws IOException {
    Path root = dir.resolve("synthetic");
    SyntheticMimicCxrJpg.write(root, 20_000, 0, true, 4);
    Dataset data = new MimicCxrJpg().open(root);
    DataSplits splits = data.split(new SplitPlan.Official(0.1), 1, LabelPolicy.DEFAULT, Set.of());
    java.util.Map<String, Split> splitOfImage = new java.util.HashMap<>();
    splits.train().forEach(i -> splitOfImage.put(i.imageIndex(), Split.TRAIN));
    splits.validation().forEach(i -> splitOfImage.put(i.imageIndex(), Split.VALIDATION));
    splits.test().forEach(i -> splitOfImage.put(i.imageIndex(), Split.TEST));
    for (ImageRecord image : data.images()) {
      assertEquals(image.split(), splitOfImage.get(image.image()), image.image());
    }
    long validate = data.images().stream().filter(i -> i.split() == Split.VALIDATION).count();
    long test = data.images().stream().filter(i -> i.split() == Split.TEST).count();
    assertEquals(validate, splits.validation().size());
    assertEquals(test, splits.test().size());
    assertTrue(validate > 0 && test > 0);
  }

  @Test
  void badRowsNameFileLineAndColumn() {
    Path split = dir.resolve("mimic-cxr-2.0.0-split.csv");
    assertMessage(
        () ->
            read(
                LABELS, METADATA, SPLIT.replace("50000003,12000002,test", "50000003,12000002,dev")),
        split + ":5: column 'split': expected train, validate or test, got 'dev'");
    assertMessage(
        () ->
            read(LABELS, METADATA, SPLIT.replace("aaaaaaaa-00000004,50000003,12000002,test\n", "")),
        dir.resolve("mimic-cxr-2.0.0-metadata.csv.gz")
            + ":5: dicom_id aaaaaaaa-00000004 has no row in mimic-cxr-2.0.0-split.csv");
    assertMessage(
        () ->
            read(
                LABELS.replace("12000002,50000003,,,0.0", "12000002,50000003,,,yes"),
                METADATA,
                SPLIT),
        dir.resolve("mimic-cxr-2.0.0-chexpert.csv.gz")
            + ":4: column 'Consolidation': unknown label code 'yes'; expected 1.0, 0.0, -1.0"
            + " (uncertain) or blank");
    assertMessage(
        () ->
            read(LABELS, METADATA.replace("aaaaaaaa-00000003,10000001", "../../x,10000001"), SPLIT),
        dir.resolve("mimic-cxr-2.0.0-metadata.csv.gz")
            + ":4: column 'dicom_id': expected a DICOM id, got '../../x'");
    assertMessage(
        () -> read(LABELS, METADATA.replace(",10000001,50000002,", ",1x,50000002,"), SPLIT),
        dir.resolve("mimic-cxr-2.0.0-metadata.csv.gz")
            + ":4: column 'subject_id': expected an integer, got '1x'");
  }

  @Test
  void aPatientInTwoOfficialSplitsIsAnErrorNamingBothRows() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                read(
                    LABELS,
                    METADATA,
                    SPLIT.replace("50000002,10000001,train", "50000002,10000001,test")));
    assertTrue(e.getMessage().contains("patient 10000001"), e.getMessage());
    assertTrue(
        e.getMessage()
            .contains("train split (" + dir.resolve("mimic-cxr-2.0.0-metadata.csv.gz") + ":2"),
        e.getMessage());
    assertTrue(e.getMessage().contains("test split"), e.getMessage());
  }

  private static void assertMessage(
      org.junit.jupiter.api.function.Executable read, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, read);
    assertEquals(message, e.getMessage());
  }

  @Test
  void patientsKeepSeveralStudies() throws IOException {
    Path root = dir.resolve("synthetic");
    SyntheticMimicCxrJpg.write(root, 2_000, 0, false, 5);
    List<ImageRecord> images = new MimicCxrJpg().readMetadata(root).images();
    long patients = images.stream().mapToInt(ImageRecord::patientId).distinct().count();
    long studies = images.stream().map(ImageRecord::study).distinct().count();
    assertTrue(studies > 2 * patients, studies + " studies of " + patients + " patients");
    assertNull(images.stream().filter(i -> i.split() == null).findAny().orElse(null));
    assertTrue(Files.isRegularFile(root.resolve("mimic-cxr-2.0.0-split.csv")));
  }
}
