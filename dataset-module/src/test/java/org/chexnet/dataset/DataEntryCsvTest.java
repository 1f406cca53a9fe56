package org.chexnet.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataEntryCsvTest {
  private static final String OLD_HEADER = DataEntryCsv.HEADER + ",";

  @TempDir Path dir;

  @Test
  void readsRealNihRows() throws IOException {
    List<DataEntry> entries = DataEntryCsv.read(TestData.resource(TestData.CSV));
    assertEquals(300, entries.size());

    DataEntry entry = entries.get(1);
    assertEquals("00000001_001.png", entry.imageIndex());
    assertEquals("Cardiomegaly|Emphysema", entry.findingLabels());
    float[] expected = new float[Finding.COUNT];
    expected[Finding.CARDIOMEGALY.ordinal()] = 1f;
    expected[Finding.EMPHYSEMA.ordinal()] = 1f;
    assertArrayEquals(expected, entry.labels());
    assertEquals(1, entry.followUp());
    assertEquals(1, entry.patientId());
    assertEquals(58, entry.age());
    assertEquals("M", entry.sex());
    assertEquals("PA", entry.viewPosition());
    assertEquals(2894, entry.originalWidth());
    assertEquals(2729, entry.originalHeight());
    assertEquals(0.143, entry.pixelSpacingX());
    assertEquals(0.143, entry.pixelSpacingY());

    LabeledImage labeled = entry.toLabeledImage();
    assertEquals(new LabeledImage("00000001_001.png", 1, expected), labeled);
  }

  @Test
  void noFindingIsAllZeros() throws IOException {
    DataEntry entry = DataEntryCsv.read(TestData.resource(TestData.CSV)).get(3);
    assertEquals("00000002_000.png", entry.imageIndex());
    assertArrayEquals(new float[Finding.COUNT], entry.labels());
    assertEquals("No Finding", entry.findingLabels());
  }

  @Test
  void readsOlderFormatWithTrailingComma() throws IOException {
    Path csv = write(OLD_HEADER, "00000003_000.png,Hernia,0,3,81,F,PA,2582,2991,0.143,0.143,");
    DataEntry entry = DataEntryCsv.read(csv).get(0);
    assertEquals(3, entry.patientId());
    assertEquals(1f, entry.labels()[Finding.HERNIA.ordinal()]);
    assertEquals(0.143, entry.pixelSpacingY());
  }

  @Test
  void acceptsAgesWrittenWithYearSuffix() throws IOException {
    Path csv = write(OLD_HEADER, "00000003_000.png,Hernia,0,3,081Y,F,PA,2582,2991,0.143,0.143,");
    assertEquals(81, DataEntryCsv.read(csv).get(0).age());
  }

  @Test
  void badRowNamesFileAndLine() throws IOException {
    Path csv =
        write(
            DataEntryCsv.HEADER,
            "00000001_000.png,Cardiomegaly,0,1,57,M,PA,2682,2749,0.143,0.143",
            "00000001_001.png,Cardiomegaly,1,one,58,M,PA,2894,2729,0.143,0.143");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DataEntryCsv.read(csv));
    assertTrue(e.getMessage().startsWith(csv + ":3: "), e.getMessage());
    assertTrue(e.getMessage().contains("Patient ID"), e.getMessage());
  }

  @Test
  void unknownLabelWrongFieldCountAndRepeatsAreReportedWithLine() throws IOException {
    Path unknown =
        write(
            DataEntryCsv.HEADER,
            "00000001_000.png,Cardiomegaly|Flu,0,1,57,M,PA,2682,2749,0.143,0.143");
    assertMessageStarts(unknown + ":2: ", unknown, "'Flu'");

    Path tooShort = write(DataEntryCsv.HEADER, "00000001_000.png,Cardiomegaly,0,1,57,M,PA");
    assertMessageStarts(tooShort + ":2: ", tooShort, "expected 11 fields");

    String row = "00000001_000.png,Cardiomegaly,0,1,57,M,PA,2682,2749,0.143,0.143";
    Path repeated = write(DataEntryCsv.HEADER, row, row);
    assertMessageStarts(repeated + ":3: ", repeated, "line 2");

    Path wrongHeader = write("Image,Labels", row);
    assertMessageStarts(wrongHeader + ":1: ", wrongHeader, "expected the header");
  }

  private static void assertMessageStarts(String prefix, Path csv, String detail) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DataEntryCsv.read(csv));
    assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
    assertTrue(e.getMessage().contains(detail), e.getMessage());
  }

  private Path write(String... lines) throws IOException {
    Path csv = Files.createTempFile(dir, "Data_Entry", ".csv");
    Files.writeString(csv, String.join("\r\n", lines) + "\r\n");
    return csv;
  }
}
