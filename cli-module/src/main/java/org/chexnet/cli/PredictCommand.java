package org.chexnet.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.InputFiles;
import org.chexnet.experiment.models.CalibratedModel;
import org.chexnet.experiment.models.ModelResolver;
import org.chexnet.experiment.predict.ImageInputs;
import org.chexnet.experiment.predict.ImagePredictions;
import org.chexnet.model.InferenceModel;
import org.chexnet.model.Preprocessing;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "predict",
    description =
        "Write a model's probabilities of images as 'Image Index,prob_Atelectasis,...', the"
            + " layout `chexnet evaluate` and the CheXNet reproductions read.")
final class PredictCommand implements Callable<Integer> {
  @Spec CommandSpec command;

  @Mixin ModelOptions modelOptions;

  @ArgGroup(exclusive = false, multiplicity = "1")
  ImageInputOptions images;

  @Mixin TtaOption tta;

  @Option(
      names = "--calibrated",
      description = "apply the calibration stored with the model (an error when none is)")
  boolean calibrated;

  @Option(names = "--out", required = true, paramLabel = "CSV", description = "predictions file")
  Path out;

  @Option(
      names = "--batch-size",
      defaultValue = "16",
      paramLabel = "N",
      description = "images per inference batch (ten inputs each with tencrop)")
  int batchSize;

  @Option(
      names = "--threads",
      defaultValue = "2",
      paramLabel = "N",
      description = "image decoding threads")
  int threads;

  @Override
  public Integer call() throws Exception {
    if (batchSize < 1 || threads < 1) {
      throw ChexnetException.invalidInput("--batch-size and --threads must be positive");
    }
    InputFiles.outputFile(out, "--out");
    ImageInputs inputs = images.inputs();
    PrintWriter console = command.commandLine().getOut();
    CalibratedModel opened = modelOptions.open(ModelResolver.Use.PREDICT, calibrated);
    try (InferenceModel network = opened.network()) {
      Preprocessing preprocessing = tta.choice.of(network.preprocessing());
      console.println("Model: " + opened.describe(preprocessing));
      console.flush();
      ImagePredictions.writeCsv(
          network,
          inputs,
          preprocessing,
          batchSize,
          threads,
          opened.calibration(),
          out,
          new ConsoleReporter(System.out));
    }
    console.printf("Wrote %d predictions to %s%n", inputs.size(), out);
    console.flush();
    return 0;
  }
}
