package org.chexnet.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.InputFiles;
import org.chexnet.experiment.models.ModelRegistration;
import org.chexnet.model.ImageNetWeights;
import org.chexnet.model.ModelCard;
import org.chexnet.model.WeightsDownload;
import org.chexnet.model.imports.ImportFormat;
import org.chexnet.model.imports.ModelImporter;
import org.chexnet.tracking.Tracking;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "models",
    description = "Model weights, published checkpoints and the model registry.",
    subcommands = {
      ModelsCommand.DownloadWeights.class,
      ModelsCommand.Import.class,
      ModelsCommand.Register.class,
      ModelsCommand.Download.class
    })
final class ModelsCommand {
  @Command(
      name = "download-weights",
      description =
          "Download Keras' ImageNet weights for DenseNet-121, MD5 checked, into the cache that"
              + " `weights: imagenet` reads.")
  static final class DownloadWeights implements Callable<Integer> {
    @Option(
        names = "--url",
        paramLabel = "URL",
        description = "where to fetch it (default: Google's Keras applications bucket)")
    URI url = ImageNetWeights.URL;

    @Option(
        names = "--out",
        paramLabel = "DIR",
        description =
            "cache directory (default: $"
                + ImageNetWeights.CACHE_ENV
                + ", else ~/.cache/chexnet/weights)")
    Path out;

    @Option(
        names = "--md5",
        paramLabel = "HEX",
        description = "expected MD5 (default: Keras' hash of the official file)")
    String md5 = ImageNetWeights.MD5;

    @Override
    public Integer call() throws Exception {
      Path directory =
          InputFiles.outputDirectory(
              out != null ? out : ImageNetWeights.defaultCacheDirectory(), "--out");
      Path target = directory.resolve(ImageNetWeights.FILE_NAME);
      boolean fetched =
          WeightsDownload.fetchUnlessPresent(url, target, md5, new ConsoleReporter(System.out));
      System.out.printf(
          fetched ? "Saved %s (MD5 %s checked)%n" : "%s is already there (MD5 %s)%n", target, md5);
      return 0;
    }
  }

  @Command(
      name = "import",
      description = {
        "Import a published CheXNet checkpoint (PyTorch or Keras) into a model directory: a"
            + " SavedModel with the same weights and its model card, nothing of the file run.",
        "DIR is then a --model of every command (docs/published-models.md)."
      })
  static final class Import implements Callable<Integer> {
    @Spec CommandSpec command;

    @Parameters(
        paramLabel = "FILE",
        description =
            "the checkpoint: model.pth.tar, a jrzech checkpoint, a .pth/.pt, or Keras .h5")
    Path file;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "model directory")
    Path out;

    @Option(
        names = "--format",
        defaultValue = "auto",
        paramLabel = "FORMAT",
        description =
            "auto (recognised from the file), arnoweng, zoogzog, jrzech, torchvision, keras")
    String format;

    @Option(
        names = "--classes",
        split = ",",
        paramLabel = "NAME",
        description = "the outputs' class names in output order (default: NIH's 14)")
    List<String> classes;

    @Option(
        names = "--name",
        paramLabel = "NAME",
        description = "the model's name (default: the project and the file's name)")
    String name;

    @Override
    public Integer call() throws Exception {
      ImportFormat layout;
      try {
        layout = ImportFormat.fromCliName(format);
      } catch (IllegalArgumentException e) {
        throw ChexnetException.invalidInput("--format: " + e.getMessage());
      }
      ModelCard card =
          ModelImporter.importModel(
              file,
              out,
              new ModelImporter.Options(layout, classes, name, null),
              new ConsoleReporter(System.out));
      PrintWriter console = command.commandLine().getOut();
      console.printf("Model directory %s: %s%n", out, card.summary());
      console.flush();
      return 0;
    }
  }

  @Command(
      name = "register",
      description =
          "Register a run's or an imported model directory's SavedModel as a new version in an"
              + " MLflow server's registry; serve it as models:/NAME@ALIAS (docs/tracking.md).")
  static final class Register implements Callable<Integer> {
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

    @Mixin StoreOption store;

    @Override
    public Integer call() throws Exception {
      ModelRegistration.Registered registered =
          ModelRegistration.register(
              run,
              store.directory,
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

  @Command(
      name = "download",
      description =
          "Download a registered model (its SavedModel) by models:/NAME@ALIAS or models:/NAME/VERSION"
              + " into DIR/NAME/VERSION; a version already there is reused.")
  static final class Download implements Callable<Integer> {
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
      System.out.println(
          ModelRegistration.download(
              modelUri, from != null ? from : System.getenv(Tracking.TRACKING_URI_ENV), out));
      return 0;
    }
  }
}
