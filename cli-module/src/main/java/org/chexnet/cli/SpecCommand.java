package org.chexnet.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.chexnet.experiment.spec.SpecLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "spec",
    description =
        "Check an experiment spec and print it resolved: every key with its default filled in.")
final class SpecCommand implements Callable<Integer> {
  @Parameters(paramLabel = "SPEC", description = "experiment spec")
  Path spec;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "override a spec key (repeatable)")
  List<String> overrides = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    SpecLoader.LoadedSpec loaded = SpecLoader.load(spec, overrides);
    System.out.print(loaded.resolvedYaml());
    System.out.println("# digest: " + loaded.digest());
    return 0;
  }
}
