package org.chexnet.experiment.models;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.chexnet.common.ChexnetException;
import org.chexnet.model.ModelInfo;
import org.chexnet.model.ProbabilityCalibration;
import org.chexnet.model.SavedModelPredictor;

/**
 * What {@code chexnet serve} serves: the SavedModel a reference names, what is known about it, and
 * the calibration stored with it when asked.
 *
 * @param calibration empty unless asked for
 */
public record ServedModel(
    ModelInfo info, SavedModelPredictor predictor, Optional<ProbabilityCalibration> calibration) {

  /**
   * @param reference a {@code models:/} URI, a run, its artifacts, a SavedModel or a model
   *     directory
   * @param calibrated serve calibrated probabilities ({@code --calibrated})
   */
  public static ServedModel open(ModelResolver resolver, String reference, boolean calibrated)
      throws IOException {
    ModelResolver.Resolved source = resolver.resolve(reference, null, ModelResolver.Use.SERVE);
    Path savedModel = ((ModelResolver.Resolved.SavedModel) source).directory();
    SavedModelPredictor predictor;
    try {
      predictor = ModelResolver.loadSavedModel(savedModel);
    } catch (IOException e) {
      throw ChexnetException.invalidInput(e.getMessage());
    }
    if (!calibrated) {
      return new ServedModel(source.info(), predictor, Optional.empty());
    }
    try {
      return new ServedModel(
          source.info(),
          predictor,
          Optional.of(
              StoredCalibration.forServing(
                  StoredCalibration.read(reference, source.info(), predictor.classNames()))));
    } catch (IOException | RuntimeException e) {
      predictor.close();
      throw e;
    }
  }

  /** "NAME version V (SOURCE; preprocessing: ...)", with the calibration when there is one. */
  public String describe() {
    return info.name()
        + (info.version() == null ? "" : " version " + info.version())
        + " ("
        + predictor.source()
        + "; preprocessing: "
        + predictor.preprocessing().describe()
        + ")"
        + calibration.map(c -> ", calibrated: " + c.description()).orElse("");
  }
}
