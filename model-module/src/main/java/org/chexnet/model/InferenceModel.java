package org.chexnet.model;

/**
 * A trained network ready for inference, whatever it was loaded from (a SavedModel, a checkpoint
 * rebuilt from its spec, Keras weights). Its {@link ModelCard} travels with it: the class names of
 * its outputs and how an image becomes its input.
 */
public interface InferenceModel extends AutoCloseable {

  /** The class names, in output order, and the preprocessing the network expects. */
  ModelCard card();

  /** Where the weights came from, for the console and the serving page. */
  String source();

  /**
   * @param images row-major [count, size, size, 3], preprocessed as {@link #card()} says
   * @return row-major [count, classes] probabilities
   */
  float[] predict(float[] images, int count);

  /** The side of the square input images. */
  default int imageSize() {
    return card().preprocessing().imageSize();
  }

  default int classes() {
    return card().classNames().size();
  }

  @Override
  void close();
}
