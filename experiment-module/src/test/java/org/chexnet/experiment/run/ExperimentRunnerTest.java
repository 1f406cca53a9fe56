package org.chexnet.experiment.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.Reporter;
import org.chexnet.dataset.Finding;
import org.chexnet.experiment.TinySpecs;
import org.chexnet.experiment.spec.SpecLoader;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run end to end on a tiny network and a small synthetic dataset. */
class ExperimentRunnerTest {
  private static final String SPEC =
      TinySpecs.dataAndModel("tiny")
          + """
      train:
        epochs: 2
        batch_size: 16
        horizontal_flip: false
        callbacks:
          - type: model_checkpoint
          - type: csv_logger
          - type: mlflow_logger
            log_every_n_batches: 2
      """;

  @Test
  void runTrainsEvaluatesAndRecordsEverything(@TempDir Path work) throws Exception {
    try (Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
      Files.writeString(work.resolve("spec.yaml"), SPEC);
      git.add().addFilepattern("spec.yaml").call();
      String commit = git.commit().setMessage("spec").setSign(false).call().getName();
      Files.writeString(
          work.resolve("spec.yaml"), SPEC + "# edited\n"); // a dirty tree is recorded with its diff

      SpecLoader.LoadedSpec loaded = SpecLoader.load(work.resolve("spec.yaml"), List.of());
      ByteArrayOutputStream console = new ByteArrayOutputStream();
      RunResult run =
          new ExperimentRunner(
                  Reporter.lines(new PrintStream(console, true, StandardCharsets.UTF_8)), work)
              .run(loaded);

      Path dir = run.directory();
      assertTrue(dir.startsWith(work.resolve("mlruns")), dir.toString());
      assertTrue(Files.readString(dir.resolve("meta.yaml")).contains("status: 3"), "FINISHED");
      assertTrue(Files.readString(dir.getParent().resolve("meta.yaml")).contains("name: tiny"));
      // Params: the resolved spec, defaults included.
      assertEquals("0.001", Files.readString(dir.resolve("params/train.optimizer.lr")));
      assertEquals("16", Files.readString(dir.resolve("params/train.batch_size")));
      // Per-epoch metrics with the epoch as step, and the test scores.
      List<String> valLoss = Files.readAllLines(dir.resolve("metrics/val_loss"));
      assertEquals(2, valLoss.size());
      assertTrue(valLoss.get(1).endsWith(" 1"), valLoss.get(1));
      assertTrue(Files.exists(dir.resolve("metrics/batch_loss")));
      double testAuroc =
          Double.parseDouble(
              Files.readAllLines(dir.resolve("metrics/test_mean_auroc")).get(0).split(" ")[1]);
      // Provenance tags.
      assertEquals(commit, Files.readString(dir.resolve("tags/mlflow.source.git.commit")));
      assertEquals("main", Files.readString(dir.resolve("tags/mlflow.source.git.branch")));
      assertEquals("true", Files.readString(dir.resolve("tags/chexnet.git.dirty")));
      assertEquals(loaded.digest(), Files.readString(dir.resolve("tags/chexnet.spec.digest")));
      assertTrue(
          Files.readString(dir.resolve("tags/chexnet.dataset.digest")).startsWith("sha256:"));
      assertEquals("3", Files.readString(dir.resolve("tags/chexnet.seed")));
      assertTrue(Files.exists(dir.resolve("tags/chexnet.version.tensorflow")));
      // Artifacts: resolved spec, diff, report, metrics.json, per-epoch CSV, best checkpoint,
      // predictions.
      Path artifacts = run.artifactsDir();
      assertEquals(loaded.resolvedYaml(), Files.readString(artifacts.resolve("spec.yaml")));
      assertTrue(Files.readString(artifacts.resolve("git-diff.patch")).contains("+# edited"));
      JsonNode metrics = new ObjectMapper().readTree(artifacts.resolve("metrics.json").toFile());
      assertEquals(testAuroc, metrics.get("mean_auroc").asDouble(), 1e-9);
      for (String finding : Finding.labels()) {
        assertTrue(metrics.get("auroc").has(finding), finding);
      }
      assertTrue(Files.readString(artifacts.resolve("report.md")).contains("Pleural_Thickening"));
      RunReportTest.assertDetailedReport(artifacts, 1000);
      List<String> history = Files.readAllLines(artifacts.resolve("history.csv"));
      assertEquals("epoch,learning_rate,loss,val_loss,val_mean_auroc", history.get(0));
      assertEquals(3, history.size());
      assertTrue(Files.exists(artifacts.resolve("checkpoints/best/variables.index")));
      assertEquals(
          1 + Integer.parseInt(Files.readString(dir.resolve("tags/chexnet.data.test_images"))),
          Files.readAllLines(artifacts.resolve("predictions.csv")).size());
      // The console shows the per-class table.
      String printed = console.toString(StandardCharsets.UTF_8);
      assertTrue(printed.contains("Cardiomegaly") && printed.contains("Mean"), printed);
    }
  }

