package org.chexnet.cli;

import org.chexnet.experiment.predict.ImagePredictions;
import picocli.CommandLine.Option;

/** {@code --tta}: the model's own preprocessing or an override, for predict and serve. */
final class TtaOption {
  @Option(
      names = "--tta",
      defaultValue = "model",
      paramLabel = "model|none|tencrop",
      description =
          "the model's own preprocessing, the whole image, or the corner and centre crops and"
              + " their mirrors, averaged")
  ImagePredictions.Tta choice;
}
