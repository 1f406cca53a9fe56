package org.chexnet.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.chexnet.common.ChexnetException;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * A SavedModel loaded once and checked: its {@code serving_default} signature must take {@code
 * images} [-1, size, size, 3] to {@code probabilities} [-1, classes]. A chexnet export also gives
 * {@code feature_maps} and holds the classifier's kernel; then class activation maps are available
 * from the feature maps of a batch (read once, here). Session runs are thread-safe in TensorFlow.
 *
 * <p>A model directory (an imported checkpoint: the SavedModel with its {@link ModelCard}) brings
 * its class names and its {@link Preprocessing}; a plain SavedModel takes the whole image resized
 * to its input size.
 */
public final class SavedModelPredictor implements InferenceModel {
  /** The classifier's weights [channels, classes], named as Keras names them. */
  static final String CLASSIFIER_KERNEL = "predictions/kernel";

  /**
   * A batch's outputs, row-major: probabilities [count, classes], feature maps [count, h, w, c]
   * (empty without class activation maps).
   */
  public record Outputs(float[] probabilities, float[] featureMaps) {}

  private final SavedModelBundle bundle;
  private final List<String> classNames;
  private final Preprocessing preprocessing;
  private final String source;
  private final boolean featureMaps;
  private final int mapHeight;
  private final int mapWidth;
  private final int channels;
  private final float[] kernel;

  private SavedModelPredictor(
      SavedModelBundle bundle,
      Path directory,
      int imageSize,
      boolean featureMaps,
      List<String> names,
      Preprocessing preprocessing,
      String source)
      throws IOException {
    this.bundle = bundle;
    this.source = source;
    this.featureMaps = featureMaps;
    // A zero image warms the session (first-run allocations) and tells the output shapes.
    int classes;
    try (Result result = call(new float[imageSize * imageSize * 3], 1, imageSize)) {
      classes = (int) result.get(SavedModels.PROBABILITIES).orElseThrow().shape().get(1);
      Shape maps =
          featureMaps
              ? result.get(SavedModels.FEATURE_MAPS).orElseThrow().shape()
              : Shape.of(1, 0, 0, 0);
      this.mapHeight = (int) maps.get(1);
      this.mapWidth = (int) maps.get(2);
      this.channels = (int) maps.get(3);
    }
    if (classes != names.size()) {
      throw ChexnetException.invalidInput(
          directory
              + " predicts "
              + classes
              + " classes, expected the "
              + names.size()
              + " of "
              + String.join(", ", names));
    }
    if (preprocessing.inputSize() != imageSize) {
      throw ChexnetException.invalidInput(
          directory.resolve(ModelCard.FILE_NAME)
              + ": the preprocessing gives "
              + preprocessing.inputSize()
              + " pixel inputs, the SavedModel takes "
              + imageSize);
    }
    this.classNames = List.copyOf(names);
    this.preprocessing = preprocessing;
    this.kernel = featureMaps ? classifierKernel(directory, classes) : new float[0];
  }

  /**
   * Loads, checks and warms the SavedModel in {@code directory}.
   *
   * @param classNames the names of its outputs, in order
   * @throws ChexnetException naming the directory when it holds no SavedModel with the signature
   *     above, or one with another number of outputs
   */
  public static SavedModelPredictor load(Path directory, List<String> classNames)
      throws IOException {
    return load(directory, classNames, null);
  }

  /**
   * Loads, checks and warms the SavedModel of a model directory, with the class names and the
   * preprocessing of its card.
   *
   * @throws ChexnetException also when the card's classes or input size do not fit the SavedModel
   */
  public static SavedModelPredictor load(Path directory, ModelCard card) throws IOException {
    return load(directory, card.classes(), card);
  }

  private static SavedModelPredictor load(Path directory, List<String> classNames, ModelCard card)
      throws IOException {
    if (!Files.isRegularFile(directory.resolve("saved_model.pb"))) {
      throw ChexnetException.invalidInput(
          directory + ": no saved_model.pb (not a TensorFlow SavedModel)");
    }
    SavedModelBundle bundle;
    try {
      bundle = SavedModelBundle.load(directory.toString(), SavedModels.TAG);
    } catch (RuntimeException e) {
      throw new IOException(directory + ": cannot load the SavedModel: " + e.getMessage(), e);
    }
    try {
      Signature signature =
          bundle.signatures().stream()
              .filter(s -> s.key().equals(SavedModels.SIGNATURE))
              .findFirst()
              .orElse(null);
      Map<String, Signature.TensorDescription> inputs =
          signature == null ? Map.of() : signature.getInputs();
      Map<String, Signature.TensorDescription> outputs =
          signature == null ? Map.of() : signature.getOutputs();
      Signature.TensorDescription images = inputs.get(SavedModels.IMAGES);
      Shape shape = images == null ? null : images.shape;
      if (shape == null
          || !outputs.containsKey(SavedModels.PROBABILITIES)
          || shape.numDimensions() != 4
          || shape.get(1) != shape.get(2)
          || shape.get(1) < 1) {
        throw ChexnetException.invalidInput(
            directory
                + ": expected a signature "
                + SavedModels.SIGNATURE
                + " from '"
                + SavedModels.IMAGES
                + "' [-1, size, size, 3] to '"
                + SavedModels.PROBABILITIES
                + "' (as chexnet run's saved_model/), has "
                + inputs.keySet()
                + " -> "
                + outputs.keySet());
      }
      int size = (int) shape.get(1);
      return new SavedModelPredictor(
          bundle,
          directory,
          size,
          outputs.containsKey(SavedModels.FEATURE_MAPS),
          classNames,
          card != null ? card.preprocessing() : Preprocessing.resize(size),
          card != null ? describe(card, directory) : "SavedModel " + directory);
    } catch (IOException | RuntimeException e) {
      bundle.close();
      throw e;
    }
  }

