package org.chexnet.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.chexnet.experiment.models.CalibratedModel;
import org.chexnet.experiment.models.ModelResolver;
import picocli.CommandLine.Option;

/**
 * The model a command runs: {@code --model} (a run, its checkpoint or SavedModel) or {@code --spec}
 * with {@code --weights} (a Keras HDF5 file), shared by {@code predict} and {@code localize}.
 */
final class ModelOptions {
  @Option(
      names = "--model",
      paramLabel = "MODEL",
      description = "a run, checkpoint, SavedModel, imported model directory or models:/ URI")
  String model;

  @Option(
      names = "--spec",
      paramLabel = "SPEC",
      description =
          "the network's spec: with --weights, or for a checkpoint outside its run directory")
  Path spec;

  @Option(
      names = "--weights",
      paramLabel = "H5",
      description = "Keras HDF5 weights of the whole network, head included (needs --spec)")
  Path weights;

  @Option(
      names = "--runs",
      defaultValue = "mlruns",
      paramLabel = "DIR",
      description = "run store searched for a run id")
  Path runs;

  /**
   * @param calibrated read the calibration stored with the model ({@code --calibrated})
   */
  CalibratedModel open(ModelResolver.Use use, boolean calibrated) throws IOException {
    return CalibratedModel.open(
        ModelResolver.fromEnvironment(runs), model, spec, weights, use, calibrated);
  }
}