  @Test
  void runOutsideAGitRepositoryRecordsThat(@TempDir Path work) throws Exception {
    SpecLoader.LoadedSpec loaded = SpecLoader.load(SPEC, "spec.yaml", List.of("train.epochs=1"));
    RunResult run = new ExperimentRunner(Reporter.silent(), work).run(loaded);
    assertEquals(
        "false", Files.readString(run.directory().resolve("tags/chexnet.git.in_repository")));
    assertFalse(Files.exists(run.directory().resolve("tags/mlflow.source.git.commit")));
  }

  @Test
  void customCallbacksNamedInTheSpecRunWithTheirParams(@TempDir Path work) throws Exception {
    Path log = work.resolve("epochs.txt");
    String spec =
        SPEC.replace(
            "    - type: csv_logger\n",
            "    - type: custom\n      class_name: org.chexnet.experiment.run.EpochFileListener\n"
                + "      params: {file: "
                + log
                + ", prefix: \"epoch \"}\n");
    assertTrue(spec.contains("EpochFileListener"), "the spec names the custom callback");
    SpecLoader.LoadedSpec loaded = SpecLoader.load(spec, "spec.yaml", List.of());
    RunResult run = new ExperimentRunner(Reporter.silent(), work).run(loaded);
    List<String> lines = Files.readAllLines(log);
    assertEquals(2, lines.size());
    assertTrue(lines.get(1).startsWith("epoch 1 "), lines.get(1));
    assertEquals(
        Files.readAllLines(run.directory().resolve("metrics/val_loss")).get(1).split(" ")[1],
        lines.get(1).split(" ")[2],
        "the listener saw the same val_loss the run recorded");
    assertEquals(
        "org.chexnet.experiment.run.EpochFileListener",
        Files.readString(run.directory().resolve("params/train.callbacks.1.class_name")));
  }

  @Test
  void classWeightedLossIsComputedFromTheTrainingSplitAndRecorded(@TempDir Path work)
      throws Exception {
    SpecLoader.LoadedSpec loaded =
        SpecLoader.load(SPEC, "spec.yaml", List.of("train.loss=weighted_binary_crossentropy"));
    RunResult run = new ExperimentRunner(Reporter.silent(), work).run(loaded);
    List<String> rows = Files.readAllLines(run.artifactsDir().resolve("loss-weights.csv"));
    assertEquals(
        "finding,training_positives,training_known,positive_weight,negative_weight", rows.get(0));
    assertEquals(1 + Finding.COUNT, rows.size());
    int trainImages =
        Integer.parseInt(
            Files.readString(run.directory().resolve("tags/chexnet.data.train_images")));
    for (String row : rows.subList(1, rows.size())) {
      String[] f = row.split(",");
      assertEquals(trainImages, Integer.parseInt(f[2]), "NIH's labels are all known: " + row);
      double share = Double.parseDouble(f[1]) / trainImages;
      assertEquals(1 - share, Double.parseDouble(f[3]), 1e-6, row);
      assertEquals(share, Double.parseDouble(f[4]), 1e-6, row);
    }
    assertEquals(
        "weighted_binary_crossentropy",
        Files.readString(run.directory().resolve("params/train.loss")));
  }

  @Test
  void imagenetWeightsAreNeverReplacedBySilentlyRandomOnes(@TempDir Path work) {
    SpecLoader.LoadedSpec loaded =
        SpecLoader.load(SPEC, "spec.yaml", List.of("model.weights=imagenet"));
    ChexnetException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ChexnetException.class,
            () -> new ExperimentRunner(Reporter.silent(), work).run(loaded));
    assertTrue(e.getMessage().startsWith("model.weights: imagenet"), e.getMessage());
    assertFalse(Files.exists(work.resolve("mlruns")));
    assertFalse(Files.exists(work.resolve("data")));
  }
}
