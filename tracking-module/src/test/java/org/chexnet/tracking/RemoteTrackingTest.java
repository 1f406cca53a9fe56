package org.chexnet.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a real MLflow 2.17.2 server (see {@link MlflowTestServer}): what chexnet logs, mirrors,
 * pushes and registers is read back with MLflow's own Python client and compared.
 */
public class RemoteTrackingTest {
  private static final int EPOCHS = 5;
  @TempDir static Path shared;
  private static MlflowTestServer server;
  @TempDir Path temp;

  @BeforeAll
  static void startServer() throws Exception {
    server = MlflowTestServer.start(shared.resolve("server"));
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void mirroredRunReadsBackEqualFromServerAndLocalStore() throws Exception {
    Tracking tracking = Tracking.open(temp.resolve("mlruns"), Optional.of(server.uri()), Map.of());
    Run run = tracking.startRun("mirror", "densenet-mirror");
    logTraining(run, 0, EPOCHS);
    run.end(RunStatus.FINISHED);

    RunRecord local = tracking.local().readRun(run.id());
    String remoteId = remoteIdOf(run.id(), "mirror");
    JsonNode remote = server.readRun(server.uri().toString(), remoteId);
    assertRunEquals(local, tracking.local(), remote);
    assertEquals(run.id(), remote.path("tags").path(SystemTags.LOCAL_RUN_ID).asText());
    // "Datasets used": both splits, each with its context, through runs/log-inputs.
    assertEquals(2, remote.path("inputs").size(), remote.path("inputs").toString());
    assertEquals("train", remote.path("inputs").get(0).path("context").asText());
    for (String tag :
        List.of(
            SystemTags.RUN_NAME,
            SystemTags.USER,
            SystemTags.SOURCE_NAME,
            SystemTags.SOURCE_TYPE,
            "mlflow.source.git.commit")) {
      assertFalse(remote.path("tags").path(tag).asText().isEmpty(), tag);
    }

    // MLflow reads our local file store as the same run.
    JsonNode fromFiles = server.readRun(LocalRunStore.fileUri(tracking.local().root()), run.id());
    ObjectNode serverTags = (ObjectNode) remote.path("tags").deepCopy();
    serverTags.remove(SystemTags.LOCAL_RUN_ID);
    assertEquals(fromFiles.path("tags"), serverTags);
    for (String part : List.of("info", "params", "metrics", "artifacts", "inputs")) {
      assertEquals(fromFiles.path(part), remote.path(part), part);
    }
  }

  @Test
  void childRunPointsAtItsParentsServerCopy() throws Exception {
    Tracking tracking = Tracking.open(temp.resolve("mlruns"), Optional.of(server.uri()), Map.of());
    Run parent = tracking.startRun("sweep", "sweep-parent");
    Run child = tracking.startRun("sweep", "trial-1", parent.id());
    child.logMetric("val_loss", 0.5, 0);
    child.end(RunStatus.FINISHED);
    parent.end(RunStatus.FINISHED);

    JsonNode remoteChild = server.readRun(server.uri().toString(), remoteIdOf(child.id(), "sweep"));
    assertEquals(
        remoteIdOf(parent.id(), "sweep"),
        remoteChild.path("tags").path(SystemTags.PARENT_RUN_ID).asText());
  }

  @Test
  void pushCopiesALocalRunOnceAndAgainChangesNothing() throws Exception {
    LocalRunStore store = new LocalRunStore(temp.resolve("mlruns"));
    Run run = store.startRun("push", "offline-run");
    logTraining(run, 0, EPOCHS);
    run.end(RunStatus.FINISHED);
    RunRecord local = store.readRun(run.id());

    try (MlflowServer remote = MlflowServer.connect(server.uri(), Map.of())) {
      RunPush.Result first = RunPush.push(store, local, remote);
      assertTrue(first.created());
      assertTrue(first.uploaded() > 0);
      RunPush.Result second = RunPush.push(store, local, remote);
      assertFalse(second.created());
      assertEquals(first.remoteRunId(), second.remoteRunId());
      assertEquals(0, second.sent());
      assertEquals(0, second.uploaded());

      List<RunRecord> listed = remote.listRuns(Optional.of("push"));
      assertEquals(1, listed.size());
      assertEquals(local.metrics(), listed.get(0).metrics());
      assertEquals(local.params(), listed.get(0).params());
      assertRunEquals(local, store, server.readRun(server.uri().toString(), first.remoteRunId()));
    }
  }

  @Test
  void aResumedRunIsPushedWhenItEnds() throws Exception {
    LocalRunStore store = new LocalRunStore(temp.resolve("mlruns"));
    Run crashed = store.startRun("resumed", "crashed-run");
    logTraining(crashed, 0, 1); // killed after its first epoch: still RUNNING, never on the server
    Run resumed =
        Tracking.open(store.root(), Optional.of(server.uri()), Map.of()).reopenRun(crashed.id());
    logTraining(resumed, 1, EPOCHS);
    resumed.end(RunStatus.FINISHED);
    RunRecord local = store.readRun(crashed.id());
    assertEquals("FINISHED", local.status());
    assertRunEquals(
        local, store, server.readRun(server.uri().toString(), remoteIdOf(crashed.id(), "resumed")));
  }

  @Test
  void serverKilledMidRunThenPushCompletesTheServerCopy() throws Exception {
    Path dir = temp.resolve("dying-server");
    try (MlflowTestServer dying = MlflowTestServer.start(dir)) {
      Tracking tracking = Tracking.open(temp.resolve("mlruns"), Optional.of(dying.uri()), Map.of());
      ByteArrayOutputStream log = new ByteArrayOutputStream();
      PrintStream err = System.err;
      Run run;
      try {
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        run = tracking.startRun("crash", "killed-server");
        logTraining(run, 0, 2);
        String remoteId = awaitRemoteMetric(dying.uri(), run.id(), "crash", "val_loss", 1);
        assertFalse(remoteId.isEmpty());
        dying.kill();

        logTraining(run, 2, EPOCHS);
        run.end(RunStatus.FINISHED);
      } finally {
        System.setErr(err);
      }
      String output = log.toString(StandardCharsets.UTF_8);
      assertEquals(1, output.split("MLflow server ", -1).length - 1, output);
      assertTrue(output.contains("chexnet runs push " + run.id() + " --to " + dying.uri()), output);

      // Locally complete: every epoch, the artifacts, FINISHED.
      RunRecord local = tracking.local().readRun(run.id());
      assertEquals("FINISHED", local.status());
      assertEquals(EPOCHS, tracking.local().metricHistories(local).get("val_loss").size());

      dying.restart();
      try (MlflowServer remote = MlflowServer.connect(dying.uri(), Map.of())) {
        RunPush.Result pushed = RunPush.push(tracking.local(), local, remote);
        assertFalse(pushed.created());
        assertRunEquals(
            local, tracking.local(), dying.readRun(dying.uri().toString(), pushed.remoteRunId()));
      }
    }
  }

  @Test
  void registryRoundTrip() throws Exception {
    LocalRunStore store = new LocalRunStore(temp.resolve("mlruns"));
    Run run = store.startRun("registry", "with-saved-model");
    Path savedModel = savedModelFixture(temp.resolve("fixture/saved_model"));
    run.logArtifact(savedModel, "");
    run.end(RunStatus.FINISHED);
    RunRecord local = store.readRun(run.id());

    try (MlflowServer remote = MlflowServer.connect(server.uri(), Map.of())) {
      ModelRegistry registry = new ModelRegistry(remote);
      ModelRegistry.ModelVersion first =
          registry.register(store, local, "chexnet", Optional.of("champion"));
      ModelRegistry.ModelVersion second =
          registry.register(store, local, "chexnet", Optional.empty());
      assertEquals("1", first.version());
      assertEquals("2", second.version());
      assertTrue(first.source().endsWith("/artifacts/saved_model"), first.source());

      ModelRegistry.ModelVersion champion = registry.resolve("models:/chexnet@champion");
      assertEquals(first, champion);
      assertEquals(second, registry.resolve("models:/chexnet/2"));

      Path downloaded = registry.download(champion, temp.resolve("served/model"));
      assertEquals(digests(savedModel), digests(downloaded));
      // MLflow itself resolves the alias to the same files.
      assertEquals(
          digestsJson(savedModel), server.readModel("models:/chexnet@champion").path("files"));

      IllegalArgumentException none =
          assertThrows(
              IllegalArgumentException.class, () -> registry.resolve("models:/chexnet@nobody"));
      assertTrue(none.getMessage().contains("models:/chexnet@nobody"), none.getMessage());
    }
  }

  // ---- helpers ----

  /** Two splits of a dataset, as a run records what it read. */
  public static final List<DatasetInput> DATASET_INPUTS =
      List.of(
          new DatasetInput(
              "chexpert",
              "0123456789abcdef",
              "local",
              "{\"uri\": \"/data/CheXpert-v1.0-small\"}",
              "{\"mlflow_colspec\": [{\"type\": \"string\", \"name\": \"image\"},"
                  + " {\"type\": \"double\", \"name\": \"Pleural Effusion\"}]}",
              "{\"images\": 40, \"patients\": 12}",
              "train"),
          new DatasetInput(
              "chexpert",
              "fedcba9876543210",
              "local",
              "{\"uri\": \"/data/CheXpert-v1.0-small\"}",
              null,
              null,
              "test"));

  /** What chexnet run logs: params, provenance tags, per-epoch metrics, artifacts. */
  public static void logTraining(Run run, int fromEpoch, int toEpoch) throws IOException {
    if (fromEpoch == 0) {
      run.logParams(Map.of("train.optimizer.lr", "0.001", "model.architecture", "densenet121"));
      run.setTags(
          new Provenance(
                  new GitState(
                      true,
                      "0123456789abcdef0123456789abcdef01234567",
                      "main",
                      false,
                      "",
                      "https://example.org/chexnet.git"),
                  "sha256:spec",
                  "sha256:data",
                  42L,
                  Map.of("chexnet", "0.1.0-SNAPSHOT"))
              .tags());
      run.writeArtifact("spec.yaml", "name: test\n".getBytes(StandardCharsets.UTF_8));
      run.logInputs(DATASET_INPUTS);
    }
    for (int epoch = fromEpoch; epoch < toEpoch; epoch++) {
      run.logMetric("loss", 1.0 / (epoch + 1), epoch);
      run.logMetric("val_loss", 1.1 / (epoch + 1), epoch);
      run.logMetric("val_mean_auroc", 0.5 + epoch * 0.05, epoch);
      run.logMetric("learning_rate", 0.001, epoch);
    }
    if (toEpoch == EPOCHS) {
      run.writeArtifact("report.md", "# AUROC\n".getBytes(StandardCharsets.UTF_8));
      run.writeArtifact("checkpoints/best/ckpt.index", new byte[] {1, 2, 3});
      run.writeArtifact(
          "plots/val loss.csv", "epoch,val_loss\n0,1.1\n".getBytes(StandardCharsets.UTF_8));
    }
  }

  /** The server's copy equals the local run: info, params, local tags, metric histories, files. */
  public static void assertRunEquals(RunRecord local, LocalRunStore store, JsonNode remote)
      throws IOException {
    JsonNode info = remote.path("info");
    assertEquals(local.name(), info.path("run_name").asText());
    assertEquals(local.status(), info.path("status").asText());
    assertEquals(local.startTime(), info.path("start_time").asLong());
    assertEquals(local.endTime(), info.path("end_time").asLong());
    assertEquals(local.experimentName(), info.path("experiment_name").asText());
    assertEquals(local.params(), toMap(remote.path("params")));
    Map<String, String> remoteTags = toMap(remote.path("tags"));
    local.tags().forEach((key, value) -> assertEquals(value, remoteTags.get(key), key));
    Map<String, String> histories = new TreeMap<>();
    store
        .metricHistories(local)
        .forEach(
            (key, points) ->
                histories.put(
                    key,
                    points.stream()
                        .map(p -> "[" + p.step() + "," + p.timestamp() + "," + p.value() + "]")
                        .toList()
                        .toString()));
    Map<String, String> remoteHistories = new TreeMap<>();
    remote
        .path("metrics")
        .fields()
        .forEachRemaining(
            e -> {
              StringBuilder points = new StringBuilder();
              e.getValue()
                  .forEach(
                      p ->
                          points
                              .append(points.length() == 0 ? "" : ", ")
                              .append(
                                  "["
                                      + p.get(0).asLong()
                                      + ","
                                      + p.get(1).asLong()
                                      + ","
                                      + p.get(2).asDouble()
                                      + "]"));
              remoteHistories.put(e.getKey(), "[" + points + "]");
            });
    assertEquals(histories, remoteHistories);
    assertEquals(
        digestsJson(store.runDirectory(local).resolve("artifacts")), remote.path("artifacts"));
    // Not the source: MLflow keeps a dataset once per experiment by name and digest, so the same
    // data read from another directory by an earlier run shows that run's source.
    List<String> inputs =
        store.datasetInputs(local).stream()
            .map(
                i ->
                    String.join(
                        "|",
                        i.name(),
                        i.digest(),
                        i.sourceType(),
                        String.valueOf(i.schema()),
                        String.valueOf(i.profile()),
                        i.context()))
            .sorted()
            .toList();
    List<String> remoteInputs = new java.util.ArrayList<>();
    remote
        .path("inputs")
        .forEach(
            i ->
                remoteInputs.add(
                    String.join(
                        "|",
                        i.path("name").asText(),
                        i.path("digest").asText(),
                        i.path("source_type").asText(),
                        i.path("schema").isNull() ? "null" : i.path("schema").asText(),
                        i.path("profile").isNull() ? "null" : i.path("profile").asText(),
                        i.path("context").asText())));
    assertEquals(inputs, remoteInputs.stream().sorted().toList(), "dataset inputs");
  }

  private static Map<String, String> toMap(JsonNode object) {
    Map<String, String> map = new TreeMap<>();
    object.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
    return map;
  }

  private String remoteIdOf(String localRunId, String experiment) {
    try (MlflowServer remote = MlflowServer.connect(server.uri(), Map.of())) {
      return remote
          .findCopyOf(remote.experimentId(experiment), localRunId)
          .orElseThrow()
          .getInfo()
          .getRunId();
    }
  }

  // Waits until the mirror has sent the metric's value at that step; returns the server's run id.
  private static String awaitRemoteMetric(
      URI uri, String localRunId, String experiment, String key, long step)
      throws InterruptedException {
    try (MlflowServer remote = MlflowServer.connect(uri, Map.of())) {
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (System.nanoTime() < deadline) {
        Optional<org.mlflow.api.proto.Service.Run> copy =
            remote.findCopyOf(remote.experimentId(experiment), localRunId);
        if (copy.isPresent()
            && copy.get().getData().getMetricsList().stream()
                .anyMatch(m -> m.getKey().equals(key) && m.getStep() == step)) {
          return copy.get().getInfo().getRunId();
        }
        Thread.sleep(200);
      }
    }
    throw new AssertionError("the mirror did not send " + key + " step " + step + " in 30 s");
  }

  public static Path savedModelFixture(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("variables"));
    Files.write(dir.resolve("saved_model.pb"), new byte[] {8, 1, 18, 3, 'c', 'x', 'n'});
    Files.writeString(dir.resolve("variables/variables.index"), "index");
    Files.write(dir.resolve("variables/variables.data-00000-of-00001"), new byte[4096]);
    return dir;
  }

  public static Map<String, String> digests(Path root) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path file : walk.filter(Files::isRegularFile).toList()) {
        files.put(root.relativize(file).toString(), sha256(Files.readAllBytes(file)));
      }
    }
    return files;
  }

  private static JsonNode digestsJson(Path root) throws IOException {
    return new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(digests(root));
  }

  private static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
