package org.chexnet.experiment.sweep;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.chexnet.common.Hashes;
import org.chexnet.common.Reporter;
import org.chexnet.experiment.run.ExperimentRunner;
import org.chexnet.experiment.run.RunResult;
import org.chexnet.experiment.spec.ExperimentSpec;
import org.chexnet.experiment.spec.SpecException;
import org.chexnet.experiment.spec.SpecLoader;
import org.chexnet.tracking.LocalRunStore;
import org.chexnet.tracking.MetricPoint;
import org.chexnet.tracking.Run;
import org.chexnet.tracking.RunRecord;
import org.chexnet.tracking.RunStatus;
import org.chexnet.tracking.SystemTags;
import org.chexnet.tracking.Tracking;

/**
 * Runs a sweep: every trial a full run, recorded as a child run of one parent run, through a {@link
 * TrialExecutor}. Everything it knows it reads back from the run store, so running the same sweep
 * again skips finished trials, resumes unfinished ones from their backups and starts the rest. The
 * parent run gets the summary ({@value SweepSummary#TABLE}, {@value SweepSummary#CSV}, {@value
 * SweepSummary#PLOT}) and the best trial's spec ({@value SweepSummary#BEST_SPEC}).
 */
public final class Sweep {
  public static final String DIGEST_TAG = "chexnet.sweep.digest";
  public static final String TRIAL_TAG = "chexnet.sweep.trial";
  public static final String PRUNED_TAG = "chexnet.sweep.pruned";

  private final Reporter reporter;
  private final Path workDir;

  /**
   * @param workDir where the base spec's relative paths (data, tracking) start
   */
  public Sweep(Reporter reporter, Path workDir) {
    this.reporter = reporter;
    this.workDir = workDir;
  }

  /** A sweep's trials, checked, and where they are recorded. */
  public record Plan(
      SweepSpec spec,
      Path sweepFile,
      Path baseFile,
      List<Trial> trials,
      Tracking tracking,
      String experiment,
      String digest) {
    /** The local store every trial and the parent are written to first. */
    public LocalRunStore store() {
      return tracking.local();
    }

    /** The trial's swept values as {@code --set} overrides of the base spec, and its run name. */
    public List<String> trialOverrides(Trial trial) {
      List<String> overrides = new ArrayList<>(trial.overrides());
      overrides.add("tracking.run_name=" + spec.name() + "-" + trial.index());
      return overrides;
    }

    /**
     * The tags that make a run a trial of this sweep: its index, the sweep's digest and, when
     * given, its parent run.
     */
    public Map<String, String> trialTags(Trial trial, String parentRunId) {
      Map<String, String> tags = new LinkedHashMap<>();
      if (parentRunId != null) {
        tags.put(SystemTags.PARENT_RUN_ID, parentRunId);
      }
      tags.put(TRIAL_TAG, String.valueOf(trial.index()));
      tags.put(DIGEST_TAG + ".of_parent", digest);
      return tags;
    }
  }

  /** Reads the sweep and checks every trial's spec before anything runs. */
  public static Plan plan(Path sweepFile, Path workDir) throws IOException {
    SweepSpec spec = SweepSpec.load(sweepFile);
    Path baseFile = spec.basePath(sweepFile);
    SpecLoader.LoadedSpec base = SpecLoader.load(baseFile, List.of());
    List<Trial> trials = SearchSpace.trials(spec.search());
    for (Trial trial : trials) {
      try {
        SpecLoader.load(baseFile, trial.overrides());
      } catch (SpecException e) {
        throw new SpecException(
            null,
            e.key(),
            sweepFile + ": trial " + trial.index() + " " + trial.values() + ": " + e.getMessage());
      }
    }
    ExperimentSpec b = base.spec();
    // As each trial's own run: local first, mirrored to a server when the spec or
    // MLFLOW_TRACKING_URI names one.
    Tracking tracking = Tracking.fromUri(b.tracking().uri(), workDir);
    String experiment = b.tracking().experiment() != null ? b.tracking().experiment() : b.name();
    String digest = Hashes.digest(Files.readString(sweepFile) + "\n---\n" + base.resolvedYaml());
    return new Plan(spec, sweepFile, baseFile, trials, tracking, experiment, digest);
  }

  /**
   * Runs one trial in this process (a pod of a {@link KubernetesTrials} job), tagged with its index
   * and the sweep's digest, as a child of {@code parentRunId} when given.
   */
  public RunResult runTrial(Path sweepFile, int index, String parentRunId) throws Exception {
    Plan plan = plan(sweepFile, workDir);
    if (index < 0 || index >= plan.trials().size()) {
      throw new SpecException(
          sweepFile
              + ": --trial "
              + index
              + " is not one of its trials 0.."
              + (plan.trials().size() - 1));
    }
    Trial trial = plan.trials().get(index);
    reporter.info(
        String.format("Trial %d of sweep %s: %s", index, plan.spec().name(), trial.values()));
    return new ExperimentRunner(reporter, workDir)
        .run(
            SpecLoader.load(plan.baseFile(), plan.trialOverrides(trial)),
            plan.trialTags(trial, parentRunId));
  }

