package org.chexnet.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetSummaryTest {
  @TempDir Path dir;

  private void writeCheXpert() throws IOException {
    CheXpertTest.write(dir.resolve("train.csv"), CheXpertTest.TRAIN);
    CheXpertTest.write(dir.resolve("valid.csv"), CheXpertTest.VALID);
  }

  /** Counted by hand from CheXpertTest's rows: positive, negative, uncertain, missing. */
  private static final long[][] EXPECTED = {
    {1, 1, 0, 3}, // No Finding
    {1, 0, 0, 4}, // Enlarged Cardiomediastinum
    {1, 0, 2, 2}, // Cardiomegaly
    {3, 0, 0, 2}, // Lung Opacity
    {0, 1, 0, 4}, // Lung Lesion
    {0, 1, 2, 2}, // Edema
    {0, 1, 2, 2}, // Consolidation
    {0, 1, 0, 4}, // Pneumonia
    {0, 1, 2, 2}, // Atelectasis
    {0, 2, 0, 3}, // Pneumothorax
    {1, 1, 0, 3}, // Pleural Effusion
    {0, 1, 0, 4}, // Pleural Other
    {2, 1, 0, 2}, // Fracture
    {1, 1, 0, 3}, // Support Devices
  };

  @Test
  void countsEveryStateOfEveryFindingBeforePolicies() throws IOException {
    writeCheXpert();
    DatasetSummary summary = DatasetSummary.read(CheXpert.NAME, dir, Set.of(), null);
    assertEquals(5, summary.images());
    assertEquals(4, summary.patients());
    assertEquals(4, summary.studies());
    for (int f = 0; f < EXPECTED.length; f++) {
      for (LabelState state : LabelState.values()) {
        assertEquals(
            EXPECTED[f][state.ordinal()],
            summary.count(f, state),
            CheXpert.FINDINGS.get(f) + " " + state);
      }
    }
    assertEquals(0.6, summary.prevalence(CheXpert.FINDINGS.indexOf("Lung Opacity")), 1e-12);
    assertEquals(2, summary.views().get(View.AP));
    assertEquals(1, summary.views().get(View.PA));
    assertEquals(1, summary.views().get(View.LATERAL));
    assertEquals(1, summary.views().get(View.OTHER));
  }

  @Test
  void jsonHasTheIssuesShape() throws IOException {
    writeCheXpert();
    Path file = dir.resolve("summary.json");
    DatasetSummary.read(CheXpert.NAME, dir, Set.of(), null).writeJson(file);
    JsonNode json = new ObjectMapper().readTree(file.toFile());
    List<String> keys = new ArrayList<>();
    json.fieldNames().forEachRemaining(keys::add);
    assertEquals(List.of("dataset", "images", "patients", "findings"), keys.subList(0, 4));
    assertEquals("chexpert", json.get("dataset").asText());
    assertEquals(5, json.get("images").asInt());
    assertEquals(4, json.get("patients").asInt());
    List<String> findings = new ArrayList<>();
    json.get("findings").fieldNames().forEachRemaining(findings::add);
    assertEquals(CheXpert.FINDINGS, findings);
    JsonNode cardiomegaly = json.get("findings").get("Cardiomegaly");
    List<String> states = new ArrayList<>();
    cardiomegaly.fieldNames().forEachRemaining(states::add);
    assertEquals(List.of("positive", "negative", "uncertain", "missing"), states);
    assertEquals(1, cardiomegaly.get("positive").asInt());
    assertEquals(2, cardiomegaly.get("uncertain").asInt());
    assertEquals(4, json.get("studies").asInt());
    assertEquals(1, json.get("views").get("LATERAL").asInt());
    assertEquals(0, json.get("metadata_missing").size());
  }

  @Test
  void viewsFilterAndPolicyColumns() throws IOException {
    writeCheXpert();
    DatasetSummary frontal =
        DatasetSummary.read(CheXpert.NAME, dir, Set.of(View.PA, View.AP), LabelPolicy.DEFAULT);
    assertEquals(3, frontal.images());
    int cardiomegaly = CheXpert.FINDINGS.indexOf("Cardiomegaly");
    // Frontal rows: patient1 blank, patient2 PA uncertain, valid positive.
    assertEquals(
        List.of(1L, 1L, 1L),
        List.of(
            frontal.trained()[cardiomegaly][0],
            frontal.trained()[cardiomegaly][1],
            frontal.trained()[cardiomegaly][2]));
    String table = frontal.table();
    assertTrue(table.contains("uncertain ignore, missing negative"), table);
    assertTrue(table.contains("chexpert: 3 images, 3 patients, 3 studies"), table);
  }

  @Test
  void chestXray14IsSummarisedWithoutImagesAndSaysWhichListsAreMissing() throws IOException {
    Files.copy(TestData.resource(TestData.CSV), dir.resolve(ChestXray14.DATA_ENTRY_CSV));
    DatasetSummary summary = DatasetSummary.read(ChestXray14.NAME, dir, Set.of(), null);
    List<String> lines = Files.readAllLines(TestData.resource(TestData.CSV));
    assertEquals(lines.size() - 1, summary.images());
    assertEquals(null, summary.studies());
    assertEquals(2, summary.missing().size());
    assertTrue(
        summary.missing().get(0).startsWith(ChestXray14.TRAIN_VAL_LIST),
        summary.missing().toString());
    for (Finding finding : Finding.values()) {
      long expected =
          lines.stream()
              .skip(1)
              .filter(l -> List.of(l.split(",")[1].split("\\|")).contains(finding.label()))
              .count();
      assertEquals(
          expected, summary.count(finding.ordinal(), LabelState.POSITIVE), finding.label());
      assertEquals(
          lines.size() - 1 - expected, summary.count(finding.ordinal(), LabelState.NEGATIVE));
    }
    String table = summary.table();
    assertTrue(table.contains("missing: " + ChestXray14.TRAIN_VAL_LIST), table);
  }
}
