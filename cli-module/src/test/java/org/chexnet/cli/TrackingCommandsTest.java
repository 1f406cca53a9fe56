package org.chexnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.chexnet.common.Reporter;
import org.chexnet.experiment.TinySpecs;
import org.chexnet.experiment.run.ExperimentRunner;
import org.chexnet.experiment.run.RunResult;
import org.chexnet.experiment.spec.SpecException;
import org.chexnet.experiment.spec.SpecLoader;
import org.chexnet.tracking.LocalRunStore;
import org.chexnet.tracking.MlflowServer;
import org.chexnet.tracking.MlflowTestServer;
import org.chexnet.tracking.RemoteTrackingTest;
import org.chexnet.tracking.Run;
import org.chexnet.tracking.RunRecord;
import org.chexnet.tracking.RunStatus;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `chexnet run` with a tracking server, `chexnet runs push/list/compare` and `chexnet models
 * register/download`, against a real MLflow 2.17.2 server; the server's copies are read back with
 * MLflow's Python client.
 */
class TrackingCommandsTest {
  private static final String SPEC =
      TinySpecs.dataAndModel("tiny-remote")
          + """
      train:
        epochs: 2
        batch_size: 16
        horizontal_flip: false
      """;

  @TempDir static Path shared;
  private static MlflowTestServer server;
  @TempDir Path work;

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
  void runWithAServerUriIsMirroredCompletely() throws Exception {
    String commit;
    try (Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
      Files.writeString(work.resolve("spec.yaml"), SPEC);
      git.add().addFilepattern("spec.yaml").call();
      commit = git.commit().setMessage("spec").setSign(false).call().getName();
    }
    SpecLoader.LoadedSpec loaded =
        SpecLoader.load(work.resolve("spec.yaml"), List.of("tracking.uri=" + server.uri()));
    RunResult run = new ExperimentRunner(Reporter.silent(), work).run(loaded);
    assertTrue(run.directory().startsWith(work.resolve("mlruns")), run.directory().toString());

    LocalRunStore store = new LocalRunStore(work.resolve("mlruns"));
    RunRecord local = store.readRun(run.id());
    String remoteId;
    try (MlflowServer remote = MlflowServer.connect(server.uri(), Map.of())) {
      remoteId = remote.readRun(run.id()).id();
    }
    JsonNode copy = server.readRun(server.uri().toString(), remoteId);
    RemoteTrackingTest.assertRunEquals(local, store, copy);
    assertEquals(commit, copy.path("tags").path("mlflow.source.git.commit").asText());
    assertEquals("main", copy.path("tags").path("mlflow.source.git.branch").asText());
    assertEquals(2, copy.path("metrics").path("val_loss").size());
    for (String artifact : List.of("spec.yaml", "report.md", "metrics.json", "history.csv")) {
      assertTrue(copy.path("artifacts").has(artifact), artifact);
    }
    assertTrue(copy.path("artifacts").has("checkpoints/best/variables.index"), copy.toString());
  }

  @Test
  void serverDownTrainingGoesOnAndPushCopiesTheRunLater() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    SpecLoader.LoadedSpec loaded =
        SpecLoader.load(
            SPEC,
            "spec.yaml",
            List.of("train.epochs=1", "tracking.uri=http://127.0.0.1:" + closedPort));
    RunResult run = new ExperimentRunner(Reporter.silent(), work).run(loaded);
    assertEquals(
        RunStatus.FINISHED.name(),
        new LocalRunStore(work.resolve("mlruns")).readRun(run.id()).status());

