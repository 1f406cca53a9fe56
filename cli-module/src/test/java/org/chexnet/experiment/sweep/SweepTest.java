package org.chexnet.experiment.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.chexnet.cli.Chexnet;
import org.chexnet.common.FileTrees;
import org.chexnet.common.Reporter;
import org.chexnet.tracking.LocalRunStore;
import org.chexnet.tracking.MlflowServer;
import org.chexnet.tracking.MlflowTestServer;
import org.chexnet.tracking.RunRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real grid sweep of 4 trials, 2 at a time, each a `chexnet run` process. */
class SweepTest {
  private static final String BASE =
      """
      name: tiny
      seed: 3
      data:
        root: data/tiny
        synthetic: {images: 120, image_size: 32, seed: 5}
        image_size: 32
      model: {architecture: custom, blocks: [1, 1, 1, 1], growth_rate: 4, weights: none}
      train:
        epochs: 2
        horizontal_flip: false
        callbacks: [{type: model_checkpoint}, {type: mlflow_logger}]
      tracking: {experiment: sweeps}
      """;
  private static final String SWEEP =
      """
      name: lr-batch
      base: base.yaml
      objective: {metric: val_loss, mode: min}
      search:
        type: grid
        parameters:
          train.optimizer.lr: [1.0e-3, 3.0e-3]
          train.batch_size: [16, 32]
      """;

  private static List<String> cli() {
    return List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp",
        System.getProperty("java.class.path"),
        Chexnet.class.getName());
  }

  @Test
  void gridSweepRecordsParentAndChildrenAndResumesWhatIsMissing(@TempDir Path work)
      throws Exception {
    Files.writeString(work.resolve("base.yaml"), BASE);
    Files.writeString(work.resolve("sweep.yaml"), SWEEP);
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    Reporter reporter = Reporter.lines(new PrintStream(console, true, StandardCharsets.UTF_8));
    Sweep sweep = new Sweep(reporter, work);
    TrialExecutor processes = new ChildProcessTrials(cli(), 2, reporter, work);
    Path parentDir = sweep.run(work.resolve("sweep.yaml"), processes).parentDirectory();

    LocalRunStore store = new LocalRunStore(work.resolve("mlruns"));
    String parentId = parentDir.getFileName().toString();
    RunRecord parent = store.readRun(parentId);
    assertEquals("FINISHED", parent.status(), console.toString());
    List<RunRecord> children = children(store, parentId);
    assertEquals(4, children.size(), console.toString());
    // Two trials at a time share the cores this JVM sees (-XX:ActiveProcessorCount changes them).
    int cores = Runtime.getRuntime().availableProcessors();
    String threadsPerTrial = String.valueOf(Math.max(1, cores / 2));
    for (RunRecord child : children) {
      assertEquals("FINISHED", child.status());
      assertEquals(
          threadsPerTrial,
          child.tags().get("chexnet.env.TF_NUM_INTRAOP_THREADS"),
          cores + " cores / 2 trials");
      assertEquals(2, Sweep.history(store, child, "val_loss").size(), "2 epochs");
    }
    // Trial 3 is lr 3e-3 with batch 32: its run recorded exactly those values.
    RunRecord third =
        children.stream().filter(c -> "3".equals(c.tags().get(Sweep.TRIAL_TAG))).findFirst().get();
    assertEquals("0.003", third.params().get("train.optimizer.lr"));
    assertEquals("32", third.params().get("train.batch_size"));
    assertEquals("lr-batch-3", third.name());

    Path artifacts = parentDir.resolve("artifacts");
    String table = Files.readString(artifacts.resolve(SweepSummary.TABLE));
    assertEquals(4 + 2, table.lines().filter(l -> l.startsWith("|")).count(), table);
    String bestRun = parent.tags().get("chexnet.sweep.best_run_id");
    RunRecord best = store.readRun(bestRun);
    double bestLoss = Sweep.history(store, best, "val_loss").stream().min(Double::compare).get();
    for (RunRecord child : children) {
      double loss = Sweep.history(store, child, "val_loss").stream().min(Double::compare).get();
      assertTrue(bestLoss <= loss, "the best trial has the lowest val_loss");
    }
    assertEquals(
        Files.readString(store.runDirectory(best).resolve("artifacts/spec.yaml")),
        Files.readString(artifacts.resolve(SweepSummary.BEST_SPEC)));
    assertEquals(960, ImageIO.read(artifacts.resolve(SweepSummary.PLOT).toFile()).getWidth());
    assertEquals(5, Files.readAllLines(artifacts.resolve(SweepSummary.CSV)).size());

    // As if the sweep had been killed before trial 2 started: no trial 2, the parent RUNNING.
    RunRecord second =
        children.stream().filter(c -> "2".equals(c.tags().get(Sweep.TRIAL_TAG))).findFirst().get();
    FileTrees.delete(store.runDirectory(second));
    Path meta = parentDir.resolve("meta.yaml");
    Files.writeString(meta, Files.readString(meta).replace("status: 3", "status: 1"));
    console.reset();
    sweep.run(work.resolve("sweep.yaml"), processes);
    assertTrue(
        console.toString().contains("3 trials ended in an earlier sweep run: skipped"),
        console.toString());
    assertTrue(console.toString().contains("Starting trial 2"), console.toString());
    assertEquals(4, children(store, parentId).size());
    assertEquals("FINISHED", store.readRun(parentId).status());

    console.reset();
    sweep.run(work.resolve("sweep.yaml"), processes);
    assertTrue(console.toString().contains("finished already"), console.toString());
  }

  @Test
  void sweepTrackedOnARealMlflowServerHasTheParentAndItsChildrenThere(@TempDir Path work)
      throws Exception {
    try (MlflowTestServer server = MlflowTestServer.start(work.resolve("server"))) {
      Files.writeString(
          work.resolve("base.yaml"),
          BASE.replace(
              "tracking: {experiment: sweeps}",
              "tracking: {experiment: sweeps, uri: " + server.uri() + "}"));
      Files.writeString(work.resolve("sweep.yaml"), SWEEP);
      ByteArrayOutputStream console = new ByteArrayOutputStream();
      Reporter reporter = Reporter.lines(new PrintStream(console, true, StandardCharsets.UTF_8));
      Path parentDir =
          new Sweep(reporter, work)
              .run(work.resolve("sweep.yaml"), new ChildProcessTrials(cli(), 2, reporter, work))
              .parentDirectory();
      LocalRunStore store = new LocalRunStore(work.resolve("mlruns"));
      String parentId = parentDir.getFileName().toString();
      List<RunRecord> children = children(store, parentId);
      assertEquals(4, children.size(), console.toString());
      try (MlflowServer remote = MlflowServer.connect(server.uri(), Map.of())) {
        RunRecord remoteParent = remote.readRun(parentId);
        assertEquals("FINISHED", remoteParent.status());
        assertEquals("lr-batch", remoteParent.name());
        assertTrue(remoteParent.metrics().containsKey("best_val_loss"), remoteParent.toString());
        for (RunRecord child : children) {
          RunRecord copy = remote.readRun(child.id());
          assertEquals("FINISHED", copy.status());
          assertEquals(remoteParent.id(), copy.tags().get("mlflow.parentRunId"), child.name());
          assertEquals(
              child.params().get("train.optimizer.lr"), copy.params().get("train.optimizer.lr"));
        }
      }
    }
  }

  private static List<RunRecord> children(LocalRunStore store, String parentId) throws Exception {
    return store.listRuns(Optional.of("sweeps")).stream()
        .filter(r -> parentId.equals(r.tags().get("mlflow.parentRunId")))
        .toList();
  }
}
