package org.chexnet.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.Reporter;
import org.chexnet.evaluation.card.ClinicalEvaluation;
import org.chexnet.experiment.evaluate.DatasetEvaluation;
import org.chexnet.experiment.evaluate.EvaluationRequest;
import org.chexnet.experiment.evaluate.PredictionsEvaluation;
import org.chexnet.experiment.models.ModelResolver;
import org.chexnet.experiment.run.ExperimentRunner;
import org.chexnet.experiment.run.RunResult;
import org.chexnet.experiment.spec.SpecException;
import org.chexnet.experiment.spec.SpecLoader;
import org.chexnet.experiment.spec.SpecLoader.LoadedSpec;
import org.chexnet.experiment.sweep.InProcessTrials;
import org.chexnet.experiment.sweep.Sweep;
import org.chexnet.experiment.sweep.SweepResult;
import org.chexnet.experiment.sweep.TrialExecutor;
import org.chexnet.tracking.LocalRunStore;

/**
 * chexnet from Java: load an experiment spec, run or resume it, sweep it, score predictions; what
 * the {@code chexnet} command does, with typed results instead of console output.
 *
 * <pre>{@code
 * Experiments chexnet = Experiments.in(Path.of("."));
 * RunResult run = chexnet.run(chexnet.load(Path.of("experiments/quickstart.yaml")));
 * System.out.println(run.meanAuroc());
 * }</pre>
 *
 * <p>Relative paths in specs and arguments start at the working directory given here. Nothing is
 * printed: progress and messages go to the {@link Reporter}. Input the caller must fix (a spec, a
 * path, a file's line) throws {@link ChexnetException} (a {@link SpecException} for a spec, with
 * its file:line:column), before anything is written.
 */
public final class Experiments {
  private final Path workDir;
  private final Reporter reporter;

  private Experiments(Path workDir, Reporter reporter) {
    this.workDir = workDir.toAbsolutePath().normalize();
    this.reporter = reporter;
  }

  /** Silent: no progress, no messages. */
  public static Experiments in(Path workDir) {
    return new Experiments(workDir, Reporter.silent());
  }

  public static Experiments in(Path workDir, Reporter reporter) {
    return new Experiments(workDir, reporter);
  }

  /**
   * Reads and checks an experiment spec, every key with its default filled in.
   *
   * @param overrides {@code key.path=value}, checked like the file (as {@code --set})
   */
  public LoadedSpec load(Path spec, String... overrides) throws IOException {
    return SpecLoader.load(workDir.resolve(spec), List.of(overrides));
  }

  /**
   * As {@link #load(Path, String...)} for a spec held as text.
   *
   * @param source how error locations name the text
   */
  public LoadedSpec parse(String yaml, String source, String... overrides) {
    return SpecLoader.load(yaml, source, List.of(overrides));
  }

  /** Trains, evaluates and records one experiment. */
  public RunResult run(LoadedSpec spec) throws Exception {
    return run(spec, Map.of());
  }

  /**
   * @param tags extra tags on the run
   */
  public RunResult run(LoadedSpec spec, Map<String, String> tags) throws Exception {
    return new ExperimentRunner(reporter, workDir).run(spec, tags);
  }

  /**
   * Continues a run that was killed or failed, from its last backup, with the spec it recorded.
   *
   * @param run its directory, or its id or name in {@code store}
   * @param store the local run store (relative to the working directory)
   */
  public RunResult resume(String run, Path store) throws Exception {
    ExperimentRunner runner = new ExperimentRunner(reporter, workDir);
    Path runDirectory = workDir.resolve(run);
    if (LocalRunStore.isRunDirectory(runDirectory)) {
      Path absolute = runDirectory.normalize();
      return runner.resume(
          new LocalRunStore(absolute.getParent().getParent()), absolute.getFileName().toString());
    }
    Path root = workDir.resolve(store);
    if (!Files.isDirectory(root)) {
      throw ChexnetException.invalidInput(
          "--resume " + run + ": not a run directory, and no run store at " + root);
    }
    return runner.resume(new LocalRunStore(root), run);
  }

  /** Runs (or continues) a sweep with its trials one after the other in this JVM. */
  public SweepResult sweep(Path sweepFile) throws Exception {
    return sweep(sweepFile, new InProcessTrials(reporter, workDir));
  }

  /**
   * Runs (or continues) a sweep: finished trials are skipped, unfinished ones resumed.
   *
   * @param executor where the trials run
   */
  public SweepResult sweep(Path sweepFile, TrialExecutor executor) throws Exception {
    return new Sweep(reporter, workDir).run(workDir.resolve(sweepFile), executor);
  }

  /**
   * Scores a predictions file against labels and writes the report set and model card: what {@code
   * chexnet evaluate} prints is {@code EvaluationReport.consoleTable(scored.detailed().result())}
   * and {@code scored.summary()}; {@code scored.calibration()} and {@code scored.subgroups()} hold
   * the calibration and subgroup results.
   */
  public ClinicalEvaluation evaluate(EvaluationRequest request) throws IOException {
    return PredictionsEvaluation.evaluate(request.resolvedAgainst(workDir));
  }

  /**
   * Scores a model on a split of any dataset over the findings the two share, and writes the report
   * set with the findings compared and skipped, calibration, subgroups and model card (what {@code
   * chexnet evaluate --model ... --dataset ...} does): {@code result.evaluation()} holds them as
   * {@link #evaluate(EvaluationRequest)} returns them.
   *
   * @param resolver opens the request's model reference
   */
  public DatasetEvaluation.Result evaluate(
      DatasetEvaluation.Request request, ModelResolver resolver) throws IOException {
    return DatasetEvaluation.evaluate(request.resolvedAgainst(workDir), resolver, reporter);
  }

  public Path workDir() {
    return workDir;
  }

  public Reporter reporter() {
    return reporter;
  }
}
