package org.chexnet.evaluation.calibration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.chexnet.common.AtomicFiles;
import org.chexnet.evaluation.PredictionSet;

/**
 * Post-hoc calibration of a model: one {@link ClassCalibrator} per class, fitted on validation
 * predictions, stored beside the model as JSON and applied to any later predictions.
 *
 * <p>The file ({@link #FILE_NAME}):
 *
 * <pre>{@code
 * {"format": "chexnet-calibration/1", "method": "platt", "fitted_on_images": 11219,
 *  "classes": {"Atelectasis": {"slope": 1.07, "intercept": -0.12},
 *              "Hernia": null, ...}}
 * }</pre>
 *
 * with {@code {"thresholds": [...], "values": [...]}} per class for isotonic; null for a class left
 * as it is because its validation predictions lack a positive or a negative.
 *
 * @param perClass in class order; empty for a class left as it is
 * @param fittedOnImages how many validation images the calibrators were fitted on
 */
public record ModelCalibration(
    CalibrationMethod method,
    List<String> classNames,
    List<Optional<ClassCalibrator>> perClass,
    int fittedOnImages) {

  public static final String FILE_NAME = "calibration.json";
  static final String FORMAT = "chexnet-calibration/1";
  private static final ObjectMapper JSON = new ObjectMapper();

  public ModelCalibration {
    classNames = List.copyOf(classNames);
    perClass = List.copyOf(perClass);
    if (classNames.size() != perClass.size()) {
      throw new IllegalArgumentException(
          classNames.size() + " class names for " + perClass.size() + " calibrators");
    }
    for (Optional<ClassCalibrator> calibrator : perClass) {
      if (calibrator.isPresent()
          && !(method == CalibrationMethod.PLATT
              ? calibrator.get() instanceof PlattScaling
              : calibrator.get() instanceof IsotonicCalibration)) {
        throw new IllegalArgumentException("a " + method.id() + " calibration holds another kind");
      }
    }
  }

  /**
   * Fits one calibrator per class on {@code validation}; a class whose validation labels lack a
   * positive or a negative is left as it is.
   */
  public static ModelCalibration fit(
      List<String> classNames, PredictionSet validation, CalibrationMethod method) {
    if (classNames.size() != validation.classes()) {
      throw new IllegalArgumentException(
          "expected "
              + classNames.size()
              + " classes "
              + classNames
              + ", the validation predictions have "
              + validation.classes());
    }
    List<Optional<ClassCalibrator>> perClass = new ArrayList<>();
    for (int c = 0; c < classNames.size(); c++) {
      float[] scores = validation.scores(c);
      float[] truth = validation.truth(c);
      int known = 0;
      for (float label : truth) {
        known += Float.isNaN(label) ? 0 : 1;
      }
      if (known < truth.length) {
        // Fitted on the images whose label of the class is known (not masked).
        float[] knownScores = new float[known];
        float[] knownTruth = new float[known];
        for (int i = 0, k = 0; i < truth.length; i++) {
          if (!Float.isNaN(truth[i])) {
            knownScores[k] = scores[i];
            knownTruth[k++] = truth[i];
          }
        }
        scores = knownScores;
        truth = knownTruth;
      }
      int positives = 0;
      for (float label : truth) {
        positives += ReliabilityBins.isPositive(label) ? 1 : 0;
      }
      if (positives == 0 || positives == truth.length) {
        perClass.add(Optional.empty());
      } else {
        perClass.add(
            Optional.of(
                method == CalibrationMethod.PLATT
                    ? PlattScaling.fit(scores, truth)
                    : IsotonicCalibration.fit(scores, truth)));
      }
    }
    return new ModelCalibration(method, classNames, perClass, validation.images());
  }

  /** The same images and labels with calibrated probabilities. */
  public PredictionSet apply(PredictionSet predictions) {
    return new PredictionSet(
        predictions.imageIndexes(), apply(predictions.probabilities()), predictions.labels());
  }

  /**
   * @param probabilities row-major [images x classes], in this calibration's class order
   * @return calibrated probabilities in the same layout
   */
  public float[] apply(float[] probabilities) {
    int classes = classNames.size();
    if (probabilities.length % classes != 0) {
      throw new IllegalArgumentException(
          probabilities.length + " probabilities are not rows of " + classes + " classes");
    }
    float[] calibrated = new float[probabilities.length];
    for (int k = 0; k < probabilities.length; k++) {
      Optional<ClassCalibrator> calibrator = perClass.get(k % classes);
      calibrated[k] =
          calibrator.isPresent()
              ? (float) calibrator.get().apply(probabilities[k])
              : probabilities[k];
    }
    return calibrated;
  }

  /** Writes the calibration file atomically (a reader never sees it half written). */
  public void write(Path file) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("method", method.id());
    root.put("fitted_on_images", fittedOnImages);
    ObjectNode classes = root.putObject("classes");
    for (int c = 0; c < classNames.size(); c++) {
      Optional<ClassCalibrator> calibrator = perClass.get(c);
      if (calibrator.isEmpty()) {
        classes.putNull(classNames.get(c));
      } else if (calibrator.get() instanceof PlattScaling platt) {
        classes
            .putObject(classNames.get(c))
            .put("slope", platt.slope())
            .put("intercept", platt.intercept());
      } else if (calibrator.get() instanceof IsotonicCalibration isotonic) {
        ObjectNode node = classes.putObject(classNames.get(c));
        ArrayNode thresholds = node.putArray("thresholds");
        ArrayNode values = node.putArray("values");
        for (int k = 0; k < isotonic.thresholds().length; k++) {
          thresholds.add(isotonic.thresholds()[k]);
          values.add(isotonic.values()[k]);
        }
      }
    }
    AtomicFiles.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
  }

  /**
   * @throws IllegalArgumentException "file: field: ..." on a file that is not a calibration of this
   *     format
   */
  public static ModelCalibration read(Path file) throws IOException {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText())) {
      throw new IllegalArgumentException(file + ": format: expected \"" + FORMAT + "\"");
    }
    CalibrationMethod method;
    try {
      method = CalibrationMethod.of(root.path("method").asText());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": method: " + e.getMessage(), e);
    }
    JsonNode classes = root.path("classes");
    if (!classes.isObject() || classes.isEmpty()) {
      throw new IllegalArgumentException(file + ": classes: expected an object, one key a class");
    }
    List<String> names = new ArrayList<>();
    List<Optional<ClassCalibrator>> perClass = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = classes.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      names.add(entry.getKey());
      String where = file + ": classes." + entry.getKey() + ": ";
      JsonNode node = entry.getValue();
      try {
        perClass.add(
            node.isNull()
                ? Optional.empty()
                : Optional.of(
                    method == CalibrationMethod.PLATT
                        ? new PlattScaling(number(node, "slope"), number(node, "intercept"))
                        : new IsotonicCalibration(
                            numbers(node, "thresholds"), numbers(node, "values"))));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + e.getMessage(), e);
      }
    }
    return new ModelCalibration(method, names, perClass, root.path("fitted_on_images").asInt());
  }

  private static double number(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isNumber()) {
      throw new IllegalArgumentException("expected a number " + field);
    }
    return value.doubleValue();
  }

  private static double[] numbers(JsonNode node, String field) {
    JsonNode array = node.get(field);
    if (array == null || !array.isArray()) {
      throw new IllegalArgumentException("expected an array of numbers " + field);
    }
    double[] values = new double[array.size()];
    for (int k = 0; k < values.length; k++) {
      if (!array.get(k).isNumber()) {
        throw new IllegalArgumentException(field + "[" + k + "] is not a number");
      }
      values[k] = array.get(k).doubleValue();
    }
    return values;
  }
}
