package org.chexnet.tracking;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.mlflow.api.proto.Service;

/**
 * Copies a local run to a tracking server, or completes the copy made before: params, tags, every
 * metric value with its step and timestamp, artifacts, status and start/end time. Only what the
 * server lacks is sent, so pushing twice changes nothing; the server's copy is found by its {@link
 * SystemTags#LOCAL_RUN_ID} tag.
 */
public final class RunPush {
  // MLflow's log-batch limits per request.
  private static final int BATCH_METRICS = 1000;
  private static final int BATCH_PARAMS = 100;
  private static final int BATCH_TAGS = 100;
  // MLflow 2.17's longest tag value; a longer one (a failure message) is cut on the server only.
  private static final int MAX_TAG_VALUE = 5000;

  /**
   * What a push did.
   *
   * @param created whether the server had no copy of the run before
   * @param sent params, tags and metric values sent (0: the copy was complete)
   * @param uploaded artifact files uploaded
   */
  public record Result(
      String localRunId,
      String remoteRunId,
      String experimentId,
      boolean created,
      int sent,
      int uploaded) {
    /** "RUN (NAME) -> its page on the server: what was sent". */
    public String describe(RunRecord run, URI server) {
      return String.format(
          "%s (%s) -> %s/#/experiments/%s/runs/%s: %s",
          run.id(),
          run.name(),
          server,
          experimentId,
          remoteRunId,
          created
              ? String.format("new copy, %d values and %d files sent", sent, uploaded)
              : sent + uploaded == 0
                  ? "already complete"
                  : String.format("completed: %d values and %d files sent", sent, uploaded));
    }
  }

  private RunPush() {}

  /**
   * The runs to push: those named (ids or names), or every run of the store, oldest first so the
   * server lists them in the order they ran.
   */
  public static List<RunRecord> selected(LocalRunStore store, List<String> runs)
      throws IOException {
    if (!runs.isEmpty()) {
      List<RunRecord> named = new ArrayList<>();
      for (String run : runs) {
        named.add(Lookups.asInput(() -> store.readRun(run)));
      }
      return named;
    }
    List<RunRecord> all = new ArrayList<>(store.listRuns(Optional.empty()));
    all.sort(Comparator.comparingLong(RunRecord::startTime));
    return all;
  }

  /** Pushes the run; a run it names as its parent ({@code mlflow.parentRunId}) is pushed first. */
  public static Result push(LocalRunStore store, RunRecord run, MlflowServer server)
      throws IOException {
    String experimentId = server.experimentId(run.experimentName());
    Optional<Service.Run> existing = server.findCopyOf(experimentId, run.id());
    Service.Run remote =
        existing.isPresent()
            ? existing.get()
            : server
                .client()
                .getRun(
                    createCopy(
                        server,
                        experimentId,
                        run.id(),
                        run.name(),
                        run.startTime(),
                        run.tags().getOrDefault(SystemTags.USER, "")));
    String remoteId = remote.getInfo().getRunId();

    Map<String, String> remoteParams = new TreeMap<>();
    remote.getData().getParamsList().forEach(p -> remoteParams.put(p.getKey(), p.getValue()));
    List<Service.Param> params = new ArrayList<>();
    for (Map.Entry<String, String> param : run.params().entrySet()) {
      String logged = remoteParams.get(param.getKey());
      if (logged == null) {
        params.add(param(param.getKey(), param.getValue()));
      } else if (!logged.equals(param.getValue())) {
        throw new IllegalStateException(
            "Run "
                + remoteId
                + " on "
                + server.uri()
                + " has param '"
                + param.getKey()
                + "' = '"
                + logged
                + "' but local run "
                + run.id()
                + " has '"
                + param.getValue()
                + "': MLflow params cannot change");
      }
    }

    Map<String, String> remoteTags = new TreeMap<>();
    remote.getData().getTagsList().forEach(t -> remoteTags.put(t.getKey(), t.getValue()));
    List<Service.RunTag> tags = new ArrayList<>();
    for (Map.Entry<String, String> tag : run.tags().entrySet()) {
      String value = tag.getValue();
      if (tag.getKey().equals(SystemTags.PARENT_RUN_ID)) {
        value = remoteParentId(store, value, server);
      }
      Service.RunTag wanted = tag(tag.getKey(), value);
      if (!wanted.getValue().equals(remoteTags.get(tag.getKey()))) {
        tags.add(wanted);
      }
    }

    Set<String> remoteMetricKeys = new HashSet<>();
    remote.getData().getMetricsList().forEach(m -> remoteMetricKeys.add(m.getKey()));
    List<Service.Metric> metrics = new ArrayList<>();
    for (Map.Entry<String, List<MetricPoint>> history : store.metricHistories(run).entrySet()) {
      String key = history.getKey();
      Set<MetricPoint> logged = new HashSet<>();
      if (remoteMetricKeys.contains(key)) {
        server
            .client()
            .getMetricHistory(remoteId, key)
            .forEach(m -> logged.add(new MetricPoint(m.getTimestamp(), m.getValue(), m.getStep())));
      }
      for (MetricPoint point : history.getValue()) {
        if (logged.add(point)) {
          metrics.add(metric(key, point));
        }
      }
    }
    logBatch(server, remoteId, metrics, params, tags);

    Set<String> remoteInputs = new HashSet<>();
    remote
        .getInputs()
        .getDatasetInputsList()
        .forEach(
            i -> {
              String context = "";
              for (Service.InputTag tag : i.getTagsList()) {
                if (tag.getKey().equals(DatasetInput.CONTEXT_TAG)) {
                  context = tag.getValue();
                }
              }
              remoteInputs.add(
                  new DatasetInput(
                          i.getDataset().getName(),
                          i.getDataset().getDigest(),
                          i.getDataset().getSourceType(),
                          i.getDataset().getSource(),
                          null,
                          null,
                          context)
                      .key());
            });
    List<DatasetInput> inputs =
        store.datasetInputs(run).stream().filter(i -> !remoteInputs.contains(i.key())).toList();
    logInputs(server, remoteId, inputs);

    int uploaded =
        uploadMissingArtifacts(
            server,
            remote.getInfo().getArtifactUri(),
            store.runDirectory(run).resolve("artifacts"));

    RunStatus status = RunStatus.valueOf(run.status());
    if (status != RunStatus.RUNNING
        && run.endTime() != null
        && (remote.getInfo().getStatus().getNumber() != status.code()
            || remote.getInfo().getEndTime() != run.endTime())) {
      server
          .client()
          .setTerminated(remoteId, Service.RunStatus.forNumber(status.code()), run.endTime());
    }
    return new Result(
        run.id(),
        remoteId,
        experimentId,
        existing.isEmpty(),
        params.size() + tags.size() + metrics.size() + inputs.size(),
        uploaded);
  }

