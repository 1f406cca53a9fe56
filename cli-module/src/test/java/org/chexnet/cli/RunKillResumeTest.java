package org.chexnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.chexnet.common.Reporter;
import org.chexnet.experiment.run.ExperimentRunner;
import org.chexnet.experiment.run.RunResult;
import org.chexnet.experiment.spec.SpecLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code chexnet run} process killed with SIGKILL in the middle of an epoch, then {@code
 * chexnet run --resume RUN} in a new process: the run ends exactly as an uninterrupted one.
 */
class RunKillResumeTest {
  private static final String SPEC =
      """
      name: killed
      seed: 11
      data:
        root: data/tiny
        synthetic: {images: 160, image_size: 32, seed: 5}
        image_size: 32
      model:
        architecture: custom
        blocks: [1, 1, 1, 1]
        growth_rate: 4
        weights: none
      train:
        epochs: 3
        batch_size: 16
        backup_every_n_batches: 2
        callbacks:
          - type: model_checkpoint
          - type: reduce_lr_on_plateau
            patience: 1
            min_delta: 0.05
            factor: 0.5
          - type: csv_logger
          - type: mlflow_logger
          - type: custom
            class_name: org.chexnet.cli.PauseAtBatch
            params: {epoch: 1, batch: 4}
      """;

  @Test
  void aRunKilledMidEpochResumesAndEndsLikeAnUninterruptedOne(@TempDir Path dir) throws Exception {
    Path straightWork = Files.createDirectories(dir.resolve("straight"));
    Files.writeString(straightWork.resolve("spec.yaml"), SPEC);
    RunResult straight =
        new ExperimentRunner(Reporter.silent(), straightWork)
            .run(SpecLoader.load(straightWork.resolve("spec.yaml"), List.of()));

    Path work = Files.createDirectories(dir.resolve("killed"));
    Files.writeString(work.resolve("spec.yaml"), SPEC);
    Path paused = dir.resolve("paused");
    Launched first = chexnet(work, paused, "run", "spec.yaml");
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (!Files.exists(paused) && first.process().isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertTrue(Files.exists(paused), "the run never reached epoch 2, batch 5: " + first.output());
    first.process().destroyForcibly(); // SIGKILL: no shutdown hook, no finally block runs
    first.process().waitFor();

    Path runDir = onlyRun(work.resolve("mlruns"));
    assertTrue(Files.readString(runDir.resolve("meta.yaml")).contains("status: 1"), "RUNNING");
    String state = Files.readString(runDir.resolve("backup/state.json"));
    assertTrue(state.contains("\"epoch\":1,\"batchesDone\":4,\"epochComplete\":false"), state);

    Launched second = chexnet(work, null, "run", "--resume", runDir.getFileName().toString());
    assertTrue(second.process().waitFor(5, TimeUnit.MINUTES), "resume did not finish");
    String console = second.output();
    assertEquals(0, second.process().exitValue(), console);
    assertTrue(console.contains("Resuming run " + runDir.getFileName()), console);

    Path artifacts = runDir.resolve("artifacts");
    Path expected = straight.artifactsDir();
    assertTrue(Files.readString(runDir.resolve("meta.yaml")).contains("status: 3"), "FINISHED");
    assertEquals("1", Files.readString(runDir.resolve("tags/chexnet.resumes")));
    assertEquals(
        Files.readString(expected.resolve("history.csv")),
        Files.readString(artifacts.resolve("history.csv")),
        "every epoch once, with the same losses, AUROCs and learning rates");
    assertEquals(
        Files.readString(expected.resolve("metrics.json")),
        Files.readString(artifacts.resolve("metrics.json")),
        "the same test AUROCs");
    assertEquals(values(straight.directory(), "val_loss"), values(runDir, "val_loss"));
    assertFalse(Files.exists(runDir.resolve("backup")), "a finished run keeps no backup");

    Launched again = chexnet(work, null, "run", "--resume", runDir.getFileName().toString());
    assertTrue(again.process().waitFor(2, TimeUnit.MINUTES));
    assertEquals(2, again.process().exitValue(), again.output());
    assertTrue(again.output().contains("FINISHED already: nothing to resume"), again.output());
  }

  /** The chexnet CLI in a new JVM with this test's classpath, in {@code work}. */
  private static Launched chexnet(Path work, Path pausedMarker, String... args) throws Exception {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Chexnet.class.getName()));
    command.addAll(List.of(args));
    Path console = Files.createTempFile(work.getParent(), "console", ".txt");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(work.toFile())
            .redirectErrorStream(true)
            .redirectOutput(console.toFile());
    if (pausedMarker != null) {
      builder.environment().put(PauseAtBatch.ENV, pausedMarker.toString());
    }
    return new Launched(builder.start(), console);
  }

  /** A CLI process and the file its console output goes to. */
  private record Launched(Process process, Path console) {
    String output() throws Exception {
      return Files.readString(console);
    }
  }

  private static Path onlyRun(Path store) throws Exception {
    try (Stream<Path> runs = Files.walk(store, 2)) {
      List<Path> found = runs.filter(p -> Files.exists(p.resolve("artifacts"))).toList();
      assertEquals(1, found.size(), found.toString());
      return found.get(0);
    }
  }

  /** A metric's values, without the timestamps. */
  private static List<String> values(Path runDir, String metric) throws Exception {
    return Files.readAllLines(runDir.resolve("metrics").resolve(metric)).stream()
        .map(line -> line.substring(line.indexOf(' ') + 1))
        .toList();
  }
}