  private float[] classifierKernel(Path directory, int classes) {
    if (bundle.graph().operation(CLASSIFIER_KERNEL) == null) {
      throw ChexnetException.invalidInput(
          directory
              + ": gives "
              + SavedModels.FEATURE_MAPS
              + " but has no "
              + CLASSIFIER_KERNEL
              + " for class activation maps");
    }
    try (Result result = bundle.session().runner().fetch(CLASSIFIER_KERNEL).run()) {
      TFloat32 weights = (TFloat32) result.get(0);
      if (weights.shape().numDimensions() != 2
          || weights.shape().get(0) != channels
          || weights.shape().get(1) != classes) {
        throw ChexnetException.invalidInput(
            directory
                + ": "
                + CLASSIFIER_KERNEL
                + " has shape "
                + weights.shape()
                + ", expected ["
                + channels
                + ", "
                + classes
                + "]");
      }
      float[] values = new float[(int) weights.size()];
      weights.copyTo(DataBuffers.of(values, false, false));
      return values;
    }
  }

  @Override
  public List<String> classNames() {
    return classNames;
  }

  @Override
  public Preprocessing preprocessing() {
    return preprocessing;
  }

  @Override
  public String source() {
    return source;
  }

  @Override
  public float[] predict(float[] images, int count) {
    return run(images, count).probabilities();
  }

  /** Probabilities and, with class activation maps, the feature maps of a batch. */
  public Outputs run(float[] images, int count) {
    try (Result result = call(images, count, imageSize())) {
      float[] p = copy((TFloat32) result.get(SavedModels.PROBABILITIES).orElseThrow());
      float[] f =
          featureMaps
              ? copy((TFloat32) result.get(SavedModels.FEATURE_MAPS).orElseThrow())
              : new float[0];
      return new Outputs(p, f);
    }
  }

  /** "NAME (imported from FILE, SHA-256 0123456789ab...) in DIR". */
  private static String describe(ModelCard card, Path directory) {
    return card.name()
        + " (imported from "
        + card.source().file()
        + ", SHA-256 "
        + card.source().sha256().substring(0, Math.min(12, card.source().sha256().length()))
        + "...) in "
        + directory;
  }

  /** Whether {@link #cam} works: the model gives feature maps and has the classifier's kernel. */
  @Override
  public boolean hasClassActivationMaps() {
    return featureMaps;
  }

  @Override
  public float[][][] classActivationMaps(float[] images, int count, int classIndex) {
    if (!featureMaps) {
      return InferenceModel.super.classActivationMaps(images, count, classIndex);
    }
    if (classIndex < 0 || classIndex >= classes()) {
      throw new IllegalArgumentException(
          "class index must be in [0, " + classes() + "), got " + classIndex);
    }
    float[] maps = run(images, count).featureMaps();
    int values = featureValuesPerImage();
    float[][][] out = new float[count][][];
    for (int i = 0; i < count; i++) {
      out[i] = cam(Arrays.copyOfRange(maps, i * values, (i + 1) * values), classIndex);
    }
    return out;
  }

  /** Values per image in {@link Outputs#featureMaps()}. */
  public int featureValuesPerImage() {
    return mapHeight * mapWidth * channels;
  }

  /** Values per image in a batch's input. */
  public int imageValues() {
    return imageSize() * imageSize() * 3;
  }

  /** The class activation map of one image's feature maps, at the input size, in [0, 1]. */
  public float[][] cam(float[] featureMaps, int classIndex) {
    return ClassActivationMaps.fromFeatureMaps(
        featureMaps, mapHeight, mapWidth, channels, kernel, classes(), classIndex, imageSize());
  }

  private Result call(float[] images, int count, int imageSize) {
    try (TFloat32 x =
        TFloat32.tensorOf(
            Shape.of(count, imageSize, imageSize, 3), DataBuffers.of(images, true, false))) {
      return bundle.call(Map.of(SavedModels.IMAGES, x));
    }
  }

  private static float[] copy(TFloat32 tensor) {
    float[] values = new float[(int) tensor.size()];
    tensor.copyTo(DataBuffers.of(values, false, false));
    return values;
  }

  @Override
  public void close() {
    bundle.close();
  }
}
