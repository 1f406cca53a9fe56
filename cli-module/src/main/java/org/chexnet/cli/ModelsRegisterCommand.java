package org.chexnet.cli;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.chexnet.experiment.models.ModelRegistration;
import org.chexnet.tracking.RunSource;
import org.chexnet.tracking.Tracking;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "register",
    mixinStandardHelpOptions = true,
    description = {
      "Register a run's SavedModel (artifacts/saved_model) in an MLflow server's model registry"
          + " as a new version of a model; the run is pushed to the server first.",
      "Or register a model directory of `chexnet models import` (its SavedModel and model card):"
          + " uploaded as a run of experiment '"
          + ModelRegistration.IMPORTED_EXPERIMENT
          + "' tagged with the imported file and its SHA-256.",
      "Serve it later by models:/NAME@ALIAS or models:/NAME/VERSION."
    })
final class ModelsRegisterCommand implements Callable<Integer> {
  @Parameters(
      paramLabel = "RUN|DIR",
      description = "a local run id or name, or a model directory (chexnet models import --out)")
  String run;

  @Option(names = "--name", required = true, paramLabel = "NAME", description = "e.g. chexnet")
  String name;

  @Option(
      names = "--alias",
      paramLabel = "ALIAS",
      description = "point this alias at the new version, e.g. champion")
  String alias;

  @Option(
      names = "--to",
      paramLabel = "URI",
      description = "the MLflow server (default: $" + Tracking.TRACKING_URI_ENV + ")")
  String to;

  @Option(
      names = "--store",
      paramLabel = "DIR",
      description = "the local run store (default: " + RunSource.DEFAULT_STORE + ")")
  Path store = Path.of(RunSource.DEFAULT_STORE);

  @Override
  public Integer call() throws Exception {
    ModelRegistration.Registered registered =
        ModelRegistration.register(
            run,
            store,
            to != null ? to : System.getenv(Tracking.TRACKING_URI_ENV),
            name,
            Optional.ofNullable(alias));
    System.out.printf(
        "Registered %s as %s%s on %s%n",
        registered.registered(),
        registered.version().uri(),
        alias == null ? "" : " = models:/" + name + "@" + alias,
        registered.server());
    return 0;
  }
}
