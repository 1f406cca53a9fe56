package org.chexnet.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationReportTest {

  @TempDir Path dir;

  @Test
  void metricsJsonHasExactKeysAndNullForUndefined() throws IOException {
    Path file = dir.resolve("metrics.json");
    EvaluationResult result = EvaluationResultTest.sample();
    EvaluationReport.writeMetricsJson(result, file);

    JsonNode json = new ObjectMapper().readTree(file.toFile());
    assertEquals(List.of("mean_auroc", "images", "auroc"), fieldNames(json));
    assertEquals(result.meanAuroc(), json.get("mean_auroc").doubleValue(), 0);
    assertEquals(4, json.get("images").intValue());
    JsonNode auroc = json.get("auroc");
    assertEquals(List.of("Atelectasis", "Effusion", "Hernia"), fieldNames(auroc));
    assertEquals(0.75, auroc.get("Atelectasis").doubleValue(), 0);
    assertTrue(auroc.get("Hernia").isNull());
    assertEquals(List.of("metrics.json"), filesIn(dir));
  }

  @Test
  void markdownHasARowPerClassBesideThePaperAndTheMeans() throws IOException {
    Path file = dir.resolve("report.md");
    EvaluationReport.writeMarkdown(EvaluationResultTest.sample(), "Test split", file);

    String md = Files.readString(file);
    assertTrue(md.startsWith("# Test split\n"));
    assertTrue(md.contains("- Images: 4\n"));
    assertTrue(md.contains("- Mean AUROC: 0.7083 (over 2 of 3 classes)"));
    assertTrue(
        md.contains(
            "| Class | AUROC | Positives | Negatives | chexnet_paper_2017 | arnoweng_chexnet"
                + " | jrzech_reproduce_chexnet | zoogzog_chexnet |"));
    assertTrue(md.contains("| Atelectasis | 0.7500 | 2 | 2 | 0.8094 | 0.8294 | 0.8180 | 0.8321 |"));
    assertTrue(md.contains("| Effusion | 0.6667 | 3 | 1 | 0.8638 | 0.8870 | 0.8827 | 0.8860 |"));
    assertTrue(md.contains("| Hernia | — | 0 | 4 | 0.9164 | 0.9104 | 0.9175 | 0.9416 |"));
    assertTrue(md.contains("| **Mean** | **0.7083** |  |  | 0.8414 |"));
    assertTrue(md.contains("- Hernia: no positive images in this split"));
    assertEquals(List.of("report.md"), filesIn(dir));
  }

  @Test
  void consoleTableIsAlignedWithTheMeanLast() {
    String[] lines = EvaluationReport.consoleTable(EvaluationResultTest.sample()).split("\n");
    assertEquals(5, lines.length);
    assertTrue(lines[0].startsWith("Class"));
    assertTrue(lines[1].matches("Atelectasis +0\\.7500 +2 +0\\.8094"), lines[1]);
    assertTrue(lines[3].matches("Hernia +undefined +0 +0\\.9164"), lines[3]);
    assertTrue(lines[4].matches("Mean +0\\.7083 +0\\.8414"), lines[4]);
    for (String line : lines) {
      assertEquals(lines[0].length(), line.length(), "every row has the header's width: " + line);
    }
  }

  @Test
  void overwritesAnExistingFileWithoutLeavingTempFiles() throws IOException {
    Path file = dir.resolve("out").resolve("metrics.json");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "stale");
    EvaluationReport.writeMetricsJson(EvaluationResultTest.sample(), file);
    assertTrue(new ObjectMapper().readTree(file.toFile()).has("mean_auroc"));
    assertEquals(List.of("metrics.json"), filesIn(file.getParent()));
  }

  static List<String> filesIn(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
