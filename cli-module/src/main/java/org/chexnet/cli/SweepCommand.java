package org.chexnet.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.chexnet.common.AtomicFiles;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.InputFiles;
import org.chexnet.experiment.sweep.ChildProcessTrials;
import org.chexnet.experiment.sweep.KubernetesTrials;
import org.chexnet.experiment.sweep.Sweep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "sweep",
    description = {
      "Run a hyperparameter sweep: every trial a full run, a child of one parent run.",
      "Run again, it skips finished trials and resumes the rest (docs/sweeps.md)."
    })
final class SweepCommand implements Callable<Integer> {
  @Parameters(
      paramLabel = "SWEEP",
      description = "sweep spec, e.g. experiments/quickstart-sweep.yaml")
  Path sweep;

  @Option(
      names = "--parallel",
      defaultValue = "1",
      paramLabel = "N",
      description = "trials at a time")
  int parallel;

  @Option(
      names = "--trial",
      paramLabel = "INDEX",
      description = "run only this trial, in this process (what each pod of --emit k8s does)")
  Integer trial;

  @Option(
      names = "--parent-run",
      paramLabel = "ID",
      description = "with --trial or --emit: the parent run the trials are children of")
  String parentRun;

  @Option(
      names = "--emit",
      paramLabel = "k8s",
      description =
          "write a Kubernetes Indexed Job (one completion index per trial) and the ConfigMap with"
              + " the specs, instead of running")
  String emit;

  @Option(names = "--image", paramLabel = "IMAGE", description = "with --emit: the container image")
  String image;

  @Option(
      names = "--tracking-uri",
      paramLabel = "URI",
      description = "with --emit: the MLflow server the trials record to (MLFLOW_TRACKING_URI)")
  String trackingUri;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "with --emit: write here instead of standard output")
  Path out;

  @Override
  public Integer call() throws Exception {
    if (parallel < 1) {
      throw ChexnetException.invalidInput("--parallel must be at least 1, got " + parallel);
    }
    Path workDir = Path.of("").toAbsolutePath();
    if (out != null) {
      InputFiles.outputFile(out, "--out");
    }
    if (emit != null) {
      if (!emit.equals("k8s")) {
        throw ChexnetException.invalidInput("--emit must be k8s, got '" + emit + "'");
      }
      if (image == null) {
        throw ChexnetException.invalidInput(
            "--emit k8s needs --image: a container image with chexnet");
      }
      String yaml =
          new KubernetesTrials(image, trackingUri, parallel, manifest -> {})
              .manifest(Sweep.plan(sweep, workDir), parentRun);
      if (out == null) {
        System.out.print(yaml);
      } else {
        AtomicFiles.write(out, yaml);
        System.out.println("Wrote " + out);
      }
      return 0;
    }
    ConsoleReporter reporter = new ConsoleReporter(System.out);
    Sweep runner = new Sweep(reporter, workDir);
    if (trial != null) {
      runner.runTrial(sweep, trial, parentRun);
    } else {
      runner.run(
          sweep,
          new ChildProcessTrials(
              ChildProcessTrials.sameJvm(Chexnet.class), parallel, reporter, workDir));
    }
    return 0;
  }
}
