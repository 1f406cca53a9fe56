package org.chexnet.tracking;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.chexnet.common.AtomicFiles;
import org.chexnet.common.FileTrees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MLflow run, started by {@link LocalRunStore#startRun}. Every file is written atomically, so a
 * crash leaves each param, tag, artifact and meta.yaml either complete or absent.
 *
 * <p>Use it in try-with-resources and call {@link #end(RunStatus)} on success: {@link #close()} on
 * a run that is still RUNNING marks it FAILED, because reaching close() without end() means the
 * work threw.
 */
public final class Run implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Run.class);
  // MLflow's SourceType.LOCAL; the file store writes it into every run's meta.yaml.
  private static final int SOURCE_TYPE_LOCAL = 4;

  private final Path directory;
  private final String experimentId;
  private final String id;
  private final String name;
  private final String userId;
  private final long startTime;
  private final RunMirror mirror;
  private RunStatus status = RunStatus.RUNNING;
  private Long endTime;

  /**
   * For a reopened run: per metric, the "value step" entries its history holds (read on first use).
   * Null for a new run, whose histories start empty.
   */
  private Map<String, Set<String>> recordedMetrics;

  private Run(
      Path directory,
      String experimentId,
      String id,
      String name,
      String userId,
      long startTime,
      RunMirror mirror) {
    this.directory = directory;
    this.experimentId = experimentId;
    this.id = id;
    this.name = name;
    this.userId = userId;
    this.startTime = startTime;
    this.mirror = mirror;
  }

  static Run create(Path directory, String experimentId, String id, String name, RunMirror mirror)
      throws IOException {
    Files.createDirectories(directory);
    Run run =
        new Run(
            directory,
            experimentId,
            id,
            name,
            System.getProperty("user.name", ""),
            System.currentTimeMillis(),
            mirror);
    run.writeMeta();
    for (String folder : List.of("artifacts", "metrics", "params", "tags")) {
      Files.createDirectories(directory.resolve(folder));
    }
    mirror.started(run);
    run.setTag(SystemTags.RUN_NAME, name);
    run.setTag(SystemTags.USER, run.userId);
    run.setTag(SystemTags.SOURCE_TYPE, "LOCAL");
    run.setTag(SystemTags.SOURCE_NAME, "chexnet");
    run.recordProcess();
    return run;
  }

  /**
   * The run recorded in {@code record}, RUNNING again (a killed or failed run being resumed): its
   * id, name, user and start time are kept, its end time cleared.
   */
  static Run reopen(Path directory, RunRecord record, RunMirror mirror) throws IOException {
    Run run =
        new Run(
            directory,
            record.experimentId(),
            record.id(),
            record.name(),
            MlflowYaml.read(directory.resolve(LocalRunStore.META_FILE)).path("user_id").asText(""),
            record.startTime(),
            mirror);
    // What the kill left half written goes; the resumed run writes it again.
    AtomicFiles.deleteLeftovers(directory);
    run.recordedMetrics = new HashMap<>();
    run.writeMeta();
    run.recordProcess();
    return run;
  }

  /** Which process runs it now, so that `runs list` can tell a killed run from a running one. */
  private void recordProcess() throws IOException {
    setTags(RunProcess.current().tags());
  }

  /**
   * A free-text name (a finding such as "Support Devices (PadChest)") as one segment of a param,
   * tag or metric key: each character MLflow refuses in keys, and '/', becomes '_'.
   */
  public static String keySegment(String name) {
    return name.replaceAll("[^A-Za-z0-9_\\-. ]", "_");
  }

  public String id() {
    return id;
  }

  public String experimentId() {
    return experimentId;
  }

  public String name() {
    return name;
  }

  public Path directory() {
    return directory;
  }

  public String userId() {
    return userId;
  }

  public long startTime() {
    return startTime;
  }

  public synchronized RunStatus status() {
    return status;
  }

  /** When {@link #end} was called; null while the run is RUNNING. */
  public synchronized Long endTime() {
    return endTime;
  }

  public Path artifactsDir() {
    return directory.resolve("artifacts");
  }

  /**
   * Records a param. Params are immutable in MLflow: logging a key again with the same value is a
   * no-op, with another value an {@link IllegalStateException} naming the key.
   */
  public synchronized void logParam(String key, String value) throws IOException {
    Path file = directory.resolve("params").resolve(Keys.requireValid(key));
    String text = Objects.requireNonNull(value, key);
    if (Files.exists(file)) {
      String logged = Files.readString(file, StandardCharsets.UTF_8);
      if (!logged.equals(text)) {
        throw new IllegalStateException(
            "Param '"
                + key
                + "' was already logged as '"
                + logged
                + "' in run "
                + id
                + "; params cannot change (tried '"
                + text
                + "')");
      }
      return;
    }
    AtomicFiles.write(file, text.getBytes(StandardCharsets.UTF_8));
    mirror.param(key, text);
  }

  public synchronized void logParams(Map<String, String> params) throws IOException {
    for (Map.Entry<String, String> param : params.entrySet()) {
      logParam(param.getKey(), param.getValue());
    }
  }

  /**
   * Appends {@code <timestamp_millis> <value> <step>} to the metric's history; timestamp is now.
   *
   * <p>In a reopened run, a value the history holds already at that step is not logged again: a
   * resumed run repeats the work after its last backup, and the values it logged before the kill.
   */
  public synchronized void logMetric(String key, double value, long step) throws IOException {
    Path file = directory.resolve("metrics").resolve(Keys.requireValid(key));
    String entry = value + " " + step;
    if (recordedMetrics != null && !recordedMetrics(key, file).add(entry)) {
      return;
    }
    long timestamp = System.currentTimeMillis();
    AtomicFiles.appendLine(file, timestamp + " " + entry);
    mirror.metric(key, value, timestamp, step);
  }

  private Set<String> recordedMetrics(String key, Path file) throws IOException {
    Set<String> entries = recordedMetrics.get(key);
    if (entries == null) {
      entries = new HashSet<>();
      if (Files.exists(file)) {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          entries.add(line.substring(line.indexOf(' ') + 1)); // without the timestamp
        }
      }
      recordedMetrics.put(key, entries);
    }
    return entries;
  }

  /** Sets or replaces a tag. */
  public synchronized void setTag(String key, String value) throws IOException {
    Path file = directory.resolve("tags").resolve(Keys.requireValid(key));
    AtomicFiles.write(file, Objects.requireNonNull(value, key).getBytes(StandardCharsets.UTF_8));
    mirror.tag(key, value);
  }

  public synchronized void setTags(Map<String, String> tags) throws IOException {
    for (Map.Entry<String, String> tag : tags.entrySet()) {
      setTag(tag.getKey(), tag.getValue());
    }
  }

  /**
   * Records datasets the run read as its inputs, where MLflow 2.17's file store keeps them: each
   * dataset once per experiment in {@code <experiment>/datasets/<md5(name, digest)>/meta.yaml}, and
   * the run's use of it in {@code <run>/inputs/<md5(dataset id, run id)>/meta.yaml} with its
   * context tag. As MLflow's {@code log_inputs}, an input logged again is left as it was.
   */
  public synchronized void logInputs(List<DatasetInput> inputs) throws IOException {
    Path datasets = directory.getParent().resolve(LocalRunStore.DATASETS_DIR);
    for (DatasetInput input : inputs) {
      String datasetId = LocalRunStore.datasetId(input.name(), input.digest());
      Path datasetMeta = datasets.resolve(datasetId).resolve(LocalRunStore.META_FILE);
      if (!Files.exists(datasetMeta)) {
        Map<String, Object> dataset = new LinkedHashMap<>();
        dataset.put("name", input.name());
        dataset.put("digest", input.digest());
        dataset.put("source_type", input.sourceType());
        dataset.put("source", input.source());
        dataset.put("schema", input.schema());
        dataset.put("profile", input.profile());
        AtomicFiles.write(datasetMeta, MlflowYaml.render(dataset).getBytes(StandardCharsets.UTF_8));
      }
      Path inputMeta =
          directory
              .resolve(LocalRunStore.INPUTS_DIR)
              .resolve(LocalRunStore.inputId(datasetId, id))
              .resolve(LocalRunStore.META_FILE);
      if (!Files.exists(inputMeta)) {
        Map<String, Object> edge = new LinkedHashMap<>();
        edge.put("source_type", "DATASET");
        edge.put("source_id", datasetId);
        edge.put("destination_type", "RUN");
        // MLflow 2.17's FileStore writes the dataset id here too (and never reads it back).
        edge.put("destination_id", datasetId);
        edge.put("tags", Map.of(DatasetInput.CONTEXT_TAG, input.context()));
        AtomicFiles.write(inputMeta, MlflowYaml.render(edge).getBytes(StandardCharsets.UTF_8));
      }
    }
    mirror.inputs(List.copyOf(inputs));
  }

  /**
   * Copies a file, or a directory tree, to {@code artifacts/<artifactDir>/<source name>} ({@code
   * ""} is the top of artifacts), replacing what was there file by file.
   *
   * @return the path of the copy
   */
  public synchronized Path logArtifact(Path source, String artifactDir) throws IOException {
    Path targetDir = artifactsDir().resolve(Keys.requireValidArtifactDir(artifactDir));
    Path copy = targetDir.resolve(source.getFileName().toString());
    if (!Files.isDirectory(source)) {
      AtomicFiles.copy(source, copy);
      return copy;
    }
    FileTrees.copy(source, copy);
    return copy;
  }

  /**
   * Copies all artifacts to {@code target} (a fixed path for DVC outs and scripts), replacing what
   * was there as a whole: the copy is staged beside it and swapped in, so readers never see a mix
   * of two runs.
   */
  public synchronized void exportArtifacts(Path target) throws IOException {
    AtomicFiles.replaceDirectory(target, staging -> FileTrees.copy(artifactsDir(), staging));
  }

  /** Writes {@code content} atomically to {@code artifacts/<relativePath>}; returns that path. */
  public synchronized Path writeArtifact(String relativePath, byte[] content) throws IOException {
    Path file = artifactsDir().resolve(Keys.requireValid(relativePath));
    AtomicFiles.write(file, content);
    return file;
  }

  /**
   * Sets the run's final status and end time in meta.yaml; with a remote mirror, then waits for it
   * to upload the artifacts and the status (a failing server is logged, never thrown).
   */
  public synchronized void end(RunStatus finalStatus) throws IOException {
    status = Objects.requireNonNull(finalStatus, "finalStatus");
    endTime = System.currentTimeMillis();
    writeMeta();
    mirror.ended(this);
  }

  /**
   * Ends the run as FAILED if it is still RUNNING (a run closed without {@link #end} crashed);
   * otherwise does nothing.
   */
  @Override
  public synchronized void close() {
    if (status != RunStatus.RUNNING) {
      return;
    }
    LOG.warn("Run {} ({}) closed without end(): marking it FAILED", id, name);
    try {
      end(RunStatus.FAILED);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not mark run " + id + " FAILED", e);
    }
  }

  // Field for field what MLflow's FileStore persists (_make_persisted_run_info_dict).
  private void writeMeta() throws IOException {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("artifact_uri", LocalRunStore.fileUri(artifactsDir()));
    meta.put("end_time", endTime);
    meta.put("entry_point_name", "");
    meta.put("experiment_id", experimentId);
    meta.put("lifecycle_stage", "active");
    meta.put("run_id", id);
    meta.put("run_name", name);
    meta.put("run_uuid", id);
    meta.put("source_name", "");
    meta.put("source_type", SOURCE_TYPE_LOCAL);
    meta.put("source_version", "");
    meta.put("start_time", startTime);
    meta.put("status", status.code());
    meta.put("tags", List.of());
    meta.put("user_id", userId);
    AtomicFiles.write(
        directory.resolve(LocalRunStore.META_FILE),
        MlflowYaml.render(meta).getBytes(StandardCharsets.UTF_8));
  }
}
