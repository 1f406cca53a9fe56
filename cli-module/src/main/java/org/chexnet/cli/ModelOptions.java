package org.chexnet.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.chexnet.common.ChexnetException;
import org.chexnet.evaluation.calibration.ModelCalibration;
import org.chexnet.experiment.models.CheckpointModel;
import org.chexnet.experiment.models.ModelResolver;
import org.chexnet.experiment.models.StoredCalibration;
import org.chexnet.model.InferenceModel;
import org.chexnet.tracking.Tracking;
import picocli.CommandLine.Option;

/**
 * The model a command runs: {@code --model} (a run, its checkpoint or SavedModel) or {@code --spec}
 * with {@code --weights} (a Keras HDF5 file), shared by {@code predict} and {@code localize}.
 */
final class ModelOptions {
  @Option(
      names = "--model",
      paramLabel = "MODEL",
      description =
          "a run (mlruns/EXP/RUN, its artifacts/, or its id or name in --runs), checkpoints/best,"
              + " a saved_model/ directory, a model directory of `chexnet models import`, or"
              + " models:/NAME@ALIAS or models:/NAME/VERSION")
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
      description = "run store searched for a run id (default ${DEFAULT-VALUE})")
  Path runs;

  /** The model these options name, opened for {@code use}. */
  InferenceModel open(ModelResolver.Use use) throws IOException {
    return open(use, false).network();
  }

  /**
   * A model opened, with the calibration stored with it when asked.
   *
   * @param calibration empty unless asked for
   */
  record Opened(InferenceModel network, Optional<ModelCalibration> calibration) {}

  /**
   * @param calibrated read the calibration stored with the model ({@code --calibrated})
   */
  Opened open(ModelResolver.Use use, boolean calibrated) throws IOException {
    if ((model == null) == (weights == null)) {
      throw ChexnetException.invalidInput(
          "give either --model MODEL or --spec SPEC --weights W.h5");
    }
    if (weights != null && spec == null) {
      throw ChexnetException.invalidInput(
          "--weights " + weights + " needs --spec SPEC for the network");
    }
    if (weights != null) {
      if (calibrated) {
        throw ChexnetException.invalidInput(
            "--calibrated needs --model: --weights "
                + weights
                + " has no calibration stored with it");
      }
      return new Opened(CheckpointModel.fromKeras(spec, weights), Optional.empty());
    }
    ModelResolver resolver = resolver(runs);
    ModelResolver.Resolved resolved = resolver.resolve(model, spec, use);
    InferenceModel network = resolver.open(resolved);
    if (!calibrated) {
      return new Opened(network, Optional.empty());
    }
    try {
      return new Opened(
          network,
          Optional.of(StoredCalibration.read(model, resolved.info(), network.classNames())));
    } catch (IOException | RuntimeException e) {
      network.close();
      throw e;
    }
  }

  /**
   * How {@code --model} is resolved: run ids and names in {@code runs}, registry URIs on
   * $MLFLOW_TRACKING_URI, downloaded into models/.
   */
  static ModelResolver resolver(Path runs) {
    return new ModelResolver(
        runs, Optional.ofNullable(System.getenv(Tracking.TRACKING_URI_ENV)), Path.of("models"));
  }
}
