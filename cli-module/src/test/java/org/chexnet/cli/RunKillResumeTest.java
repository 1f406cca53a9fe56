package org.chexnet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.chexnet.common.CrashPoints;
import org.chexnet.common.FileTrees;
import org.chexnet.tracking.RunProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 at any instant: real {@code chexnet run} processes killed with SIGKILL at chosen steps of
 * their durable writes ({@link CrashPoints}: inside backups, checkpoints, metric lines, CSV rows,
 * reports, deletions), each followed by {@code chexnet run --resume RUN} in a new process, itself
 * killed again, until a resume finishes. The finished run must equal, file for file, an
 * uninterrupted run of the same spec; a resume may instead refuse with a clear message (a run
 * killed before it was set up), and the run is then started again. Never a different result.
 *
 * <p>Kill points: {@value #RANDOM_CHAINS} chains of {@value #KILLS_PER_CHAIN} kills at steps drawn
 * with seed {@value #SEED} (a new run's kill anywhere among all its steps, a resumed run's within
 * the next stretch of its work), plus one chain of kills at the instants that matter most, in run
 * order ({@link #TARGETED}, 12): 32 kill points.
 */
class RunKillResumeTest {
  private static final long SEED = 20261128;
  private static final int RANDOM_CHAINS = 2;
  private static final int KILLS_PER_CHAIN = 10;

  /**
   * Each resumed process of the targeted chain is killed at the first step matching the next of
   * these (a regular expression over "step path"), in run order.
   */
  private static final List<String> TARGETED =
      List.of(
          // the first param written, the run not yet set up: its resume is refused
          "1:renamed .*/params/",
          // epoch 1's val_loss on disk, the epoch's backup not yet: the resume logs it again
          "1:appended .*/metrics/val_loss$",
          // epoch 1's history.csv row written, its backup not yet: the row must not appear twice
          "1:row-written .*/history.csv$",
          // a backup's new model in place, state.json still naming the previous one
          "1:swapped .*/backup/model-e001-b000004$",
          // state.json names the new model, the old one not yet deleted
          "1:renamed .*/backup/state.json$",
          // the old backup model half deleted
          "1:deleted .*/backup/model-e001-b000004/",
          // between the two renames of the best checkpoint: only .best.old is complete
          "1:retired .*/checkpoints/best$",
          // the new best checkpoint written, .best.old still the only complete one
          "1:filled .*/checkpoints/best$",
          // the report half written: metrics.json in place, report.md not yet
          "1:renamed .*/artifacts/metrics.json$",
          // between the two renames of the SavedModel export
          "1:retired .*/artifacts/saved_model$",
          // the final test metrics half logged
          "1:appended .*/metrics/test_auroc_Cardiomegaly$",
          // the backup half deleted as the run finishes: a resume finds the run FINISHED
          "1:deleted .*/backup/(state\\.json|model-)");

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
          - type: early_stopping
            patience: 3
            restore_best_weights: true
          - type: csv_logger
          - type: mlflow_logger
            log_every_n_batches: 3
      evaluate:
        bootstrap: {replicates: 100}
      tracking: {run_name: killed}
      """;

  /** What a resume answers for a run that cannot be resumed, each a clear refusal (exit 2). */
  private static final String NOT_SET_UP = "was killed before it was set up";

  private static final String FINISHED_ALREADY = "FINISHED already: nothing to resume";

  /** Kept when the test fails: the runs to compare. */
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  /** Where each kill landed: "step path" below the test's directory. */
  private final List<String> killedAt = new ArrayList<>();

  /** Runs a resume refused as never set up: started again as new runs. */
  private final Set<String> refused = new HashSet<>();

  private int refusals;

  @Test
  void runsKilledAtAnyStepResumeToExactlyTheUninterruptedRun() throws Exception {
    Path reference = Files.createDirectories(dir.resolve("reference"));
    Files.writeString(reference.resolve("spec.yaml"), SPEC);
    Path census = dir.resolve("reference-steps.log");
    Launched straight =
        chexnet(reference, List.of(property(CrashPoints.LOG, census)), "run", "spec.yaml");
    assertEquals(0, straight.exitCode(), straight.output());
    Path expected = finishedRun(reference);
    List<String> steps = Files.readAllLines(census);
    int setUp = firstMatching(steps, ".*/backup/.*");
    int trainingSteps = steps.size() - setUp;
    Files.delete(census);

    Random random = new Random(SEED);
    for (int chain = 1; chain <= RANDOM_CHAINS; chain++) {
      Path work = chainDirectory(reference, "random-" + chain);
      int kills = 0;
      Outcome outcome = null;
      while (kills < KILLS_PER_CHAIN) {
        String run = resumable(work);
        // A new run can die anywhere; a resumed one within the next stretch of its work.
        int killAt =
            1
                + (run == null
                    ? random.nextInt(steps.size())
                    : random.nextInt(2 * trainingSteps / KILLS_PER_CHAIN));
        outcome = step(work, run, String.valueOf(killAt));
        if (outcome == Outcome.FINISHED || outcome == Outcome.FOUND_FINISHED) {
          break;
        }
        kills += outcome == Outcome.KILLED ? 1 : 0;
      }
      if (kills == KILLS_PER_CHAIN) {
        outcome = step(work, resumable(work), null);
      }
      assertTrue(
          outcome == Outcome.FINISHED || outcome == Outcome.FOUND_FINISHED,
          String.valueOf(outcome));
      assertSameRun(expected, finishedRun(work), "random chain " + chain);
    }

    Path work = chainDirectory(reference, "targeted");
    int refusedBefore = refusals;
    for (String target : TARGETED) {
      Outcome outcome = step(work, resumable(work), target);
      if (outcome == Outcome.REFUSED) { // killed before it was set up: a new run, the same target
        outcome = step(work, resumable(work), target);
      }
      assertEquals(Outcome.KILLED, outcome, "reached " + target);
    }
    assertEquals(1, refusals - refusedBefore, "the run killed in its set-up was refused");
    // The last kill came after the run was marked FINISHED: the resume says so, and ends it.
    assertEquals(Outcome.FOUND_FINISHED, step(work, resumable(work), null));
    assertSameRun(expected, finishedRun(work), "targeted chain");

    System.out.printf(
        "RunKillResumeTest: %d kills, %d refused resumes; each resumed run equal to the"
            + " uninterrupted one. Killed at:%n  %s%n",
        killedAt.size(), refusals, String.join("\n  ", killedAt));
    assertEquals(RANDOM_CHAINS * KILLS_PER_CHAIN + TARGETED.size(), killedAt.size());
  }

  private enum Outcome {
    /** Killed at its kill point. */
    KILLED,
    /** A resume refused: the run was killed before it was set up. */
    REFUSED,
    /** Ran to the end. */
    FINISHED,
    /** A resume refused: the run had been marked FINISHED before it was killed. */
    FOUND_FINISHED
  }

  /**
   * One process: {@code chexnet run spec.yaml} when {@code resuming} is null, else {@code chexnet
   * run --resume RESUMING}; killed at {@code killAt} (a {@link CrashPoints#KILL_AT} value) unless
   * null.
   */
  private Outcome step(Path work, String resuming, String killAt) throws Exception {
    Path stepLog = Files.createTempFile(dir, "steps", ".log");
    List<String> jvm = new ArrayList<>(List.of(property(CrashPoints.LOG, stepLog)));
    if (killAt != null) {
      jvm.add(property(CrashPoints.KILL_AT, killAt));
    }
    Launched process =
        resuming == null
            ? chexnet(work, jvm, "run", "spec.yaml")
            : chexnet(work, jvm, "run", "--resume", resuming);
    int exit = process.exitCode();
    String output = process.output();
    List<String> reached = Files.readAllLines(stepLog);
    if (exit == 137) {
      assertTrue(killAt != null, "killed without a kill point:\n" + output);
      String last = reached.get(reached.size() - 1);
      killedAt.add(last.substring(last.indexOf(' ') + 1).replace(dir.toString(), ""));
      return Outcome.KILLED;
    }
    if (exit == 2 && resuming != null) {
      assertTrue(
          output.contains(NOT_SET_UP) || output.contains(FINISHED_ALREADY),
          "a refused resume says why:\n" + output);
      refusals++;
      if (output.contains(FINISHED_ALREADY)) {
        return Outcome.FOUND_FINISHED;
      }
      refused.add(resuming);
      return Outcome.REFUSED;
    }
    assertEquals(0, exit, "kill point " + killAt + ":\n" + output);
    return Outcome.FINISHED;
  }

  /** A work directory with the spec and the reference's data (generated and cached once). */
  private Path chainDirectory(Path reference, String name) throws Exception {
    Path work = Files.createDirectories(dir.resolve(name));
    Files.writeString(work.resolve("spec.yaml"), SPEC);
    FileTrees.copy(reference.resolve("data"), work.resolve("data"));
    return work;
  }

  /**
   * The id of the run a resume continues: the store's one run that a resume did not refuse; null
   * when there is none (killed before its meta.yaml was written: start again).
   */
  private String resumable(Path work) throws Exception {
    List<String> ids =
        runs(work).stream()
            .map(r -> r.getFileName().toString())
            .filter(id -> !refused.contains(id))
            .toList();
    assertTrue(ids.size() <= 1, ids.toString());
    return ids.isEmpty() ? null : ids.get(0);
  }

  private static Path finishedRun(Path work) throws Exception {
    List<Path> finished = new ArrayList<>();
    for (Path run : runs(work)) {
      if (Files.readString(run.resolve("meta.yaml")).contains("status: 3")) {
        finished.add(run);
      }
    }
    assertEquals(1, finished.size(), "one finished run: " + finished);
    return finished.get(0);
  }

  private static List<Path> runs(Path work) throws Exception {
    Path store = work.resolve("mlruns");
    if (!Files.isDirectory(store)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(store, 2)) {
      return walk.filter(p -> p.getNameCount() == store.getNameCount() + 2)
          .filter(p -> Files.isRegularFile(p.resolve("meta.yaml")))
          .sorted()
          .toList();
    }
  }

  /**
   * Every file of the run equals the reference run's: the same files (no leftover temporary file,
   * staging or backup directory) and the same bytes (checkpoints, SavedModel variables,
   * predictions, history, reports, plots); metric histories value for value and step for step
   * (their timestamps are times). Text may differ only by the run's id and work directory (the
   * reports name them); dataset inputs are matched by content, their directories being named by the
   * run id. Not compared byte for byte: the SavedModel's graph ({@code saved_model.pb}: TensorFlow
   * writes its maps in no fixed order, two uninterrupted runs differ too) and {@code roc.png} (its
   * title holds the run id; its points are {@code roc.csv}). The resume count tag and the process
   * tags (pid, host, start time) are the resumed run's own.
   */
  private static void assertSameRun(Path expected, Path actual, String what) throws Exception {
    Map<String, Path> want = files(expected);
    Map<String, Path> got = files(actual);
    got.remove("tags/chexnet.resumes");
    Set<String> missing = new TreeSet<>(want.keySet());
    missing.removeAll(got.keySet());
    Set<String> extra = new TreeSet<>(got.keySet());
    extra.removeAll(want.keySet());
    assertEquals(
        want.keySet(),
        got.keySet(),
        what + ": the run's files, in " + actual + ": missing " + missing + ", extra " + extra);
    for (Map.Entry<String, Path> file : want.entrySet()) {
      String name = file.getKey();
      Path other = got.get(name);
      String where = what + ": " + name + " in " + actual;
      if (name.equals("meta.yaml")) {
        assertTrue(Files.readString(other).contains("status: 3"), where + ": FINISHED");
      } else if (name.startsWith("metrics/")) {
        assertEquals(withoutTimestamps(file.getValue()), withoutTimestamps(other), where);
      } else if (name.endsWith(".md") || name.endsWith(".html")) {
        assertEquals(normalised(file.getValue(), expected), normalised(other, actual), where);
      } else if (!name.equals("artifacts/saved_model/saved_model.pb")
          && !name.equals("artifacts/roc.png")
          && !name.startsWith("tags/" + RunProcess.TAG_PREFIX)) {
        assertArrayEquals(Files.readAllBytes(file.getValue()), Files.readAllBytes(other), where);
      }
    }
  }

  /**
   * A report's text without the run's id, work directory and embedded images (compared as files).
   */
  private static String normalised(Path report, Path run) throws Exception {
    Path work = run.getParent().getParent().getParent();
    return Files.readString(report)
        .replace(run.getFileName().toString(), "RUN")
        .replace(work.toString(), "WORK")
        .replaceAll("data:image/png;base64,[A-Za-z0-9+/=]+", "IMAGE");
  }

  /**
   * The run's files by path, a dataset input's by its content instead: MLflow names an input's
   * directory by the run id (md5 of the dataset id and the run id).
   */
  private static Map<String, Path> files(Path run) throws Exception {
    Map<String, Path> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(run)) {
      for (Path f : walk.filter(Files::isRegularFile).toList()) {
        String name = run.relativize(f).toString();
        files.put(
            name.startsWith("inputs/") ? "inputs/" + Files.readString(f).replace('\n', ' ') : name,
            f);
      }
    }
    return files;
  }

  private static List<String> withoutTimestamps(Path metric) throws Exception {
    return Files.readAllLines(metric).stream()
        .map(line -> line.substring(line.indexOf(' ') + 1))
        .toList();
  }

  private static int firstMatching(List<String> steps, String regex) {
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i).matches(regex)) {
        return i;
      }
    }
    return fail("no step matches " + regex);
  }

  private static String property(String name, Object value) {
    return "-D" + name + "=" + value;
  }

  /** The chexnet CLI in a new JVM with this test's classpath, in {@code work}. */
  private Launched chexnet(Path work, List<String> jvmOptions, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Chexnet.class.getName()));
    command.addAll(List.of(args));
    Path console = Files.createTempFile(dir, "console", ".txt");
    Process process =
        new ProcessBuilder(command)
            .directory(work.toFile())
            .redirectErrorStream(true)
            .redirectOutput(console.toFile())
            .start();
    return new Launched(process, console);
  }

  /** A CLI process and the file its console output goes to. */
  private record Launched(Process process, Path console) {
    int exitCode() throws Exception {
      if (!process.waitFor(5, TimeUnit.MINUTES)) {
        process.destroyForcibly().waitFor();
        fail("chexnet did not end in 5 minutes:\n" + output());
      }
      return process.exitValue();
    }

    String output() throws Exception {
      return Files.readString(console);
    }
  }
}
