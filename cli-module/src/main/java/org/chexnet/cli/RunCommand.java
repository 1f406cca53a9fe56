package org.chexnet.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.InputFiles;
import org.chexnet.experiment.Experiments;
import org.chexnet.experiment.run.RunResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "run",
    description = {
      "Train, evaluate and record one experiment (results: docs/results.md).",
      "Killed at any moment, it continues with --resume RUN as if never interrupted."
    })
final class RunCommand implements Callable<Integer> {
  @Parameters(
      paramLabel = "SPEC",
      arity = "0..1",
      description = "experiment spec, e.g. experiments/quickstart.yaml")
  Path spec;

  @Option(
      names = "--resume",
      paramLabel = "RUN",
      description = "continue a killed or failed run: its id or name in --store, or its directory")
  String resume;

  /** With --resume: the local run store holding RUN. */
  @Mixin StoreOption store;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "override a spec key, checked like the file (repeatable)")
  List<String> overrides = new ArrayList<>();

  @Option(
      names = "--tag",
      paramLabel = "KEY=VALUE",
      description = "an extra tag on the run, e.g. team=radiology (repeatable)")
  Map<String, String> tags = new LinkedHashMap<>();

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "also copy the run's artifacts to DIR, replaced atomically (DVC outs)")
  Path out;

  @Override
  public Integer call() throws Exception {
    if (out != null) {
      InputFiles.outputDirectory(out, "--out");
    }
    Experiments chexnet =
        Experiments.in(Path.of("").toAbsolutePath(), new ConsoleReporter(System.out));
    RunResult run;
    if (resume != null) {
      if (spec != null || !overrides.isEmpty() || !tags.isEmpty()) {
        throw ChexnetException.invalidInput(
            "--resume continues a run with the spec and tags it recorded: give no SPEC, --set"
                + " or --tag");
      }
      run = chexnet.resume(resume, store.directory);
    } else {
      if (spec == null) {
        throw ChexnetException.invalidInput("give an experiment SPEC to run, or --resume RUN");
      }
      // The whole spec is checked before anything is written.
      run = chexnet.run(chexnet.load(spec, overrides.toArray(String[]::new)), tags);
    }
    if (out != null) {
      run.exportArtifacts(out);
      System.out.println("Copied the artifacts to " + out);
    }
    return 0;
  }
}
