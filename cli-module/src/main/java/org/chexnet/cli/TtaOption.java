package org.chexnet.cli;

import java.util.Locale;
import org.chexnet.experiment.predict.ImagePredictions;
import picocli.CommandLine.Option;

/** {@code --tta}: the model's own preprocessing or an override, for predict and serve. */
final class TtaOption {
  enum Mode {
    model,
    none,
    tencrop
  }

  @Option(
      names = "--tta",
      defaultValue = "model",
      paramLabel = "MODE",
      description =
          "model (its own preprocessing), none (the whole image) or tencrop (the corner and centre"
              + " crops and their mirrors, averaged)")
  Mode mode;

  ImagePredictions.Tta choice() {
    return ImagePredictions.Tta.valueOf(mode.name().toUpperCase(Locale.ROOT));
  }
}
