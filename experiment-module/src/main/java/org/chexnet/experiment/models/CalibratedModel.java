package org.chexnet.experiment.models;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.chexnet.common.ChexnetException;
import org.chexnet.evaluation.calibration.ModelCalibration;
import org.chexnet.model.InferenceModel;
import org.chexnet.model.Preprocessing;

/**
 * A model opened for inference, with the post-hoc calibration stored with it when asked: what
 * {@code predict} and {@code localize} run.
 *
 * @param calibration empty unless asked for
 */
public record CalibratedModel(InferenceModel network, Optional<ModelCalibration> calibration) {

  /** "SOURCE (NxN input); preprocessing: ...; calibrated (METHOD)" for a run with {@code used}. */
  public String describe(Preprocessing used) {
    return network.source()
        + " ("
        + network.imageSize()
        + "x"
        + network.imageSize()
        + " input); preprocessing: "
        + used.describe()
        + calibration.map(c -> "; calibrated (" + c.method().id() + ")").orElse("");
  }

  /**
   * Opens a model reference ({@code --model}) or a spec with Keras weights ({@code --spec} and
   * {@code --weights}), exactly one of the two.
   *
   * @param reference a run, checkpoint, SavedModel, model directory or {@code models:/} URI; null
   *     when {@code weights} is given
   * @param spec the network's spec: with {@code weights}, or for a checkpoint outside its run
   * @param weights Keras HDF5 weights of the whole network, head included; null with a reference
   * @param calibrated read the calibration stored with the model ({@code --calibrated})
   */
  public static CalibratedModel open(
      ModelResolver resolver,
      String reference,
      Path spec,
      Path weights,
      ModelResolver.Use use,
      boolean calibrated)
      throws IOException {
    if ((reference == null) == (weights == null)) {
      throw ChexnetException.invalidInput(
          "give either --model MODEL or --spec SPEC --weights W.h5");
    }
    if (weights != null) {
      if (spec == null) {
        throw ChexnetException.invalidInput(
            "--weights " + weights + " needs --spec SPEC for the network");
      }
      if (calibrated) {
        throw ChexnetException.invalidInput(
            "--calibrated needs --model: --weights "
                + weights
                + " has no calibration stored with it");
      }
      return new CalibratedModel(CheckpointModel.fromKeras(spec, weights), Optional.empty());
    }
    ModelResolver.Resolved resolved = resolver.resolve(reference, spec, use);
    InferenceModel network = resolver.open(resolved);
    if (!calibrated) {
      return new CalibratedModel(network, Optional.empty());
    }
    try {
      return new CalibratedModel(
          network,
          Optional.of(StoredCalibration.read(reference, resolved.info(), network.classNames())));
    } catch (IOException | RuntimeException e) {
      network.close();
      throw e;
    }
  }
}
