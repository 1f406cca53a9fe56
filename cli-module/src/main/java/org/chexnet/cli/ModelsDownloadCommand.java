package org.chexnet.cli;

import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.InputFiles;
import org.chexnet.tracking.Lookups;
import org.chexnet.tracking.MlflowServer;
import org.chexnet.tracking.ModelRegistry;
import org.chexnet.tracking.Tracking;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "download",
    mixinStandardHelpOptions = true,
    description =
        "Download a registered model (its SavedModel) by models:/NAME@ALIAS or models:/NAME/VERSION"
            + " into DIR/NAME/VERSION; a version already there is reused.")
final class ModelsDownloadCommand implements Callable<Integer> {
  @Parameters(paramLabel = "MODEL_URI", description = "e.g. models:/chexnet@champion")
  String modelUri;

  @Option(
      names = "--from",
      paramLabel = "URI",
      description = "the MLflow server (default: $" + Tracking.TRACKING_URI_ENV + ")")
  String from;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "where models are kept (default: models)")
  Path out = Path.of("models");

  @Override
  public Integer call() throws Exception {
    InputFiles.outputDirectory(out, "--out");
    String server = from != null ? from : System.getenv(Tracking.TRACKING_URI_ENV);
    if (server == null || !MlflowServer.isRemote(server)) {
      throw ChexnetException.invalidInput(
          "The model registry is on an MLflow server: give --from http(s)://... or set "
              + Tracking.TRACKING_URI_ENV);
    }
    try (MlflowServer remote = Lookups.asInput(() -> MlflowServer.connect(URI.create(server)))) {
      Path model = Lookups.asInput(() -> new ModelRegistry(remote).fetch(modelUri, out));
      System.out.println(model);
    }
    return 0;
  }
}
