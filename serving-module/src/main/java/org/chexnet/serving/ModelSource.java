package org.chexnet.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.chexnet.tracking.LocalRunStore;
import org.chexnet.tracking.MlflowServer;
import org.chexnet.tracking.ModelRegistry;
import org.chexnet.tracking.RunRecord;

/**
 * Turns {@code --model} into a SavedModel on disk and what is known about it: a {@code
 * models:/NAME@ALIAS} or {@code models:/NAME/VERSION} URI (downloaded from the registry into a
 * cache, with the training run's test AUROC from the server), a run directory (its {@code
 * artifacts/saved_model}, {@code metrics.json} and {@code operating-points.csv}), a run's artifacts
 * directory, or a SavedModel directory.
 *
 * @param savedModel the SavedModel directory to load
 */
public record ModelSource(Path savedModel, ModelInfo info) {
  /** Written by a run's evaluation: {@code class,rule,threshold,...} per finding. */
  static final String OPERATING_POINTS_CSV = "operating-points.csv";

  static final String METRICS_JSON = "metrics.json";

  private static final String SAVED_MODEL_PB = "saved_model.pb";
  private static final String TEST_MEAN_AUROC = "test_mean_auroc";
  private static final String TEST_AUROC_PREFIX = "test_auroc_";

  /**
   * @param trackingUri the MLflow server for {@code models:/} URIs; empty when none is configured
   * @param cacheRoot where registry versions are downloaded ({@code cacheRoot/NAME/VERSION})
   * @throws IllegalArgumentException saying what {@code --model} should be when it names nothing
   *     servable
   */
  public static ModelSource resolve(String model, Optional<String> trackingUri, Path cacheRoot)
      throws IOException {
    if (model.startsWith("models:/")) {
      return fromRegistry(model, trackingUri, cacheRoot);
    }
    Path path = Path.of(model);
    if (Files.isRegularFile(path.resolve(SAVED_MODEL_PB))) {
      // A run's artifacts/saved_model: its evaluation sits beside it.
      Path parent = path.toAbsolutePath().normalize().getParent();
      return fromDirectory(path, parent, name(path), null, model);
    }
    if (Files.isRegularFile(path.resolve("saved_model").resolve(SAVED_MODEL_PB))) {
      // A run's artifacts directory (or a `chexnet run --out` copy of it).
      return fromDirectory(path.resolve("saved_model"), path, name(path), null, model);
    }
    Path artifacts = path.resolve("artifacts");
    if (Files.isRegularFile(artifacts.resolve("saved_model").resolve(SAVED_MODEL_PB))) {
      // An MLflow-layout run directory: mlruns/<experiment>/<run id>.
      String runId = name(path);
      return fromDirectory(
          artifacts.resolve("saved_model"), artifacts, runName(path), runId, model);
    }
    throw new IllegalArgumentException(
        "--model "
            + model
            + ": not a models:/NAME@ALIAS or models:/NAME/VERSION URI, a run directory with"
            + " artifacts/saved_model, nor a SavedModel directory (no saved_model.pb)");
  }

  private static ModelSource fromRegistry(String uri, Optional<String> trackingUri, Path cacheRoot)
      throws IOException {
    String server =
        trackingUri
            .filter(MlflowServer::isRemote)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "--model "
                            + uri
                            + ": the model registry is on an MLflow server; set --from or"
                            + " MLFLOW_TRACKING_URI to http(s)://..."));
    try (MlflowServer remote = MlflowServer.connect(URI.create(server))) {
      ModelRegistry registry = new ModelRegistry(remote);
      ModelRegistry.ModelVersion version = registry.resolve(uri);
      Path savedModel = registry.fetch(version.uri(), cacheRoot);
      Double mean = null;
      Map<String, Double> perClass = new LinkedHashMap<>();
      if (version.runId() != null && !version.runId().isEmpty()) {
        RunRecord run = remote.readRun(version.runId());
        mean = run.metrics().get(TEST_MEAN_AUROC);
        run.metrics()
            .forEach(
                (key, value) -> {
                  if (key.startsWith(TEST_AUROC_PREFIX)) {
                    perClass.put(key.substring(TEST_AUROC_PREFIX.length()), value);
                  }
                });
      }
      // The run's evaluation (thresholds) sits beside the registered SavedModel on the server.
      Path evaluation = savedModel.resolveSibling(version.version() + ".evaluation");
      registry.downloadRunFiles(version, List.of(OPERATING_POINTS_CSV), evaluation);
      Thresholds thresholds = readThresholds(evaluation.resolve(OPERATING_POINTS_CSV));
      return new ModelSource(
          savedModel,
          new ModelInfo(
              version.name(),
              version.version(),
              version.runId(),
              uri,
              mean,
              perClass,
              thresholds.values(),
              thresholds.rule()));
    }
  }

  private static ModelSource fromDirectory(
      Path savedModel, Path evaluationDir, String name, String runId, String source)
      throws IOException {
    Double mean = null;
    Map<String, Double> perClass = new LinkedHashMap<>();
    Path metrics = evaluationDir.resolve(METRICS_JSON);
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
    Thresholds thresholds = readThresholds(evaluationDir.resolve(OPERATING_POINTS_CSV));
    return new ModelSource(
        savedModel,
        new ModelInfo(
            name, null, runId, source, mean, perClass, thresholds.values(), thresholds.rule()));
  }

  private record Thresholds(Map<String, Double> values, String rule) {}

  /** Thresholds per finding from an evaluation's operating points; none when the file is absent. */
  static Thresholds readThresholds(Path csv) throws IOException {
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

  private static String name(Path path) {
    Path file = path.toAbsolutePath().normalize().getFileName();
    return file == null ? path.toString() : file.toString();
  }

  /** The run's name from its MLflow-layout store (mlruns/EXPERIMENT/RUN), else the run id. */
  private static String runName(Path runDir) {
    Path absolute = runDir.toAbsolutePath().normalize();
    if (Files.isRegularFile(absolute.resolve("meta.yaml")) && absolute.getNameCount() > 2) {
      try {
        String name =
            new LocalRunStore(absolute.getParent().getParent()).readRun(name(absolute)).name();
        if (name != null && !name.isEmpty()) {
          return name;
        }
      } catch (IOException | RuntimeException e) {
        // Not a readable store: the directory name still identifies the run.
      }
    }
    return name(absolute);
  }
}
