package org.chexnet.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.chexnet.common.InputFiles;
import org.chexnet.experiment.models.ModelResolver;
import org.chexnet.experiment.models.ServedModel;
import org.chexnet.serving.ServingServer;
import org.chexnet.tracking.RunSource;
import org.chexnet.tracking.Tracking;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "serve",
    description =
        "Serve a model: a web page to upload a chest X-ray and see its 14 findings and class"
            + " activation maps, and a REST API (/api/v1/predict, /api/v1/cam, /api/v1/model,"
            + " /health, /api/v1/openapi.json, /model-card).")
final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--model",
      required = true,
      paramLabel = "MODEL",
      description = "a models:/ URI, run, its artifacts, SavedModel or imported model directory")
  String model;

  @Option(names = "--port", paramLabel = "P", description = "port to listen on")
  int port = 8080;

  @Option(
      names = "--host",
      paramLabel = "ADDRESS",
      description = "address to listen on (0.0.0.0 for all)")
  String host = "127.0.0.1";

  @Option(
      names = "--max-upload-bytes",
      paramLabel = "N",
      description = "largest image accepted (20 MiB)")
  long maxUploadBytes = 20L << 20;

  @Option(
      names = "--cache",
      paramLabel = "DIR",
      description = "where registry models are downloaded")
  Path cache = Path.of("models");

  @Option(
      names = "--from",
      paramLabel = "URI",
      description =
          "the MLflow server for models:/ URIs (default: $" + Tracking.TRACKING_URI_ENV + ")")
  String from;

  @Option(
      names = "--calibrated",
      description = "serve the probabilities calibrated as stored with the model; the page says so")
  boolean calibrated;

  @Mixin TtaOption tta;

  @Option(names = "--max-batch", paramLabel = "N", description = "most images in one model run")
  int maxBatch = 8;

  @Option(
      names = "--batch-window-ms",
      paramLabel = "MS",
      description = "how long a batch waits for more requests after its first")
  long batchWindowMs = 5;

  @Override
  public Integer call() throws Exception {
    InputFiles.outputDirectory(cache, "--cache");
    ServingServer.Options options =
        new ServingServer.Options(
            host, port, maxUploadBytes, maxBatch, Duration.ofMillis(batchWindowMs));
    ServedModel served =
        ServedModel.open(
            new ModelResolver(
                Path.of(RunSource.DEFAULT_STORE),
                Optional.ofNullable(from != null ? from : System.getenv(Tracking.TRACKING_URI_ENV)),
                cache),
            model,
            calibrated,
            tta.choice);
    ServingServer server =
        ServingServer.start(
            served.info(),
            served.predictor(),
            served.preprocessing(),
            served.calibration(),
            options);
    Thread shutdown = new Thread(server::close, "chexnet-serve-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdown);
    PrintWriter out = spec.commandLine().getOut();
    out.printf("Serving %s at http://%s:%d/%n", served.describe(), host, server.port());
    out.flush();
    try {
      // Until Ctrl-C (the shutdown hook stops the server) or, when embedded, an interrupt.
      new CountDownLatch(1).await();
    } catch (InterruptedException e) {
      server.close();
      Runtime.getRuntime().removeShutdownHook(shutdown);
    }
    return 0;
  }
}
