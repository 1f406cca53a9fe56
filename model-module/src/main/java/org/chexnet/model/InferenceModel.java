package org.chexnet.model;

import java.util.List;

/**
 * A trained network ready for inference, whatever it was loaded from (a SavedModel, a checkpoint
 * rebuilt from its spec, an imported checkpoint). What is needed to use it travels with it: the
 * class names of its outputs and how an image becomes its input.
 */
public interface InferenceModel extends AutoCloseable {

  /** The class names, in output order. */
  List<String> classNames();

  /** How an image becomes the network's input. */
  Preprocessing preprocessing();

  /** Where the weights came from, for the console and the serving page. */
  String source();

  /**
   * @param images row-major [count, size, size, 3], preprocessed as {@link #preprocessing()} says
   * @return row-major [count, classes] probabilities
   */
  float[] predict(float[] images, int count);

  /**
   * Whether {@link #classActivationMaps} works: the model gives its last feature maps and the
   * classifier's weights.
   */
  default boolean hasClassActivationMaps() {
    return false;
  }

  /**
   * Class activation maps of one class for a batch of inputs.
   *
   * @param images row-major [count, size, size, 3], normalised as {@link #preprocessing()} says
   * @return [count][size][size], each in [0, 1] (all zero where the map is flat)
   * @throws UnsupportedOperationException when {@link #hasClassActivationMaps()} is false
   */
  default float[][][] classActivationMaps(float[] images, int count, int classIndex) {
    throw new UnsupportedOperationException(source() + " gives no class activation maps");
  }

  /** The side of the square input images. */
  default int imageSize() {
    return preprocessing().inputSize();
  }

  default int classes() {
    return classNames().size();
  }

  @Override
  void close();
}
