package org.chexnet.experiment.models;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import org.chexnet.common.ChexnetException;
import org.chexnet.evaluation.calibration.CalibrationMethod;
import org.chexnet.evaluation.calibration.ModelCalibration;
import org.chexnet.model.ModelInfo;
import org.chexnet.model.ProbabilityCalibration;

/**
 * The post-hoc calibration stored with a model: {@value ModelInfo#CALIBRATION_JSON} beside its
 * SavedModel (a run's {@code artifacts/}, or downloaded beside a registered version), which {@code
 * predict --calibrated} and {@code serve --calibrated} apply.
 */
public final class StoredCalibration {
  private StoredCalibration() {}

  /**
   * @param reference the model as the user named it, for messages
   * @param classNames the model's outputs, in order: the calibration must map exactly these
   * @throws ChexnetException naming the model when it has no calibration, or one that is unreadable
   *     or for other classes
   */
  public static ModelCalibration read(String reference, ModelInfo info, List<String> classNames)
      throws IOException {
    if (info.calibrationFile() == null) {
      throw ChexnetException.invalidInput(
          "--model "
              + reference
              + ": no calibration stored with this model (no "
              + ModelInfo.CALIBRATION_JSON
              + " beside its saved_model/). A run evaluated on test stores one (evaluate.calibration:"
              + " platt or isotonic); `chexnet evaluate --validation-predictions ...` writes one to"
              + " its --out directory");
    }
    ModelCalibration calibration;
    try {
      calibration = ModelCalibration.read(info.calibrationFile());
    } catch (IllegalArgumentException e) {
      throw ChexnetException.invalidInput(e.getMessage());
    }
    if (!calibration.classNames().equals(classNames)) {
      throw ChexnetException.invalidInput(
          info.calibrationFile()
              + ": calibrates "
              + calibration.classNames()
              + ", but --model "
              + reference
              + " outputs "
              + classNames);
    }
    return calibration;
  }

  /** The calibration as the server applies it, and describes it on the page. */
  public static ProbabilityCalibration forServing(ModelCalibration calibration) {
    String description =
        String.format(
            Locale.ROOT,
            "%s fitted on %d validation images",
            calibration.method() == CalibrationMethod.PLATT
                ? "Platt scaling"
                : "isotonic regression",
            calibration.fittedOnImages());
    return new ProbabilityCalibration() {
      @Override
      public String method() {
        return calibration.method().id();
      }

      @Override
      public String description() {
        return description;
      }

      @Override
      public float[] apply(float[] probabilities) {
        return calibration.apply(probabilities);
      }
    };
  }
}
