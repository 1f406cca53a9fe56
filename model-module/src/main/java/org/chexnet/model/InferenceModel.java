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
