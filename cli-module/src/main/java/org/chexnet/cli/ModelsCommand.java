package org.chexnet.cli;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.chexnet.common.InputFiles;
import org.chexnet.model.ImageNetWeights;
import org.chexnet.model.WeightsDownload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "models",
    mixinStandardHelpOptions = true,
    description = "Model weights, published checkpoints and the model registry.",
    subcommands = {
      ModelsCommand.DownloadWeights.class,
      ModelsImportCommand.class,
      ModelsRegisterCommand.class,
      ModelsDownloadCommand.class
    })
final class ModelsCommand {
  @Command(
      name = "download-weights",
      mixinStandardHelpOptions = true,
      description = {
        "Download Keras' ImageNet weights for DenseNet-121 (" + ImageNetWeights.FILE_NAME + ")",
        "into the cache that `weights: imagenet` reads, checking the MD5 Keras publishes. The file"
            + " appears only when complete and correct; one already there with the right MD5 is"
            + " kept."
      })
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
      if (Files.isRegularFile(target)
          && WeightsDownload.md5Of(target).equals(md5.toLowerCase(Locale.ROOT))) {
        System.out.printf("%s is already there (MD5 %s)%n", target, md5);
        return 0;
      }
      System.out.printf("Downloading %s%n", url);
      WeightsDownload.fetch(url, target, md5, new ConsoleReporter(System.out));
      System.out.printf("Saved %s (MD5 %s checked)%n", target, md5);
      return 0;
    }
  }
}
