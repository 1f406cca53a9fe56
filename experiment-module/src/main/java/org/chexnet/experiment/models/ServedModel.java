package org.chexnet.experiment.models;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.chexnet.common.ChexnetException;
import org.chexnet.experiment.predict.ImagePredictions;
import org.chexnet.model.ModelInfo;
import org.chexnet.model.Preprocessing;
import org.chexnet.model.ProbabilityCalibration;
import org.chexnet.model.SavedModelPredictor;

/**
 * What {@code chexnet serve} serves: the SavedModel a reference names, what is known about it, the
 * preprocessing its uploads get, and the calibration stored with it when asked.
 *
 * @param preprocessing the model's own ({@link SavedModelPredictor#preprocessing()}: its card's for
 *     an imported model) unless overridden
 * @param calibration empty unless asked for
 */
public record ServedModel(
    ModelInfo info,
    SavedModelPredictor predictor,
    Preprocessing preprocessing,
    Optional<ProbabilityCalibration> calibration) {

  /**
   * @param reference a {@code models:/} URI, a run, its artifacts, a SavedModel or a model
   *     directory
   * @param calibrated serve calibrated probabilities ({@code --calibrated})
   * @param tta the model's own preprocessing or an override ({@code --tta})
   */
  public static ServedModel open(
      ModelResolver resolver, String reference, boolean calibrated, ImagePredictions.Tta tta)
      throws IOException {
    ModelResolver.Resolved source = resolver.resolve(reference, null, ModelResolver.Use.SERVE);
    Path savedModel = ((ModelResolver.Resolved.SavedModel) source).directory();
    SavedModelPredictor predictor;
    try {
      predictor = ModelResolver.loadSavedModel(savedModel);
    } catch (IOException e) {
      throw ChexnetException.invalidInput(e.getMessage());
    }
    Preprocessing preprocessing = tta.of(predictor.preprocessing());
    if (!calibrated) {
      return new ServedModel(source.info(), predictor, preprocessing, Optional.empty());
    }
    try {
      return new ServedModel(
          source.info(),
          predictor,
          preprocessing,
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
        + preprocessing.describe()
        + ")"
        + calibration.map(c -> ", calibrated: " + c.description()).orElse("");
  }
}
