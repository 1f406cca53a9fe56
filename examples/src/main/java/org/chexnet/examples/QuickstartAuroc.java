package org.chexnet.examples;

import java.nio.file.Path;
import java.util.Arrays;
import org.chexnet.common.Reporter;
import org.chexnet.experiment.Experiments;
import org.chexnet.experiment.run.RunResult;
import org.chexnet.experiment.spec.SpecLoader.LoadedSpec;

/**
 * Runs the quickstart experiment and prints its test AUROC.
 *
 * <pre>
 * java -cp ... org.chexnet.examples.QuickstartAuroc experiments/quickstart.yaml [KEY=VALUE ...]
 * </pre>
 *
 * The arguments after the spec override its keys, as {@code chexnet run --set} does.
 */
public final class QuickstartAuroc {
  private QuickstartAuroc() {}

  public static void main(String[] args) throws Exception {
    Path spec = Path.of(args.length > 0 ? args[0] : "experiments/quickstart.yaml");
    String[] overrides = args.length > 1 ? Arrays.copyOfRange(args, 1, args.length) : new String[0];

    // The working directory holds the data and the run store; messages go to standard error.
    Experiments chexnet = Experiments.in(Path.of(""), Reporter.lines(System.err));
    LoadedSpec loaded = chexnet.load(spec, overrides);
    RunResult run = chexnet.run(loaded);

    System.out.printf("Run %s in %s%n", run.id(), run.directory());
    run.bestEpoch().ifPresent(epoch -> System.out.printf("Best epoch: %d%n", epoch));
    System.out.printf("Test mean AUROC: %.6f%n", run.meanAuroc());
  }
}
