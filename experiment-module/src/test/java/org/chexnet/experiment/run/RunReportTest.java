package org.chexnet.experiment.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.chexnet.common.Reporter;
import org.chexnet.dataset.Finding;
import org.chexnet.experiment.TinySpecs;
import org.chexnet.experiment.spec.SpecLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report set a run leaves in its artifacts, and the spec keys that shape it. */
class RunReportTest {
  static final String SPEC =
      TinySpecs.dataAndModel("tiny")
          + """
      train:
        epochs: 2
        batch_size: 16
        horizontal_flip: false
        callbacks:
          - type: model_checkpoint
          - type: csv_logger
            separator: ";"
      evaluate:
        bootstrap: {replicates: 50, seed: 5}
        threshold: {type: sensitivity, target: 0.8}
      """;

  /** What every finished run must have beside metrics.json's two agreed keys. */
  static void assertDetailedReport(Path artifacts, int replicates) throws IOException {
    JsonNode metrics = new ObjectMapper().readTree(artifacts.resolve("metrics.json").toFile());
    assertEquals(replicates, metrics.get("bootstrap").get("replicates").intValue());
    JsonNode ci = metrics.get("mean_auroc_ci");
    double mean = metrics.get("mean_auroc").doubleValue();
    assertTrue(
        ci.get("low").doubleValue() <= mean && mean <= ci.get("high").doubleValue(), ci + "");
    for (String finding : Finding.labels()) {
      assertTrue(metrics.get("auroc_ci").has(finding), finding);
      assertTrue(metrics.get("auroc_delong_ci").has(finding), finding);
    }
    assertEquals(
        "class,fpr,tpr,threshold", Files.readAllLines(artifacts.resolve("roc.csv")).get(0));
    for (String file : List.of("roc.png", "training.png", "report.md", "report.html")) {
      assertTrue(Files.size(artifacts.resolve(file)) > 0, file);
    }
    String html = Files.readString(artifacts.resolve("report.html"));
    assertTrue(html.contains("chexnet_paper_2017") && html.contains("95% CI bootstrap"));
    assertTrue(html.contains("data:image/png;base64,"), "plots embedded in the HTML");
  }

  @Test
  void specChoosesBootstrapAndThresholdRuleAndTheHistoryIsPlotted(@TempDir Path work)
      throws Exception {
    RunResult run = run(work, SPEC);
    Path artifacts = run.artifactsDir();
    assertDetailedReport(artifacts, 50);
    JsonNode metrics = new ObjectMapper().readTree(artifacts.resolve("metrics.json").toFile());
    assertEquals(5, metrics.get("bootstrap").get("seed").intValue());
    List<String> points = Files.readAllLines(artifacts.resolve("operating-points.csv"));
    assertTrue(points.size() > 1, "validation of the synthetic set has positives");
    for (String line : points.subList(1, points.size())) {
      assertTrue(line.contains(",sensitivity >= 0.8,"), line);
    }
    assertTrue(Files.readString(artifacts.resolve("report.md")).contains("## Operating points"));
    double low =
        Double.parseDouble(
            Files.readString(run.directory().resolve("metrics/test_mean_auroc_ci_low"))
                .split(" ")[1]);
    assertEquals(metrics.get("mean_auroc_ci").get("low").doubleValue(), low, 1e-12);
  }

  @Test
  void evaluatingOnValidationHasNoOperatingPoints(@TempDir Path work) throws Exception {
    RunResult run = run(work, SPEC.replace("evaluate:\n", "evaluate:\n  split: validation\n"));
    assertFalse(Files.exists(run.artifactsDir().resolve("operating-points.csv")));
    assertTrue(Files.exists(run.directory().resolve("metrics/validation_mean_auroc_ci_high")));
  }

  private static RunResult run(Path work, String spec) throws Exception {
    SpecLoader.LoadedSpec loaded = SpecLoader.load(spec, "spec.yaml", List.of());
    return new ExperimentRunner(Reporter.silent(), work).run(loaded);
  }
}
