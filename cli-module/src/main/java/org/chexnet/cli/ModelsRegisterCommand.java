package org.chexnet.cli;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.chexnet.common.ChexnetException;
import org.chexnet.tracking.LocalRunStore;
import org.chexnet.tracking.Lookups;
import org.chexnet.tracking.MlflowServer;
import org.chexnet.tracking.ModelRegistry;
import org.chexnet.tracking.RunRecord;
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
      "Serve it later by models:/NAME@ALIAS or models:/NAME/VERSION."
    })
final class ModelsRegisterCommand implements Callable<Integer> {
  @Parameters(paramLabel = "RUN", description = "a local run id or name")
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
    String server = to != null ? to : System.getenv(Tracking.TRACKING_URI_ENV);
    if (server == null || !MlflowServer.isRemote(server)) {
      throw ChexnetException.invalidInput(
          "The model registry is on an MLflow server: give --to http(s)://... or set "
              + Tracking.TRACKING_URI_ENV
              + (server == null ? "" : " (it is '" + server + "', not a server)"));
    }
    LocalRunStore local = RunSource.localStore(store);
    RunRecord record = Lookups.asInput(() -> local.readRun(run));
    try (MlflowServer remote = Lookups.asInput(() -> MlflowServer.connect(URI.create(server)))) {
      ModelRegistry.ModelVersion version =
          Lookups.asInput(
              () ->
                  new ModelRegistry(remote)
                      .register(local, record, name, Optional.ofNullable(alias)));
      System.out.printf(
          "Registered run %s (%s) as %s%s on %s%n",
          record.id(),
          record.name(),
          version.uri(),
          alias == null ? "" : " = models:/" + name + "@" + alias,
          remote.uri());
    }
    return 0;
  }
}