  /** Runs (or continues) the sweep's trials with {@code executor} and summarises them. */
  public SweepResult run(Path sweepFile, TrialExecutor executor) throws Exception {
    Plan plan = plan(sweepFile, workDir);
    Optional<RunRecord> previous = findParent(plan);
    if (previous.isPresent() && previous.get().status().equals(RunStatus.FINISHED.name())) {
      reporter.info(
          String.format(
              "Sweep %s finished already (run %s)", plan.spec().name(), previous.get().id()));
      Path directory = plan.store().runDirectory(previous.get());
      reporter.info(
          Files.readString(directory.resolve("artifacts/" + SweepSummary.TABLE)).stripTrailing());
      return SweepSummary.of(plan, children(plan, previous.get().id()))
          .result(previous.get().id(), directory, true);
    }
    Run parent =
        previous.isPresent() ? plan.tracking().reopenRun(previous.get().id()) : startParent(plan);
    try (parent) {
      Map<Integer, RunRecord> existing = children(plan, parent.id());
      List<TrialExecutor.PendingTrial> pending = new ArrayList<>();
      for (Trial trial : plan.trials()) {
        RunRecord child = existing.get(trial.index());
        String status = child == null ? null : child.status();
        if (!RunStatus.FINISHED.name().equals(status) && !RunStatus.KILLED.name().equals(status)) {
          pending.add(new TrialExecutor.PendingTrial(trial, child));
        }
      }
      int skipped = plan.trials().size() - pending.size();
      reporter.info(
          String.format(
              "Sweep %s: %d trials, parent run %s",
              plan.spec().name(), plan.trials().size(), parent.id()));
      if (skipped > 0) {
        reporter.info(String.format("%d trials ended in an earlier sweep run: skipped", skipped));
      }
      try (Reporter.Task progress =
          reporter.task(
              "Sweep " + plan.spec().name(), plan.trials().size(), Reporter.Unit.TRIALS)) {
        progress.stepTo(skipped);
        executor.execute(plan, parent, pending, progress);
      }
      if (!executor.waitsForTrials()) {
        reporter.info(
            "The trials run elsewhere as children of run "
                + parent.id()
                + "; the parent stays RUNNING here.");
        return SweepSummary.of(plan, children(plan, parent.id()))
            .result(parent.id(), parent.directory(), false);
      }
      SweepSummary summary = SweepSummary.of(plan, children(plan, parent.id()));
      summary.write(parent);
      reporter.info(summary.table().stripTrailing());
      boolean complete = summary.allEnded();
      parent.end(complete ? RunStatus.FINISHED : RunStatus.FAILED);
      if (!complete) {
        reporter.info("Some trials failed: run the same sweep again to resume them.");
      }
      return summary.result(parent.id(), parent.directory(), complete);
    }
  }

  private Run startParent(Plan plan) throws IOException {
    Run parent = plan.tracking().startRun(plan.experiment(), plan.spec().name());
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(DIGEST_TAG, plan.digest());
    tags.put("chexnet.sweep.trials", String.valueOf(plan.trials().size()));
    tags.put(
        "chexnet.sweep.search",
        plan.spec().search().type().name().toLowerCase(java.util.Locale.ROOT));
    parent.setTags(tags);
    parent.writeArtifact("sweep.yaml", Files.readAllBytes(plan.sweepFile()));
    parent.writeArtifact("base-spec.yaml", Files.readAllBytes(plan.baseFile()));
    parent.logParam("sweep.objective", plan.spec().objective().metric());
    for (String key : plan.spec().search().parameters().keySet()) {
      parent.logParam("sweep.swept." + key, "swept");
    }
    return parent;
  }

  private static Optional<RunRecord> findParent(Plan plan) throws IOException {
    return experimentRuns(plan).stream()
        .filter(r -> plan.digest().equals(r.tags().get(DIGEST_TAG)))
        .findFirst();
  }

  private static List<RunRecord> experimentRuns(Plan plan) throws IOException {
    try {
      return plan.store().listRuns(Optional.of(plan.experiment()));
    } catch (IllegalArgumentException noExperimentYet) {
      return List.of();
    }
  }

  /** The parent's child runs by trial index (the newest when a trial was started twice). */
  static Map<Integer, RunRecord> children(Plan plan, String parentId) throws IOException {
    Map<Integer, RunRecord> byTrial = new LinkedHashMap<>();
    for (RunRecord r : experimentRuns(plan)) { // newest first
      if (parentId.equals(r.tags().get(SystemTags.PARENT_RUN_ID))
          && r.tags().containsKey(TRIAL_TAG)) {
        byTrial.putIfAbsent(Integer.parseInt(r.tags().get(TRIAL_TAG)), r);
      }
    }
    return byTrial;
  }

  /**
   * A run's per-epoch values of a metric in step order; a step logged twice (an epoch redone after
   * a resume) counts once, with its last value.
   */
  static List<Double> history(LocalRunStore store, RunRecord run, String metric)
      throws IOException {
    java.util.TreeMap<Long, Double> byStep = new java.util.TreeMap<>();
    for (MetricPoint p : store.metricHistories(run).getOrDefault(metric, List.of())) {
      byStep.put(p.step(), p.value());
    }
    return new ArrayList<>(byStep.values());
  }
}
