package org.chexnet.evaluation.subgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.chexnet.evaluation.PredictionSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The column mapping of each known dataset, image matching and bad metadata. */
class SubgroupAttributeTest {

  @TempDir Path dir;

  @Test
  void cheXpertSexAgeAndViewFromItsColumns() throws IOException {
    ImageMetadata metadata =
        write(
            "Path,Sex,Age,Frontal/Lateral,AP/PA,No Finding\n"
                + "CheXpert-v1.0/train/patient00001/study1/view1_frontal.jpg,Female,68,Frontal,AP,1\n"
                + "CheXpert-v1.0/train/patient00002/study2/view2_lateral.jpg,Male,87,Lateral,,\n"
                + "CheXpert-v1.0/train/patient00003/study1/view1_frontal.jpg,Unknown,19,Frontal,,\n");
    assertEquals(List.of("Female", "Male", "Unknown"), values(metadata, "sex"));
    assertEquals(List.of("60-79", "80+", "0-19"), values(metadata, "age"));
    assertEquals(List.of("AP", "Lateral", "Frontal"), values(metadata, "view"));
    assertEquals("Frontal/Lateral and AP/PA", SubgroupAttribute.resolve("view", metadata).source());
    // The full path names the image; the file name alone is ambiguous in CheXpert.
    assertEquals(
        1, metadata.rowOf("CheXpert-v1.0/train/patient00002/study2/view2_lateral.jpg").getAsInt());
    assertTrue(metadata.rowOf("view1_frontal.jpg").isEmpty());
  }

  @Test
  void mimicViewFromItsMetadataAndSexAgeFromTheJoinedPatientsTable() throws IOException {
    ImageMetadata metadata =
        write(
            "dicom_id,subject_id,study_id,ViewPosition,gender,anchor_age\n"
                + "02aa804e-bde0afdd-112c0b34-7bc16630-4e384014,10000032,50414267,PA,F,52\n"
                + "174413ec-4ec4c1f7-34ea26b7-c5f994f8-79ef1962,10000032,50414267,LATERAL,F,52\n");
    assertEquals(List.of("PA", "LATERAL"), values(metadata, "view"));
    assertEquals(List.of("F", "F"), values(metadata, "sex"));
    assertEquals(List.of("40-59", "40-59"), values(metadata, "age"));
    // Images are files named <dicom_id>.jpg.
    assertEquals(
        1,
        metadata
            .rowOf("files/p10/p10000032/s50414267/174413ec-4ec4c1f7-34ea26b7-c5f994f8-79ef1962.jpg")
            .getAsInt());
  }

  @Test
  void padChestAgeIsTheStudyYearMinusTheBirthYear() throws IOException {
    ImageMetadata metadata =
        write(
            "ImageID,StudyDate_DICOM,PatientBirth,PatientSex_DICOM,Projection\n"
                + "a.png,20140915,1956.0,M,PA\n"
                + "b.png,20150102,1995,F,L\n"
                + "c.png,20150102,,F,AP_horizontal\n");
    assertEquals(List.of("40-59", "20-39"), values(metadata, "age").subList(0, 2));
    assertEquals(Optional.empty(), SubgroupAttribute.resolve("age", metadata).valueOf(2));
    assertEquals(List.of("M", "F", "F"), values(metadata, "sex"));
    assertEquals(List.of("PA", "L", "AP_horizontal"), values(metadata, "view"));
  }

  @Test
  void nihAgesOldStyleImplausibleAndBands() throws IOException {
    ImageMetadata metadata =
        write(
            "Image Index,Patient Age,Patient Gender,View Position,Follow-up #\n"
                + "1.png,058Y,M,PA,0\n"
                + "2.png,414,F,AP,1\n"
                + "3.png,20,F,AP,2\n"
                + "4.png,19,F,AP,\n"
                + "5.png,80,M,PA,1\n");
    assertEquals(List.of("40-59", "", "20-39", "0-19", "80+"), values(metadata, "age"));
    // Any other column by name, values as written, blank as missing.
    assertEquals(List.of("0", "1", "2", "", "1"), values(metadata, "Follow-up #"));
    assertEquals("80+", SubgroupAttribute.band(80));
    assertEquals("60-79", SubgroupAttribute.band(79.9));
    assertEquals("0-19", SubgroupAttribute.band(0));
  }

  @Test
  void missingColumnsImagesAndBadValuesAreNamed() throws IOException {
    ImageMetadata metadata = write("Image Index,Patient Age\n1.png,abc\n2.png,40\n");
    IllegalArgumentException noColumn =
        assertThrows(
            IllegalArgumentException.class, () -> SubgroupAttribute.resolve("sex", metadata));
    assertTrue(
        noColumn.getMessage().contains("no sex column: expected one of [Patient Gender, Sex"),
        noColumn.getMessage());
    IllegalArgumentException unknown =
        assertThrows(
            IllegalArgumentException.class, () -> SubgroupAttribute.resolve("race", metadata));
    assertTrue(unknown.getMessage().contains("no column 'race'"), unknown.getMessage());
    IllegalArgumentException badAge =
        assertThrows(
            IllegalArgumentException.class,
            () -> SubgroupAttribute.resolve("age", metadata).valueOf(0));
    assertTrue(
        badAge.getMessage().endsWith("metadata.csv:2: Patient Age: 'abc' is not an age in years"),
        badAge.getMessage());

    PredictionSet set =
        new PredictionSet(List.of("2.png", "9.png"), new float[] {0.1f, 0.2f}, new float[] {0, 1});
    IllegalArgumentException missing =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                SubgroupEvaluation.compute(
                    List.of("X"), set, metadata, List.of("age"), new double[] {0.5}, 10, 1));
    assertTrue(
        missing.getMessage().contains("for 1 of the 2 images, e.g. 9.png"), missing.getMessage());

    Files.writeString(dir.resolve("short.csv"), "Image Index,Patient Age\n1.png\n");
    IllegalArgumentException shortRow =
        assertThrows(
            IllegalArgumentException.class, () -> ImageMetadata.read(dir.resolve("short.csv")));
    assertTrue(
        shortRow.getMessage().endsWith("short.csv:2: expected 2 fields as in the header, got 1"),
        shortRow.getMessage());
    Files.writeString(dir.resolve("noid.csv"), "Name,Age\n1.png,3\n");
    IllegalArgumentException noId =
        assertThrows(
            IllegalArgumentException.class, () -> ImageMetadata.read(dir.resolve("noid.csv")));
    assertTrue(noId.getMessage().contains("no image id column"), noId.getMessage());
  }

  private ImageMetadata write(String csv) throws IOException {
    Path file = dir.resolve("metadata.csv");
    Files.writeString(file, csv);
    return ImageMetadata.read(file);
  }

  /** Each row's value, "" when missing. */
  private static List<String> values(ImageMetadata metadata, String attribute) {
    SubgroupAttribute resolved = SubgroupAttribute.resolve(attribute, metadata);
    return IntStream.range(0, metadata.rows())
        .mapToObj(row -> resolved.valueOf(row).orElse(""))
        .toList();
  }
}
