package org.chexnet.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * What is known about a model beyond its weights (a run's evaluation, an imported model's card, a
 * registry version): what a model reference resolves to, and what the serving page and {@code GET
 * /api/v1/model} show.
 *
 * @param name registered model name, or the run's or directory's name
 * @param version registry version; null outside a registry
 * @param runId the training run; null when unknown
 * @param source what {@code --model} named
 * @param testMeanAuroc the run's mean test AUROC; null when unknown
 * @param testAuroc per-finding test AUROC (empty when unknown)
 * @param thresholds per-finding operating-point thresholds from the run's evaluation (empty when
 *     none; findings missing here have no threshold)
 * @param thresholdRule how the thresholds were chosen, as the evaluation wrote it; null if none
 * @param card an imported model's card (where it came from, its published AUROC); null for a model
 *     trained here
 * @param modelCardFile the model's {@value #MODEL_CARD_MD} for people (a run's, an imported
 *     model's); null if none
 * @param calibrationFile the post-hoc calibration stored with the model ({@value
 *     #CALIBRATION_JSON}); null if none
 */
public record ModelInfo(
    String name,
    String version,
    String runId,
    String source,
    Double testMeanAuroc,
    Map<String, Double> testAuroc,
    Map<String, Double> thresholds,
    String thresholdRule,
    ModelCard card,
    Path modelCardFile,
    Path calibrationFile) {
  /** Written by a run's evaluation: {@code class,rule,threshold,...} per finding. */
  public static final String OPERATING_POINTS_CSV = "operating-points.csv";

  public static final String METRICS_JSON = "metrics.json";

  /** What the model is for and how it performs, beside the SavedModel. */
  public static final String MODEL_CARD_MD = "model-card.md";

  /** The post-hoc calibration a run fits on validation, beside the SavedModel. */
  public static final String CALIBRATION_JSON = "calibration.json";

  public ModelInfo {
    testAuroc = Map.copyOf(testAuroc);
    thresholds = Map.copyOf(thresholds);
  }

  /** A model trained here: no card. */
  public ModelInfo(
      String name,
      String version,
      String runId,
      String source,
      Double testMeanAuroc,
      Map<String, Double> testAuroc,
      Map<String, Double> thresholds,
      String thresholdRule) {
    this(
        name,
        version,
        runId,
        source,
        testMeanAuroc,
        testAuroc,
        thresholds,
        thresholdRule,
        null,
        null,
        null);
  }

  /**
   * An imported model directory: its name and provenance from its card; no test AUROC or thresholds
   * of ours (the card's published AUROC is the source project's). Its {@value #MODEL_CARD_MD} and a
   * {@value #CALIBRATION_JSON} put there are in the directory itself.
   */
  public static ModelInfo imported(ModelCard card, String source, Path directory) {
    return new ModelInfo(
        card.name(),
        null,
        null,
        source,
        null,
        Map.of(),
        Map.of(),
        null,
        card,
        existing(directory.resolve(MODEL_CARD_MD)),
        existing(directory.resolve(CALIBRATION_JSON)));
  }

  /**
   * This with {@code card}, e.g. a registry version's downloaded card, and the Markdown card of
   * {@code directory} when this has none.
   */
  public ModelInfo withCard(ModelCard newCard, Path directory) {
    return new ModelInfo(
        name,
        version,
        runId,
        source,
        testMeanAuroc,
        testAuroc,
        thresholds,
        thresholdRule,
        newCard,
        modelCardFile != null ? modelCardFile : existing(directory.resolve(MODEL_CARD_MD)),
        calibrationFile);
  }

  /**
   * The model with the evaluation a run wrote beside it ({@value #METRICS_JSON}, {@value
   * #OPERATING_POINTS_CSV}, {@value #MODEL_CARD_MD}, {@value #CALIBRATION_JSON} in {@code
   * evaluationDirectory}); without them, AUROC, thresholds, card and calibration are unknown.
   */
  public static ModelInfo read(
      String name, String version, String runId, String source, Path evaluationDirectory)
      throws IOException {
    Double mean = null;
    Map<String, Double> perClass = new LinkedHashMap<>();
    Path metrics = evaluationDirectory.resolve(METRICS_JSON);
    if (Files.isRegularFile(metrics)) {
      JsonNode json;
      try {
        json = new ObjectMapper().readTree(metrics.toFile());
      } catch (IOException e) {
        throw new IOException(metrics + ": not valid JSON: " + e.getMessage(), e);
      }
      if (json.path("mean_auroc").isNumber()) {
        mean = json.path("mean_auroc").asDouble();
      }
      json.path("auroc")
          .fields()
          .forEachRemaining(
              e -> {
                if (e.getValue().isNumber()) {
                  perClass.put(e.getKey(), e.getValue().asDouble());
                }
              });
    }
    Thresholds thresholds = readThresholds(evaluationDirectory.resolve(OPERATING_POINTS_CSV));
    return new ModelInfo(
        name,
        version,
        runId,
        source,
        mean,
        perClass,
        thresholds.values(),
        thresholds.rule(),
        null,
        existing(evaluationDirectory.resolve(MODEL_CARD_MD)),
        existing(evaluationDirectory.resolve(CALIBRATION_JSON)));
  }

  /** {@code file} when it is there, else null. */
  public static Path existing(Path file) {
    return Files.isRegularFile(file) ? file : null;
  }

  /** Per-finding thresholds and the rule that chose them (null without a file). */
  public record Thresholds(Map<String, Double> values, String rule) {}

  /** Thresholds per finding from an evaluation's operating points; none when the file is absent. */
  public static Thresholds readThresholds(Path csv) throws IOException {
    Map<String, Double> values = new LinkedHashMap<>();
    String rule = null;
    if (!Files.isRegularFile(csv)) {
      return new Thresholds(values, null);
    }
    try (Reader reader = Files.newBufferedReader(csv);
        CSVParser parser =
            CSVFormat.DEFAULT
                .builder()
                .setHeader()
                .setSkipHeaderRecord(true)
                .build()
                .parse(reader)) {
      if (!parser.getHeaderMap().containsKey("class")
          || !parser.getHeaderMap().containsKey("threshold")) {
        throw new IOException(
            csv + ": expected columns class and threshold, found " + parser.getHeaderNames());
      }
      for (CSVRecord row : parser) {
        String value = row.get("threshold");
        double threshold;
        try {
          // The evaluation writes "inf" where no score reaches a usable operating point.
          threshold =
              value.strip().equalsIgnoreCase("inf")
                  ? Double.POSITIVE_INFINITY
                  : Double.parseDouble(value);
        } catch (NumberFormatException e) {
          throw new IOException(
              csv
                  + " line "
                  + parser.getCurrentLineNumber()
                  + ": threshold '"
                  + value
                  + "'"
                  + " is not a number");
        }
        // "inf": no score reaches it (the class never had positives); no usable operating point.
        if (Double.isFinite(threshold)) {
          values.put(row.get("class"), threshold);
        }
        if (rule == null && row.isMapped("rule")) {
          rule = row.get("rule");
        }
      }
    }
    return new Thresholds(values, rule);
  }
}
