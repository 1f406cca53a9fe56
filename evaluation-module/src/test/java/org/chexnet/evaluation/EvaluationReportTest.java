package org.chexnet.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationReportTest {

  static final List<String> CLASSES = List.of("Atelectasis", "Effusion", "Hernia");

  @TempDir Path dir;

  /**
   * {@code images} images whose scores separate the labels, Hernia without a positive.
   *
   * @param prefix image name prefix, so that two sets do not share images
   */
  static PredictionSet sample(int images, long seed, String prefix) {
    Random random = new Random(seed);
    List<String> names = new ArrayList<>();
    float[] probabilities = new float[images * 3];
    float[] labels = new float[images * 3];
    for (int i = 0; i < images; i++) {
      names.add(prefix + i + ".png");
      for (int c = 0; c < 3; c++) {
        boolean positive = c < 2 && random.nextDouble() < 0.4;
        labels[i * 3 + c] = positive ? 1 : 0;
        probabilities[i * 3 + c] =
            (float) Math.min(1, Math.max(0, random.nextGaussian() * 0.2 + (positive ? 0.6 : 0.4)));
      }
    }
    return new PredictionSet(names, probabilities, labels);
  }

  @Test
  void writeAllWritesEveryFileWithTheAgreedKeys() throws IOException {
    PredictionSet test = sample(60, 1, "t");
    Path history = dir.resolve("history.csv");
    Files.writeString(
        history,
        "epoch,learning_rate,loss,val_loss,val_mean_auroc\n0,0.001,0.7,0.69,0.6\n1,0.001,0.6,0.65,NA\n");
    Path out = dir.resolve("report");
    DetailedEvaluation e =
        EvaluationReport.writeAll(
            out,
            "Test split",
            CLASSES,
            test,
            Optional.of(sample(50, 2, "v")),
            Optional.of(TrainingHistory.read(history)),
            ReportOptions.defaults().withBootstrap(200, 7));

    assertEquals(
        List.of(
            "metrics.json",
            "operating-points.csv",
            "report.html",
            "report.md",
            "roc.csv",
            "roc.png",
            "training.png"),
        filesIn(out));
    JsonNode json = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
    assertEquals(
        List.of(
            "mean_auroc",
            "images",
            "auroc",
            "mean_auroc_ci",
            "auroc_ci",
            "auroc_delong_ci",
            "bootstrap",
            "vs_reference"),
        fieldNames(json));
    assertEquals(e.result().meanAuroc(), json.get("mean_auroc").doubleValue(), 0);
    assertEquals(60, json.get("images").intValue());
    assertEquals(CLASSES, fieldNames(json.get("auroc")));
    assertEquals(
        Auroc.of(test.scores(0), test.truth(0)),
        json.get("auroc").get("Atelectasis").doubleValue(),
        0);
    assertTrue(json.get("auroc").get("Hernia").isNull(), "undefined is null, never 0.5 or NaN");
    assertTrue(json.get("auroc_ci").get("Hernia").isNull());
    JsonNode ci = json.get("auroc_ci").get("Effusion");
    double effusion = json.get("auroc").get("Effusion").doubleValue();
    assertTrue(ci.get("low").doubleValue() < effusion && effusion < ci.get("high").doubleValue());
    assertEquals(200, json.get("bootstrap").get("replicates").intValue());
    assertEquals(7, json.get("bootstrap").get("seed").intValue());

    List<String> roc = Files.readAllLines(out.resolve("roc.csv"));
    assertEquals("class,fpr,tpr,threshold", roc.get(0));
    assertEquals("Atelectasis,0.0,0.0,inf", roc.get(1));
    assertTrue(roc.stream().noneMatch(line -> line.startsWith("Hernia")));
    assertTrue(roc.contains("Effusion,1.0,1.0," + lastThreshold(e.rocCurves().get(1))));

    List<String> points = Files.readAllLines(out.resolve("operating-points.csv"));
    assertEquals(
        "class,rule,threshold,tp,fp,tn,fn,sensitivity,specificity,ppv,npv,f1", points.get(0));
    assertTrue(points.get(1).startsWith("Atelectasis,Youden's J,"), points.get(1));
    // Hernia: validation has no positive, so no threshold.
    assertEquals(3, points.size());

    String md = Files.readString(out.resolve("report.md"));
    assertTrue(md.startsWith("# Test split\n"));
    assertTrue(
        md.contains(
            "| Class | AUROC | 95% CI bootstrap | 95% CI DeLong | Positives | Negatives"
                + " | chexnet_paper_2017 | arnoweng_chexnet | jrzech_reproduce_chexnet"
                + " | zoogzog_chexnet | Δ vs chexnet_paper_2017 |"),
        md);
    assertTrue(md.contains("| Hernia | — | — | — | 0 | 60 | 0.9164 | 0.9104 | 0.9175 | 0.9416 |"));
    assertTrue(md.contains("## Operating points"));
    assertTrue(md.contains("- Hernia: no positive images in this split"));
    assertTrue(md.contains("![ROC curves per class](roc.png)"));
    assertTrue(md.contains("![Training curves](training.png)"));

    String html = Files.readString(out.resolve("report.html"));
    assertTrue(html.startsWith("<!DOCTYPE html>"));
    assertEquals(2, html.split("src=\"data:image/png;base64,", -1).length - 1, "plots embedded");
    assertTrue(html.contains("<td>Hernia</td>"));
    assertEquals(900, ImageIO.read(out.resolve("roc.png").toFile()).getWidth());
  }

  @Test
  void withoutValidationOrHistoryTheirFilesAreLeftOut() throws IOException {
    writeTestOnlyReport();
    assertEquals(
        List.of("metrics.json", "report.html", "report.md", "roc.csv", "roc.png"), filesIn(dir));
    assertFalse(Files.readString(dir.resolve("report.md")).contains("Operating points"));
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
  void overwritesExistingFilesWithoutLeavingTempFiles() throws IOException {
    Files.writeString(dir.resolve("metrics.json"), "stale");
    writeTestOnlyReport();
    assertTrue(new ObjectMapper().readTree(dir.resolve("metrics.json").toFile()).has("mean_auroc"));
    assertEquals(
        List.of("metrics.json", "report.html", "report.md", "roc.csv", "roc.png"), filesIn(dir));
  }

  /** A report on 30 images, without validation predictions or training history. */
  private void writeTestOnlyReport() throws IOException {
    EvaluationReport.writeAll(
        dir,
        "t",
        CLASSES,
        sample(30, 3, "t"),
        Optional.empty(),
        Optional.empty(),
        ReportOptions.defaults().withBootstrap(20, 1));
  }

  private static String lastThreshold(RocCurve curve) {
    return Float.toString((float) curve.thresholds()[curve.size() - 1]);
  }

  static List<String> filesIn(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
