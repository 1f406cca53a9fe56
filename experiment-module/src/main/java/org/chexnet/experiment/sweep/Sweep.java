package org.chexnet.experiment.sweep;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.chexnet.common.Hashes;
import org.chexnet.common.Reporter;
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
 * Runs a sweep: each trial a full {@code chexnet run} in its own process (its own TensorFlow
 * session, the cores split between the trials that run at once), recorded as a child run of one
 * parent run. Everything it knows it reads back from the run store, so running the same sweep again
 * skips finished trials, resumes unfinished ones from their backups and starts the rest.
 */
public final class Sweep {
  public static final String DIGEST_TAG = "chexnet.sweep.digest";
  public static final String TRIAL_TAG = "chexnet.sweep.trial";
  public static final String PRUNED_TAG = "chexnet.sweep.pruned";
  private static final long POLL_MILLIS = 1000;

  private final Reporter reporter;
  private final Path workDir;
  private final List<String> chexnetCommand;

  /**
   * @param chexnetCommand how to start the {@code chexnet} CLI in a new process (java, its
   *     classpath and main class)
   */
  public Sweep(Reporter reporter, Path workDir, List<String> chexnetCommand) {
    this.reporter = reporter;
    this.workDir = workDir;
    this.chexnetCommand = List.copyOf(chexnetCommand);
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
   * Runs one trial in this process (a pod of a {@link KubernetesJob}), tagged with its index and
   * the sweep's digest, as a child of {@code parentRunId} when given.
   */
  public Run runTrial(Path sweepFile, int index, String parentRunId) throws Exception {
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
    List<String> overrides = new ArrayList<>(trial.overrides());
    overrides.add("tracking.run_name=" + plan.spec().name() + "-" + index);
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(TRIAL_TAG, String.valueOf(index));
    tags.put(DIGEST_TAG + ".of_parent", plan.digest());
    if (parentRunId != null) {
      tags.put(SystemTags.PARENT_RUN_ID, parentRunId);
    }
    reporter.info(
        String.format("Trial %d of sweep %s: %s", index, plan.spec().name(), trial.values()));
    return new org.chexnet.experiment.run.ExperimentRunner(reporter, workDir)
        .run(SpecLoader.load(plan.baseFile(), overrides), tags);
  }

  /** Runs (or continues) the sweep; returns its parent run's directory. */
  public Path run(Path sweepFile, int parallel) throws Exception {
    Plan plan = plan(sweepFile, workDir);
    Optional<RunRecord> previous = findParent(plan);
    if (previous.isPresent() && previous.get().status().equals(RunStatus.FINISHED.name())) {
      reporter.info(
          String.format(
              "Sweep %s finished already (run %s)", plan.spec().name(), previous.get().id()));
      Path directory = plan.store().runDirectory(previous.get());
      reporter.info(
          (Files.readString(directory.resolve("artifacts/" + SweepSummary.TABLE))).stripTrailing());
      return directory;
    }
    Run parent =
        previous.isPresent() ? plan.tracking().reopenRun(previous.get().id()) : startParent(plan);
    try (parent) {
      reporter.info(
          String.format(
              "Sweep %s: %d trials, %d at a time, parent run %s",
              plan.spec().name(), plan.trials().size(), parallel, parent.id()));
      runTrials(plan, parent, parallel);
      SweepSummary summary = SweepSummary.of(plan, children(plan, parent.id()));
      summary.write(parent);
      reporter.info((summary.table()).stripTrailing());
      boolean complete = summary.allEnded();
      parent.end(complete ? RunStatus.FINISHED : RunStatus.FAILED);
      if (!complete) {
        reporter.info("Some trials failed: run the same sweep again to resume them.");
      }
      return parent.directory();
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

  private void runTrials(Plan plan, Run parent, int parallel) throws Exception {
    Map<Integer, RunRecord> existing = children(plan, parent.id());
    List<Trial> todo = new ArrayList<>();
    for (Trial trial : plan.trials()) {
      RunRecord child = existing.get(trial.index());
      String status = child == null ? null : child.status();
      if (RunStatus.FINISHED.name().equals(status) || RunStatus.KILLED.name().equals(status)) {
        continue;
      }
      todo.add(trial);
    }
    int skipped = plan.trials().size() - todo.size();
    if (skipped > 0) {
      reporter.info(String.format("%d trials ended in an earlier sweep run: skipped", skipped));
    }
    Path logs = Files.createDirectories(parent.artifactsDir().resolve("trials"));
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / parallel);
    ExecutorService pool = Executors.newFixedThreadPool(parallel);
    try (Reporter.Task bar =
        reporter.task("Sweep " + plan.spec().name(), plan.trials().size(), Reporter.Unit.TRIALS)) {
      bar.stepTo(skipped);
      List<Future<?>> running = new ArrayList<>();
      for (Trial trial : todo) {
        RunRecord child = existing.get(trial.index());
        running.add(
            pool.submit(
                () -> {
                  runTrial(plan, parent.id(), trial, child, threads, logs);
                  bar.step();
                  return null;
                }));
      }
      for (Future<?> f : running) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private void runTrial(
      Plan plan, String parentId, Trial trial, RunRecord previous, int threads, Path logs)
      throws Exception {
    List<String> command = new ArrayList<>(chexnetCommand);
    command.add("run");
    if (previous != null) {
      command.addAll(List.of("--resume", previous.id(), "--store", plan.store().root().toString()));
    } else {
      command.add(plan.baseFile().toString());
      for (String override : trial.overrides()) {
        command.addAll(List.of("--set", override));
      }
      command.addAll(
          List.of(
              "--set",
              "tracking.run_name=" + plan.spec().name() + "-" + trial.index(),
              "--tag",
              SystemTags.PARENT_RUN_ID + "=" + parentId,
              "--tag",
              TRIAL_TAG + "=" + trial.index()));
    }
    Path log = logs.resolve("trial-" + trial.index() + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("TF_NUM_INTRAOP_THREADS", String.valueOf(threads));
    Process process = builder.start();
    reporter.info(
        String.format(
            "%n%s trial %d %s (log %s)",
            previous != null ? "Resuming" : "Starting", trial.index(), trial.values(), log));
    Optional<String> pruned = Optional.empty();
    while (!process.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
      pruned = medianRuleVerdict(plan, parentId, trial);
      if (pruned.isPresent()) {
        process.destroy();
        process.waitFor();
        break;
      }
    }
    if (pruned.isPresent()) {
      RunRecord child = children(plan, parentId).get(trial.index());
      Run run = plan.tracking().reopenRun(child.id());
      run.setTag(PRUNED_TAG, pruned.get());
      run.end(RunStatus.KILLED);
      reporter.info(String.format("%nTrial %d stopped: %s", trial.index(), pruned.get()));
    } else if (process.exitValue() != 0) {
      reporter.info(
          String.format(
              "%nTrial %d failed (exit %d): see %s", trial.index(), process.exitValue(), log));
    }
  }

  private Optional<String> medianRuleVerdict(Plan plan, String parentId, Trial trial)
      throws IOException {
    SweepSpec.EarlyStopping early = plan.spec().earlyStopping();
    if (early == null) {
      return Optional.empty();
    }
    MedianStoppingRule rule =
        new MedianStoppingRule(
            early.minEpochs(), early.minTrials(), plan.spec().objective().maximize());
    Map<Integer, RunRecord> children = children(plan, parentId);
    RunRecord own = children.get(trial.index());
    if (own == null) {
      return Optional.empty();
    }
    String metric = plan.spec().objective().metric();
    List<List<Double>> others = new ArrayList<>();
    for (Map.Entry<Integer, RunRecord> e : children.entrySet()) {
      if (e.getKey() != trial.index()) {
        others.add(history(plan.store(), e.getValue(), metric));
      }
    }
    return rule.decide(history(plan.store(), own, metric), others);
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