  /** Creates the server's copy of a local run, tagged with the local id; returns its id. */
  static String createCopy(
      MlflowServer server,
      String experimentId,
      String localRunId,
      String name,
      long startTime,
      String user) {
    return server
        .client()
        .createRun(
            Service.CreateRun.newBuilder()
                .setExperimentId(experimentId)
                .setRunName(name)
                .setStartTime(startTime)
                .setUserId(user)
                .addTags(tag(SystemTags.LOCAL_RUN_ID, localRunId))
                .build())
        .getRunId();
  }

  /**
   * The server's id for the parent of a local run: a local parent is pushed (or found) first; an id
   * that is no local run is taken to be the server's already.
   */
  static String remoteParentId(LocalRunStore store, String parentRunId, MlflowServer server)
      throws IOException {
    if (store.findRun(parentRunId).isEmpty()) {
      return parentRunId;
    }
    return push(store, store.readRun(parentRunId), server).remoteRunId();
  }

  /** Sends in as few log-batch calls as MLflow's per-request limits allow. */
  static void logBatch(
      MlflowServer server,
      String remoteRunId,
      List<Service.Metric> metrics,
      List<Service.Param> params,
      List<Service.RunTag> tags) {
    int m = 0;
    int p = 0;
    int t = 0;
    while (m < metrics.size() || p < params.size() || t < tags.size()) {
      List<Service.Param> paramChunk = params.subList(p, Math.min(params.size(), p + BATCH_PARAMS));
      List<Service.RunTag> tagChunk = tags.subList(t, Math.min(tags.size(), t + BATCH_TAGS));
      int room = BATCH_METRICS - paramChunk.size() - tagChunk.size();
      List<Service.Metric> metricChunk = metrics.subList(m, Math.min(metrics.size(), m + room));
      server.client().logBatch(remoteRunId, metricChunk, paramChunk, tagChunk);
      m += metricChunk.size();
      p += paramChunk.size();
      t += tagChunk.size();
    }
  }

  /**
   * MLflow's {@code runs/log-inputs}: each dataset with its context tag, as the Python client's
   * {@code log_input} sends them.
   */
  static void logInputs(MlflowServer server, String remoteRunId, List<DatasetInput> inputs)
      throws IOException {
    if (inputs.isEmpty()) {
      return;
    }
    List<Map<String, Object>> datasets = new ArrayList<>();
    for (DatasetInput input : inputs) {
      Map<String, Object> dataset = new java.util.LinkedHashMap<>();
      dataset.put("name", input.name());
      dataset.put("digest", input.digest());
      dataset.put("source_type", input.sourceType());
      dataset.put("source", input.source());
      if (input.schema() != null) {
        dataset.put("schema", input.schema());
      }
      if (input.profile() != null) {
        dataset.put("profile", input.profile());
      }
      datasets.add(
          Map.of(
              "dataset",
              dataset,
              "tags",
              List.of(Map.of("key", DatasetInput.CONTEXT_TAG, "value", input.context()))));
    }
    server.post("runs/log-inputs", Map.of("run_id", remoteRunId, "datasets", datasets));
  }

  static Service.Param param(String key, String value) {
    return Service.Param.newBuilder().setKey(key).setValue(value).build();
  }

  static Service.RunTag tag(String key, String value) {
    String cut = value.length() > MAX_TAG_VALUE ? value.substring(0, MAX_TAG_VALUE) : value;
    return Service.RunTag.newBuilder().setKey(key).setValue(cut).build();
  }

  static Service.Metric metric(String key, MetricPoint point) {
    return Service.Metric.newBuilder()
        .setKey(key)
        .setValue(point.value())
        .setTimestamp(point.timestamp())
        .setStep(point.step())
        .build();
  }

  /** Uploads the files the server lacks, or holds with another size; returns how many. */
  static int uploadMissingArtifacts(MlflowServer server, String artifactUri, Path artifacts)
      throws IOException {
    if (!Files.isDirectory(artifacts)) {
      return 0;
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(artifacts)) {
      // Names starting with '.' are AtomicFiles' and Checkpoints' unfinished temporaries.
      files =
          walk.filter(Files::isRegularFile)
              .filter(f -> !artifacts.relativize(f).toString().matches("(.*/)?\\..*"))
              .toList();
    }
    if (files.isEmpty()) {
      return 0;
    }
    Map<String, Long> remote = server.listArtifacts(artifactUri);
    int uploaded = 0;
    for (Path file : files) {
      String path = artifacts.relativize(file).toString().replace('\\', '/');
      if (remote.getOrDefault(path, -1L) != Files.size(file)) {
        server.uploadArtifact(artifactUri, path, file);
        uploaded++;
      }
    }
    return uploaded;
  }
}
