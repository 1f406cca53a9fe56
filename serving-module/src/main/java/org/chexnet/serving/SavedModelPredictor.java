package org.chexnet.serving;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.chexnet.model.SavedModels;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * A chexnet SavedModel loaded once: runs image batches through its {@code serving_default}
 * signature, and holds the head's kernel (read once) for class activation maps. Session runs are
 * thread-safe in TensorFlow; the server calls {@link #run} from its batching thread only.
 */
public final class SavedModelPredictor implements MicroBatcher.BatchModel, AutoCloseable {
  /** The classifier's weights [channels, classes], named as Keras names them. */
  static final String CLASSIFIER_KERNEL = "predictions/kernel";

  private final SavedModelBundle bundle;
  private final int imageSize;
  private final int classes;
  private final int mapHeight;
  private final int mapWidth;
  private final int channels;
  private final float[] kernel;

  private SavedModelPredictor(SavedModelBundle bundle, int imageSize) {
    this.bundle = bundle;
    this.imageSize = imageSize;
    // A zero image warms the session (first-run allocations) and tells the output shapes.
    float[] zeros = new float[imageSize * imageSize * 3];
    try (Result result = call(zeros, 1)) {
      TFloat32 probabilities = (TFloat32) result.get(SavedModels.PROBABILITIES).orElseThrow();
      TFloat32 features = (TFloat32) result.get(SavedModels.FEATURE_MAPS).orElseThrow();
      this.classes = (int) probabilities.shape().get(1);
      this.mapHeight = (int) features.shape().get(1);
      this.mapWidth = (int) features.shape().get(2);
      this.channels = (int) features.shape().get(3);
    }
    try (Result result = bundle.session().runner().fetch(CLASSIFIER_KERNEL).run()) {
      TFloat32 weights = (TFloat32) result.get(0);
      if (weights.shape().numDimensions() != 2
          || weights.shape().get(0) != channels
          || weights.shape().get(1) != classes) {
        throw new IllegalArgumentException(
            CLASSIFIER_KERNEL
                + " has shape "
                + weights.shape()
                + ", expected ["
                + channels
                + ", "
                + classes
                + "]");
      }
      this.kernel = new float[(int) weights.size()];
      weights.copyTo(DataBuffers.of(kernel, false, false));
    }
  }

  /**
   * Loads and warms the SavedModel in {@code directory}.
   *
   * @throws IOException naming the directory when it holds no chexnet SavedModel
   */
  public static SavedModelPredictor load(Path directory) throws IOException {
    if (!Files.isRegularFile(directory.resolve("saved_model.pb"))) {
      throw new IOException(directory + ": no saved_model.pb (not a TensorFlow SavedModel)");
    }
    SavedModelBundle bundle;
    try {
      bundle = SavedModelBundle.load(directory.toString(), SavedModels.TAG);
    } catch (RuntimeException e) {
      throw new IOException(directory + ": cannot load the SavedModel: " + e.getMessage(), e);
    }
    try {
      Signature signature = bundle.function(SavedModels.SIGNATURE).signature();
      Map<String, Signature.TensorDescription> inputs = signature.getInputs();
      Signature.TensorDescription images = inputs.get(SavedModels.IMAGES);
      if (images == null
          || !signature.getOutputs().containsKey(SavedModels.PROBABILITIES)
          || !signature.getOutputs().containsKey(SavedModels.FEATURE_MAPS)) {
        throw new IOException(
            directory
                + ": signature "
                + SavedModels.SIGNATURE
                + " must take '"
                + SavedModels.IMAGES
                + "' and give '"
                + SavedModels.PROBABILITIES
                + "' and '"
                + SavedModels.FEATURE_MAPS
                + "' (a chexnet export), has "
                + inputs.keySet()
                + " -> "
                + signature.getOutputs().keySet());
      }
      Shape shape = images.shape;
      if (shape.numDimensions() != 4 || shape.get(1) != shape.get(2) || shape.get(1) < 1) {
        throw new IOException(
            directory
                + ": input '"
                + SavedModels.IMAGES
                + "' has shape "
                + shape
                + ", expected"
                + " [-1, size, size, 3]");
      }
      return new SavedModelPredictor(bundle, (int) shape.get(1));
    } catch (IOException | RuntimeException e) {
      bundle.close();
      throw e instanceof IOException io
          ? io
          : new IOException(directory + ": " + e.getMessage(), e);
    }
  }

  public int imageSize() {
    return imageSize;
  }

  public int classes() {
    return classes;
  }

  @Override
  public MicroBatcher.Outputs run(float[] images, int count) {
    try (Result result = call(images, count)) {
      TFloat32 probabilities = (TFloat32) result.get(SavedModels.PROBABILITIES).orElseThrow();
      TFloat32 features = (TFloat32) result.get(SavedModels.FEATURE_MAPS).orElseThrow();
      float[] p = new float[(int) probabilities.size()];
      probabilities.copyTo(DataBuffers.of(p, false, false));
      float[] f = new float[(int) features.size()];
      features.copyTo(DataBuffers.of(f, false, false));
      return new MicroBatcher.Outputs(p, f);
    }
  }

  /** Values per image in {@link MicroBatcher.Outputs#featureMaps()}. */
  @Override
  public int featureValuesPerImage() {
    return mapHeight * mapWidth * channels;
  }

  @Override
  public int imageValues() {
    return imageSize * imageSize * 3;
  }

  /** The class activation map of one image's feature maps, at the input size, in [0, 1]. */
  public float[][] cam(float[] featureMaps, int classIndex) {
    return org.chexnet.model.ClassActivationMaps.fromFeatureMaps(
        featureMaps, mapHeight, mapWidth, channels, kernel, classes, classIndex, imageSize);
  }

  private Result call(float[] images, int count) {
    try (TFloat32 x =
        TFloat32.tensorOf(
            Shape.of(count, imageSize, imageSize, 3), DataBuffers.of(images, true, false))) {
      return bundle.call(Map.of(SavedModels.IMAGES, x));
    }
  }

  @Override
  public void close() {
    bundle.close();
  }
}
