package org.chexnet.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.chexnet.cli.sweep.Sweep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "sweep",
    mixinStandardHelpOptions = true,
    description = {
      "Run a hyperparameter sweep: every trial a full run, recorded as a child of one parent run.",
      "Trials run as separate processes, --parallel at a time, the cores split between them."
          + " Running the same sweep again skips finished trials and resumes unfinished ones"
          + " from their backups. The parent run gets sweep-summary.md/.csv, sweep.png and the"
          + " best trial's spec (best-spec.yaml)."
    })
final class SweepCommand implements Callable<Integer> {
  @Parameters(paramLabel = "SWEEP", description = "sweep spec, e.g. experiments/lr-sweep.yaml")
  Path sweep;

  @Option(
      names = "--parallel",
      defaultValue = "1",
      paramLabel = "N",
      description = "trials at a time (default ${DEFAULT-VALUE})")
  int parallel;

  @Override
  public Integer call() throws Exception {
    if (parallel < 1) {
      throw new UsageException("--parallel must be at least 1, got " + parallel);
    }
    new Sweep(System.out, Path.of("").toAbsolutePath(), thisCli()).run(sweep, parallel);
    return 0;
  }

  /** This same CLI in a new JVM: the running java, classpath and main class. */
  static List<String> thisCli() {
    return List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp",
        System.getProperty("java.class.path"),
        Chexnet.class.getName());
  }
}
