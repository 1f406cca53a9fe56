package org.chexnet.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.chexnet.common.AtomicFiles;
import org.chexnet.common.Hashes;

/**
 * Runs recorded in MLflow's file-store layout, so {@code mlflow ui --backend-store-uri ./mlruns}
 * and MLflow's Python client read them without a tracking server:
 *
 * <pre>
 * root/&lt;experiment_id&gt;/meta.yaml
 * root/&lt;experiment_id&gt;/&lt;run_id&gt;/{meta.yaml, params/, metrics/, tags/, artifacts/}
 * </pre>
 */
public final class LocalRunStore {
  static final String META_FILE = "meta.yaml";
  // MLflow 2.17 FileStore's DATASETS_FOLDER_NAME (per experiment) and INPUTS_FOLDER_NAME (per run).
  static final String DATASETS_DIR = "datasets";
  static final String INPUTS_DIR = "inputs";
  // MLflow moves deleted experiments here; their ids stay taken.
  private static final String TRASH_DIR = ".trash";
  private static final String DEFAULT_EXPERIMENT_ID = "0";
  private static final String DEFAULT_EXPERIMENT_NAME = "Default";
  private static final Pattern NUMERIC = Pattern.compile("[0-9]+");
  private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9_-]+");

  private final Path root;

  /**
   * @param root the store directory, e.g. {@code ./mlruns}; created on the first write
   */
  public LocalRunStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  /**
   * Starts a RUNNING run in the experiment with that name, creating the experiment if no experiment
   * of the store has that name yet.
   */
  public Run startRun(String experimentName, String runName) throws IOException {
    return startRun(experimentName, runName, RunMirror.NONE);
  }

  Run startRun(String experimentName, String runName, RunMirror mirror) throws IOException {
    requireNonBlank(experimentName, "experimentName");
    requireNonBlank(runName, "runName");
    ensureDefaultExperiment();
    Optional<String> existing = findExperimentId(experimentName);
    String experimentId = existing.isPresent() ? existing.get() : createExperiment(experimentName);
    String runId = UUID.randomUUID().toString().replace("-", "");
    return Run.create(
        root.resolve(experimentId).resolve(runId), experimentId, runId, runName, mirror);
  }

  /**
   * The active runs of the store, or of the experiment with that name, newest first.
   *
   * @throws IllegalArgumentException naming the experiments there are, when none has that name
   */
  public List<RunRecord> listRuns(Optional<String> experimentName) throws IOException {
    Map<String, String> experiments = experimentNames();
    if (experimentName.isPresent() && !experiments.containsValue(experimentName.get())) {
      throw new IllegalArgumentException(
          "No experiment '"
              + experimentName.get()
              + "' in "
              + root
              + "; experiments: "
              + new TreeSet<>(experiments.values()));
    }
    List<RunRecord> runs = new ArrayList<>();
    for (Map.Entry<String, String> experiment : experiments.entrySet()) {
      if (experimentName.isPresent() && !experimentName.get().equals(experiment.getValue())) {
        continue;
      }
      try (Stream<Path> children = Files.list(root.resolve(experiment.getKey()))) {
        for (Path run : children.filter(LocalRunStore::isRunDirectory).toList()) {
          RunRecord record = readRun(run, experiment.getValue());
          if (record != null) {
            runs.add(record);
          }
        }
      }
    }
    runs.sort(Comparator.comparingLong(RunRecord::startTime).reversed());
    return runs;
  }

  /**
   * The run with that id or, failing that, the only active run with that name.
   *
   * @throws IllegalArgumentException when there is no such run, or several runs have that name
   */
  public RunRecord readRun(String idOrName) throws IOException {
    Optional<Path> byId = findRun(idOrName);
    if (byId.isPresent()) {
      Path directory = byId.get();
      String experimentId = directory.getParent().getFileName().toString();
      RunRecord run = readRun(directory, experimentNames().get(experimentId));
      if (run != null) {
        return run;
      }
    }
    List<RunRecord> named =
        listRuns(Optional.empty()).stream().filter(r -> r.name().equals(idOrName)).toList();
    if (named.size() == 1) {
      return named.get(0);
    }
    if (named.isEmpty()) {
      throw new IllegalArgumentException(
          "No run with id or name '"
              + idOrName
              + "' in "
              + root
              + " (chexnet runs list shows them)");
    }
    throw new IllegalArgumentException(
        named.size()
            + " runs are named '"
            + idOrName
            + "' in "
            + root
            + ": give one of their ids: "
            + named.stream().map(RunRecord::id).toList());
  }

  /**
   * The run with that id or name, RUNNING again so that it can be continued (a run killed while
   * RUNNING, or one that FAILED).
   *
   * @throws IllegalArgumentException when there is no such run, or it FINISHED
   */
  public Run reopenRun(String idOrName) throws IOException {
    return reopenRun(idOrName, RunMirror.NONE);
  }

  Run reopenRun(String idOrName, RunMirror mirror) throws IOException {
    RunRecord record = readRun(idOrName);
    if (record.status().equals(RunStatus.FINISHED.name())) {
      throw new IllegalArgumentException(
          "run " + record.id() + " (" + record.name() + ") FINISHED already: nothing to resume");
    }
    return Run.reopen(runDirectory(record), record, mirror);
  }

  /** The directory of a run read by {@link #readRun(String)} or {@link #listRuns}. */
  public Path runDirectory(RunRecord run) {
    return root.resolve(run.experimentId()).resolve(run.id());
  }

  /** Every logged value of every metric of the run, in logging order. */
  public Map<String, List<MetricPoint>> metricHistories(RunRecord run) throws IOException {
    return metricHistories(runDirectory(run));
  }

  private static Map<String, List<MetricPoint>> metricHistories(Path runDirectory)
      throws IOException {
    Path metrics = runDirectory.resolve("metrics");
    Map<String, List<MetricPoint>> histories = new TreeMap<>();
    for (Map.Entry<String, Path> metric : keyFiles(metrics).entrySet()) {
      List<MetricPoint> points = new ArrayList<>();
      for (String line : Files.readAllLines(metric.getValue(), StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          points.add(parseMetricLine(metric.getValue(), line));
        }
      }
      histories.put(metric.getKey(), points);
    }
    return histories;
  }

  private static MetricPoint parseMetricLine(Path file, String line) throws IOException {
    String[] fields = line.trim().split(" ");
    try {
      long step = fields.length > 2 ? Long.parseLong(fields[2]) : 0;
      return new MetricPoint(Long.parseLong(fields[0]), Double.parseDouble(fields[1]), step);
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
      throw new IOException(
          file + ": not an MLflow metric line ('timestamp value step'): '" + line + "'", e);
    }
  }

  /** Whether {@code path} is a run directory of an MLflow file store (it has meta.yaml). */
  public static boolean isRunDirectory(Path path) {
    return Files.isRegularFile(path.resolve(META_FILE));
  }

  // null for a deleted run, which MLflow hides too
  private static RunRecord readRun(Path directory, String experimentName) throws IOException {
    JsonNode meta = MlflowYaml.read(directory.resolve(META_FILE));
    if (!"active".equals(meta.path("lifecycle_stage").asText("active"))) {
      return null;
    }
    Map<String, Double> latest = new TreeMap<>();
    metricHistories(directory)
        .forEach(
            (key, points) ->
                points.stream()
                    .reduce((a, b) -> MetricPoint.isAfter(b, a) ? b : a)
                    .ifPresent(point -> latest.put(key, point.value())));
    return new RunRecord(
        directory.getFileName().toString(),
        directory.getParent().getFileName().toString(),
        experimentName,
        meta.path("run_name").asText(""),
        RunStatus.fromCode(meta.path("status").asInt()).name(),
        meta.path("start_time").asLong(),
        meta.path("end_time").isNumber() ? meta.path("end_time").asLong() : null,
        readKeyFiles(directory.resolve("params")),
        readKeyFiles(directory.resolve("tags")),
        latest,
        meta.path("artifact_uri").asText(""));
  }

  // experiment id -> name, active experiments only
  private Map<String, String> experimentNames() throws IOException {
    Map<String, String> names = new TreeMap<>();
    if (!Files.isDirectory(root)) {
      return names;
    }
    try (Stream<Path> children = Files.list(root)) {
      for (Path directory : children.filter(LocalRunStore::isRunDirectory).toList()) {
        JsonNode experiment = MlflowYaml.read(directory.resolve(META_FILE));
        if ("active".equals(experiment.path("lifecycle_stage").asText("active"))) {
          names.put(directory.getFileName().toString(), experiment.path("name").asText());
        }
      }
    }
    return names;
  }

  private static Map<String, String> readKeyFiles(Path folder) throws IOException {
    Map<String, String> values = new TreeMap<>();
    for (Map.Entry<String, Path> key : keyFiles(folder).entrySet()) {
      values.put(key.getKey(), Files.readString(key.getValue(), StandardCharsets.UTF_8));
    }
    return values;
  }

  // Keys with '/' are files in sub-directories; AtomicFiles' temporary files start with '.'.
  private static Map<String, Path> keyFiles(Path folder) throws IOException {
    Map<String, Path> files = new TreeMap<>();
    if (!Files.isDirectory(folder)) {
      return files;
    }
    try (Stream<Path> walk = Files.walk(folder)) {
      for (Path file : walk.filter(Files::isRegularFile).toList()) {
        if (!file.getFileName().toString().startsWith(".")) {
          files.put(folder.relativize(file).toString().replace('\\', '/'), file);
        }
      }
    }
    return files;
  }

  /**
   * The datasets the run recorded as inputs ({@link Run#logInputs}), in no particular order.
   *
   * @throws IOException naming an input whose dataset is missing or whose file is unreadable
   */
  public List<DatasetInput> datasetInputs(RunRecord run) throws IOException {
    Path runDirectory = runDirectory(run);
    Path inputs = runDirectory.resolve(INPUTS_DIR);
    if (!Files.isDirectory(inputs)) {
      return List.of();
    }
    Path datasets = runDirectory.getParent().resolve(DATASETS_DIR);
    List<DatasetInput> found = new ArrayList<>();
    List<Path> edges;
    try (Stream<Path> children = Files.list(inputs)) {
      edges = children.filter(d -> Files.isRegularFile(d.resolve(META_FILE))).sorted().toList();
    }
    for (Path edge : edges) {
      JsonNode input = MlflowYaml.read(edge.resolve(META_FILE));
      Path datasetMeta = datasets.resolve(input.path("source_id").asText()).resolve(META_FILE);
      if (!Files.isRegularFile(datasetMeta)) {
        throw new IOException(
            edge.resolve(META_FILE) + ": its dataset " + datasetMeta + " is missing");
      }
      JsonNode dataset = MlflowYaml.read(datasetMeta);
      found.add(
          new DatasetInput(
              dataset.path("name").asText(),
              dataset.path("digest").asText(),
              dataset.path("source_type").asText(),
              dataset.path("source").asText(),
              textOrNull(dataset.path("schema")),
              textOrNull(dataset.path("profile")),
              input.path("tags").path(DatasetInput.CONTEXT_TAG).asText("")));
    }
    return found;
  }

  private static String textOrNull(JsonNode node) {
    return node.isMissingNode() || node.isNull() ? null : node.asText();
  }

  /** MLflow's FileStore._get_dataset_id: md5 of the name then the digest, hex. */
  static String datasetId(String name, String digest) {
    return Hashes.hex(Hashes.md5().digest((name + digest).getBytes(StandardCharsets.UTF_8)));
  }

  /** MLflow's FileStore._get_input_id: md5 of the dataset id then the run id, hex. */
  static String inputId(String datasetId, String runId) {
    return Hashes.hex(Hashes.md5().digest((datasetId + runId).getBytes(StandardCharsets.UTF_8)));
  }

  /** The directory of the run with that id, in whichever experiment it is. */
  public Optional<Path> findRun(String runId) throws IOException {
    if (runId == null || !RUN_ID.matcher(runId).matches() || !Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> experiments = Files.list(root)) {
      return experiments
          .map(experiment -> experiment.resolve(runId))
          .filter(run -> Files.isRegularFile(run.resolve(META_FILE)))
          .findFirst();
    }
  }

  // MLflow expects experiment 0 ("Default") in every file store.
  private void ensureDefaultExperiment() throws IOException {
    Files.createDirectories(root);
    Path directory = root.resolve(DEFAULT_EXPERIMENT_ID);
    if (!Files.isRegularFile(directory.resolve(META_FILE))) {
      Files.createDirectories(directory);
      writeExperimentMeta(directory, DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME);
    }
  }

  private Optional<String> findExperimentId(String name) throws IOException {
    List<Path> directories;
    try (Stream<Path> children = Files.list(root)) {
      directories = children.toList();
    }
    for (Path directory : directories) {
      Path meta = directory.resolve(META_FILE);
      if (Files.isRegularFile(meta)) {
        JsonNode experiment = MlflowYaml.read(meta);
        if (name.equals(experiment.path("name").asText(null))) {
          return Optional.of(directory.getFileName().toString());
        }
      }
    }
    return Optional.empty();
  }

  private String createExperiment(String name) throws IOException {
    while (true) {
      String id = nextExperimentId();
      Path directory = root.resolve(id);
      try {
        // Claims the id; another process creating an experiment at once gets the next one.
        Files.createDirectory(directory);
      } catch (FileAlreadyExistsException taken) {
        continue;
      }
      writeExperimentMeta(directory, id, name);
      return id;
    }
  }

  private String nextExperimentId() throws IOException {
    BigInteger largest = BigInteger.ZERO;
    for (Path parent : List.of(root, root.resolve(TRASH_DIR))) {
      if (!Files.isDirectory(parent)) {
        continue;
      }
      try (Stream<Path> children = Files.list(parent)) {
        largest =
            children
                .map(child -> child.getFileName().toString())
                .filter(name -> NUMERIC.matcher(name).matches())
                .map(BigInteger::new)
                .reduce(largest, BigInteger::max);
      }
    }
    return largest.add(BigInteger.ONE).toString();
  }

  private static void writeExperimentMeta(Path directory, String id, String name)
      throws IOException {
    long now = System.currentTimeMillis();
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("artifact_location", fileUri(directory));
    meta.put("creation_time", now);
    meta.put("experiment_id", id);
    meta.put("last_update_time", now);
    meta.put("lifecycle_stage", "active");
    meta.put("name", name);
    AtomicFiles.write(
        directory.resolve(META_FILE), MlflowYaml.render(meta).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * {@code file:///abs/path} without the trailing '/' that {@link Path#toUri()} adds to
   * directories.
   */
  static String fileUri(Path path) {
    String uri = path.toAbsolutePath().toUri().toString();
    return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
  }

  private static void requireNonBlank(String value, String what) {
    if (Objects.requireNonNull(value, what).isBlank()) {
      throw new IllegalArgumentException(what + " is blank");
    }
  }
}
