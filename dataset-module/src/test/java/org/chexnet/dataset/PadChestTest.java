package org.chexnet.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PadChestTest {
  static final String HEADER =
      "ImageID,ImageDir,StudyDate_DICOM,StudyID,PatientID,PatientBirth,PatientSex_DICOM,Projection,"
          + "Report,MethodLabel,Labels";

  // Hand-written rows in PadChest's layout (made-up IDs and reports, not PadChest's data).
  static final String CSV =
      HEADER
          + "\n"
          + "s1_00-001-001.png,0,20140105,s1,900000000000000000000000000000000002,1950.0,M,PA,"
          + "\"derrame pleural, cardiomegalia\",Physician,\"[' pleural effusion', 'cardiomegaly']\"\n"
          + "s1_00-001-002.png,0,20140105,s1,900000000000000000000000000000000002,1950.0,M,L,"
          + "\"linea uno\nlinea dos\",Physician,\"['consolidation', 'pericardial effusion', '']\"\n"
          + "s2_00-002-001.png,12,20150210,s2,800000000000000000000000000000000001,,F,AP_horizontal,"
          + "x,RNN_model,\"[\"\"pseudonodule\"\", \"\"nsg tube\"\", \"\"normal\"\"]\"\n"
          + "s3_00-003-001.png,12,20160101,s3,800000000000000000000000000000000001,1930,F,COSTAL,"
          + "x,RNN_model,\n"
          + "s4_00-004-001.png,3,20160101,s4,700000000000000000000000000000000003,1990,O,UNK,"
          + "x,RNN_model,\"['multiple nodules', 'pacemaker', 'subcutaneous emphysema']\"\n";

  @TempDir Path dir;

  private DatasetMetadata read(String csv) throws IOException {
    CheXpertTest.write(dir.resolve(PadChest.CSV + ".gz"), csv);
    return new PadChest().readMetadata(dir);
  }

  @Test
  void readsRowsWithPathsPatientsViewsAndAges() throws IOException {
    DatasetMetadata metadata = read(CSV);
    List<ImageRecord> images = metadata.images();
    assertEquals(4, images.size(), "the row without labels is left out");
    ImageRecord first = images.get(0);
    assertEquals("0/s1_00-001-001.png", first.image());
    assertEquals(
        dir.resolve("0/s1_00-001-001.png"), new RecordDataset(metadata).imagePath(first.image()));
    assertEquals("900000000000000000000000000000000002", first.patient());
    assertEquals(3, first.patientId(), "rank among the sorted patient IDs");
    assertEquals(2, images.get(2).patientId());
    assertEquals(1, images.get(3).patientId());
    assertEquals("s1", first.study());
    assertEquals(View.PA, first.view());
    assertEquals(View.LATERAL, images.get(1).view());
    assertEquals(View.AP, images.get(2).view());
    assertEquals(View.UNKNOWN, images.get(3).view());
    assertEquals(Sex.MALE, first.sex());
    assertEquals(Sex.FEMALE, images.get(2).sex());
    assertEquals(Sex.UNKNOWN, images.get(3).sex());
    assertEquals(64, first.age());
    assertEquals(-1, images.get(2).age(), "no birth year");
    assertEquals(2, first.line());
    assertEquals(3, images.get(1).line());
    assertEquals(5, images.get(2).line(), "the quoted report spans lines 3 and 4");
    assertEquals(7, images.get(3).line());
    assertNull(first.split());
    assertEquals(
        List.of(
            "1 rows without labels left out",
            "PadChest terms no finding maps (images): normal (1), pericardial effusion (1),"
                + " pseudonodule (1), subcutaneous emphysema (1)"),
        metadata.notes());
  }

  @Test
  void termsMapOntoFindingsWithTheDocumentedExceptions() throws IOException {
    List<ImageRecord> images = read(CSV).images();
    assertEquals(List.of("Cardiomegaly", "Effusion"), positives(images.get(0)));
    assertEquals(
        List.of("Consolidation", "Infiltration"),
        positives(images.get(1)),
        "pericardial effusion is not Effusion");
    assertEquals(List.of("Tube"), positives(images.get(2)), "a pseudonodule is not a Nodule");
    assertEquals(
        List.of("Nodule", "Support Devices"),
        positives(images.get(3)),
        "subcutaneous emphysema is not Emphysema");
  }

  private static List<String> positives(ImageRecord image) {
    List<String> positives = new ArrayList<>();
    for (int f = 0; f < image.states().length; f++) {
      if (image.state(f) == LabelState.POSITIVE) {
        positives.add(PadChest.FINDINGS.get(f));
      } else {
        assertEquals(LabelState.NEGATIVE, image.state(f));
      }
    }
    positives.sort(null);
    return positives;
  }

  @Test
  void aMalformedLabelsCellOrAPathOutsideNamesFileLineAndColumn() {
    Path file = dir.resolve(PadChest.CSV + ".gz");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> read(CSV.replace("\"['multiple nodules',", "\"'multiple nodules',")));
    assertTrue(
        e.getMessage().startsWith(file + ":7: column 'Labels': expected a list"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> read(CSV.replace("'subcutaneous emphysema']", "'subcutaneous emphysema]")));
    assertTrue(
        e.getMessage().startsWith(file + ":7: column 'Labels': unclosed quote"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> read(CSV.replace("s4_00-004-001.png,3,", "s4_00-004-001.png,..,")));
    assertTrue(
        e.getMessage().startsWith(file + ":7: column 'ImageID': image '../s4_00-004-001.png'"),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> read(CSV.replace(",Labels", ",Label")));
    assertTrue(e.getMessage().startsWith(file + ":1: missing column 'Labels'"), e.getMessage());
  }

  /**
   * torchxrayvision's PC_Dataset rule, written out here as the reference: a finding is positive
   * when the raw Labels text contains its lower-cased name or one of its synonyms ("tube'" and
   * "stent'" select terms ending in those words).
   */
  private static final Map<String, List<String>> TORCHXRAYVISION = new LinkedHashMap<>();

  static {
    for (String finding : PadChest.FINDINGS) {
      TORCHXRAYVISION.put(finding, new ArrayList<>(List.of(finding.toLowerCase(Locale.ROOT))));
    }
    TORCHXRAYVISION
        .get("Infiltration")
        .addAll(
            List.of(
                "infiltrates",
                "interstitial pattern",
                "ground glass pattern",
                "reticular interstitial pattern",
                "reticulonodular interstitial pattern",
                "alveolar pattern",
                "consolidation",
                "air bronchogram"));
    TORCHXRAYVISION.get("Pleural_Thickening").add("pleural thickening");
    TORCHXRAYVISION.get("Consolidation").add("air bronchogram");
    TORCHXRAYVISION
        .get("Hilar Enlargement")
        .addAll(List.of("adenopathy", "pulmonary artery enlargement"));
    TORCHXRAYVISION.get("Support Devices").addAll(List.of("device", "pacemaker"));
    TORCHXRAYVISION.put("Tube", List.of("tube'", "stent'"));
  }

  @Test
  void agreesWithTorchxrayvisionOnSyntheticDataButForTheThreeExceptions() throws IOException {
    Path root = dir.resolve("synthetic");
    SyntheticPadChest.write(root, 3000, 0, false, 11);
    List<ImageRecord> images = new PadChest().readMetadata(root).images();
    List<CSVRecord> rows;
    try (var parser =
        CSVFormat.DEFAULT
            .builder()
            .setHeader()
            .build()
            .parse(java.nio.file.Files.newBufferedReader(root.resolve(PadChest.CSV)))) {
      rows = parser.getRecords().stream().filter(r -> !r.get("Labels").isBlank()).toList();
    }
    assertEquals(rows.size(), images.size());
    int exceptions = 0;
    for (int i = 0; i < rows.size(); i++) {
      String labels = rows.get(i).get("Labels").toLowerCase(Locale.ROOT).replace("' ", "'");
      String withoutExceptions =
          labels
              .replace("'pericardial effusion'", "")
              .replace("'subcutaneous emphysema'", "")
              .replace("'pseudonodule'", "");
      exceptions += labels.equals(withoutExceptions) ? 0 : 1;
      for (int f = 0; f < PadChest.FINDINGS.size(); f++) {
        String finding = PadChest.FINDINGS.get(f);
        boolean expected =
            TORCHXRAYVISION.get(finding).stream().anyMatch(withoutExceptions::contains);
        assertEquals(
            expected, images.get(i).state(f) == LabelState.POSITIVE, finding + " of " + labels);
      }
    }
    assertTrue(exceptions > 0, "the synthetic terms include the exceptions");
  }
}
