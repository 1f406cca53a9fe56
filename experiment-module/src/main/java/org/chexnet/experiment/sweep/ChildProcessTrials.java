package org.chexnet.experiment.sweep;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.chexnet.common.Reporter;
import org.chexnet.tracking.Run;
import org.chexnet.tracking.RunRecord;
import org.chexnet.tracking.RunStatus;

/**
 * A sweep's trials as child processes, {@code parallel} at a time: each a full {@code chexnet run}
 * with its own TensorFlow session, the cores split between the trials that run at once, its console
 * in the parent run's {@code trials/trial-N.log}. The median stopping rule (the sweep's {@code
 * early_stopping}) stops a trial's process when it falls behind the others.
 */
public final class ChildProcessTrials implements TrialExecutor {
  private static final long POLL_MILLIS = 1000;

  private final List<String> command;
  private final int parallel;
  private final Reporter reporter;
  private final Path workDir;

  /**
   * @param command what starts the {@code chexnet} command line in a new process (java, its
   *     classpath and main class): each trial appends {@code run SPEC --set ... --tag ...} or
   *     {@code run --resume RUN --store DIR}
   * @param parallel trials at a time
   */
  public ChildProcessTrials(List<String> command, int parallel, Reporter reporter, Path workDir) {
    if (parallel < 1) {
      throw new IllegalArgumentException("parallel must be at least 1, got " + parallel);
    }
    this.command = List.copyOf(command);
    this.parallel = parallel;
    this.reporter = reporter;
    this.workDir = workDir;
  }

  /**
   * This JVM started again with another main class: the running java, its heap, GC and stack
   * settings, its classpath.
   */
  public static List<String> sameJvm(Class<?> mainClass) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("-XX:") || a.startsWith("-Xm") || a.startsWith("-Xss"))
        .forEach(command::add);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
    return command;
  }

  @Override
  public void execute(
      Sweep.Plan plan, Run parent, List<PendingTrial> pending, Reporter.Task progress)
      throws Exception {
    Path logs = Files.createDirectories(parent.artifactsDir().resolve("trials"));
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / parallel);
    ExecutorService pool = Executors.newFixedThreadPool(parallel);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (PendingTrial trial : pending) {
        running.add(
            pool.submit(
                () -> {
                  runTrial(plan, parent.id(), trial, threads, logs);
                  progress.step();
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

  private void runTrial(Sweep.Plan plan, String parentId, PendingTrial p, int threads, Path logs)
      throws Exception {
    Trial trial = p.trial();
    List<String> trialCommand = new ArrayList<>(command);
    trialCommand.add("run");
    if (p.previous() != null) {
      trialCommand.addAll(
          List.of("--resume", p.previous().id(), "--store", plan.store().root().toString()));
    } else {
      trialCommand.add(plan.baseFile().toString());
      for (String override : plan.trialOverrides(trial)) {
        trialCommand.addAll(List.of("--set", override));
      }
      plan.trialTags(trial, parentId)
          .forEach((key, value) -> trialCommand.addAll(List.of("--tag", key + "=" + value)));
    }
    Path log = logs.resolve("trial-" + trial.index() + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(trialCommand)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("TF_NUM_INTRAOP_THREADS", String.valueOf(threads));
    Process process = builder.start();
    reporter.info(
        String.format(
            "%n%s trial %d %s (log %s)",
            p.previous() != null ? "Resuming" : "Starting", trial.index(), trial.values(), log));
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
      RunRecord child = Sweep.children(plan, parentId).get(trial.index());
      Run run = plan.tracking().reopenRun(child.id());
      run.setTag(Sweep.PRUNED_TAG, pruned.get());
      run.end(RunStatus.KILLED);
      reporter.info(String.format("%nTrial %d stopped: %s", trial.index(), pruned.get()));
    } else if (process.exitValue() != 0) {
      reporter.info(
          String.format(
              "%nTrial %d failed (exit %d): see %s", trial.index(), process.exitValue(), log));
    }
  }

  private Optional<String> medianRuleVerdict(Sweep.Plan plan, String parentId, Trial trial)
      throws IOException {
    SweepSpec.EarlyStopping early = plan.spec().earlyStopping();
    if (early == null) {
      return Optional.empty();
    }
    MedianStoppingRule rule =
        new MedianStoppingRule(
            early.minEpochs(), early.minTrials(), plan.spec().objective().maximize());
    Map<Integer, RunRecord> children = Sweep.children(plan, parentId);
    RunRecord own = children.get(trial.index());
    if (own == null) {
      return Optional.empty();
    }
    String metric = plan.spec().objective().metric();
    List<List<Double>> others = new ArrayList<>();
    for (Map.Entry<Integer, RunRecord> e : children.entrySet()) {
      if (e.getKey() != trial.index()) {
        others.add(Sweep.history(plan.store(), e.getValue(), metric));
      }
    }
    return rule.decide(Sweep.history(plan.store(), own, metric), others);
  }
}