    Output pushed =
        chexnet(
            "runs",
            "push",
            run.id(),
            "--to",
            server.uri().toString(),
            "--store",
            work.resolve("mlruns").toString());
    assertEquals(0, pushed.code(), pushed.text());
    assertTrue(pushed.text().contains("new copy"), pushed.text());
    LocalRunStore store = new LocalRunStore(work.resolve("mlruns"));
    try (MlflowServer remote = MlflowServer.connect(server.uri(), Map.of())) {
      RemoteTrackingTest.assertRunEquals(
          store.readRun(run.id()),
          store,
          server.readRun(server.uri().toString(), remote.readRun(run.id()).id()));
    }
  }

  @Test
  void pushTwiceListAndCompare() throws Exception {
    Path storeDir = work.resolve("mlruns");
    LocalRunStore store = new LocalRunStore(storeDir);
    List<String> ids = new ArrayList<>();
    for (String lr : List.of("0.001", "0.0001")) {
      Run run = store.startRun("cli-push", "lr-" + lr);
      RemoteTrackingTest.logTraining(run, 0, 5);
      run.logParam("train.optimizer.learning_rate", lr);
      run.logMetric("test_mean_auroc", lr.equals("0.001") ? 0.8123456 : 0.75, 0);
      run.end(RunStatus.FINISHED);
      ids.add(run.id());
    }
    String uri = server.uri().toString();

    Output first = chexnet("runs", "push", "--to", uri, "--store", storeDir.toString());
    assertEquals(0, first.code(), first.text());
    assertEquals(2, first.text().split("new copy", -1).length - 1, first.text());
    Output second = chexnet("runs", "push", "--to", uri, "--store", storeDir.toString());
    assertEquals(0, second.code(), second.text());
    assertEquals(2, second.text().split("already complete", -1).length - 1, second.text());
    try (MlflowServer remote = MlflowServer.connect(server.uri(), Map.of())) {
      assertEquals(2, remote.listRuns(Optional.of("cli-push")).size());
    }

    for (String from : List.of(storeDir.toString(), uri)) {
      Output list = chexnet("runs", "list", "--from", from, "--experiment", "cli-push");
      assertEquals(0, list.code(), list.text());
      String[] lines = list.text().strip().split("\n");
      assertEquals(4, lines.length, list.text());
      assertTrue(lines[0].matches("RUN ID +EXPERIMENT +NAME +STATUS +STARTED +test_mean_auroc.*"));
      // Newest first; metrics to 5 significant digits.
      assertTrue(lines[2].contains("lr-0.0001") && lines[2].contains(" 0.75"), lines[2]);
      assertTrue(lines[3].contains("lr-0.001 ") && lines[3].contains("0.81235"), lines[3]);

      Output compare = chexnet("runs", "compare", "lr-0.001", ids.get(1), "--from", from);
      assertEquals(0, compare.code(), compare.text());
      assertTrue(
          compare
              .text()
              .matches("(?s).*param train\\.optimizer\\.learning_rate +0\\.001 +0\\.0001\\n.*"),
          compare.text());
      assertTrue(compare.text().matches("(?s).*metric test_mean_auroc +0\\.81235 +0\\.75\\n.*"));
      assertFalse(compare.text().contains("param model.architecture"), compare.text());
      assertTrue(compare.text().contains("params equal in every run not shown"));
    }

    Output unknown = chexnet("runs", "compare", "lr-0.001", "nosuch", "--from", uri);
    assertEquals(Chexnet.USAGE_ERROR, unknown.code(), unknown.text());
    assertTrue(unknown.text().contains("No run with id or name 'nosuch'"), unknown.text());
  }

  @Test
  void registerThenDownloadByAliasAndVersion() throws Exception {
    Path storeDir = work.resolve("mlruns");
    LocalRunStore store = new LocalRunStore(storeDir);
    Run run = store.startRun("cli-registry", "to-serve");
    Path savedModel = RemoteTrackingTest.savedModelFixture(work.resolve("fixture/saved_model"));
    run.logArtifact(savedModel, "");
    run.end(RunStatus.FINISHED);
    String uri = server.uri().toString();

    Output registered =
        chexnet(
            "models",
            "register",
            "to-serve",
            "--name",
            "cli-chexnet",
            "--alias",
            "champion",
            "--to",
            uri,
            "--store",
            storeDir.toString());
    assertEquals(0, registered.code(), registered.text());
    assertTrue(
        registered.text().contains("as models:/cli-chexnet/1 = models:/cli-chexnet@champion"),
        registered.text());

    Path models = work.resolve("models");
    for (String modelUri : List.of("models:/cli-chexnet@champion", "models:/cli-chexnet/1")) {
      Output downloaded =
          chexnet("models", "download", modelUri, "--from", uri, "--out", models.toString());
      assertEquals(0, downloaded.code(), downloaded.text());
      Path dir = Path.of(downloaded.text().strip());
      assertEquals(models.resolve("cli-chexnet/1"), dir);
      assertEquals(RemoteTrackingTest.digests(savedModel), RemoteTrackingTest.digests(dir));
    }
    // MLflow's own client resolves the alias to the same files.
    assertEquals(
        RemoteTrackingTest.digests(savedModel).toString(),
        new com.fasterxml.jackson.databind.ObjectMapper()
            .convertValue(server.readModel("models:/cli-chexnet@champion").path("files"), Map.class)
            .toString());

    Output missing =
        chexnet("models", "download", "models:/cli-chexnet@nobody", "--from", uri, "--out", "x");
    assertEquals(Chexnet.USAGE_ERROR, missing.code());
    assertTrue(missing.text().contains("has no alias 'nobody'"), missing.text());
  }

  @Test
  void credentialsInTheSpecsTrackingUriAreRefused() {
    SpecException error =
        assertThrows(
            SpecException.class,
            () ->
                SpecLoader.load(
                    SPEC,
                    "spec.yaml",
                    List.of("tracking.uri=https://me:secret@dagshub.com/me/chexnet.mlflow")));
    assertTrue(error.getMessage().contains("tracking.uri"), error.getMessage());
    assertTrue(error.getMessage().contains("MLFLOW_TRACKING_PASSWORD"), error.getMessage());
  }

  @Test
  void otherTrackingUriSchemesAreRefused() {
    SpecException error =
        assertThrows(
            SpecException.class,
            () -> SpecLoader.load(SPEC, "spec.yaml", List.of("tracking.uri=databricks://ws")));
    assertTrue(
        error.getMessage().contains("tracking.uri must be a local directory"), error.getMessage());
  }

  private record Output(int code, String text) {}

  // Runs the chexnet command line in this JVM; stdout and stderr together.
  private static Output chexnet(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    PrintStream out = System.out;
    PrintStream err = System.err;
    System.setOut(capture);
    System.setErr(capture);
    try {
      var cli = Chexnet.commandLine();
      cli.setOut(new java.io.PrintWriter(capture, true));
      cli.setErr(new java.io.PrintWriter(capture, true));
      int code = cli.execute(args);
      return new Output(code, bytes.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }
}
