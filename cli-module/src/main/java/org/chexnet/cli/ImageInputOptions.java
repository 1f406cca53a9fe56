package org.chexnet.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.chexnet.experiment.predict.ImageInputs;
import picocli.CommandLine.Option;

/** {@code --images} and {@code --image-root}: the images a model predicts. */
final class ImageInputOptions {
  @Option(
      names = "--images",
      required = true,
      arity = "1..*",
      paramLabel = "IMAGE|DIR|LIST",
      description =
          "one or more of: an image (.png, .jpg), a directory (every .png/.jpg below it), a list"
              + " with one image path first on each line")
  List<Path> sources;

  @Option(
      names = "--image-root",
      paramLabel = "DIR",
      description = "where a list's relative paths start (default: the list's directory)")
  Path root;

  ImageInputs inputs() throws IOException {
    return ImageInputs.of(sources, root);
  }
}
