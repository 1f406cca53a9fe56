package org.chexnet.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.chexnet.cli.spec.SpecLoader;
import org.chexnet.tracking.Run;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Train, evaluate and record one experiment.",
      "Results land in the run's directory under tracking.uri (default mlruns/<experiment>/<run>/artifacts)."
    })
final class RunCommand implements Callable<Integer> {
  @Parameters(
      paramLabel = "SPEC",
      description = "experiment spec, e.g. experiments/quickstart.yaml")
  Path spec;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "override a spec key, checked like the file, e.g. --set train.optimizer.lr=1e-4 (repeatable)")
  List<String> overrides = new ArrayList<>();

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description =
          "also copy the run's artifacts to DIR (a fixed path for DVC outs and scripts); replaced atomically")
  Path out;

  @Override
  public Integer call() throws Exception {
    // The whole spec is checked before anything is written.
    SpecLoader.LoadedSpec loaded = SpecLoader.load(spec, overrides);
    Run run = new ExperimentRunner(System.out, Path.of("").toAbsolutePath()).run(loaded);
    if (out != null) {
      run.exportArtifacts(out);
      System.out.println("Copied the artifacts to " + out);
    }
    return 0;
  }
}
