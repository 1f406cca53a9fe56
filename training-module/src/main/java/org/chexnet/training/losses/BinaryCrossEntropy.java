package org.chexnet.training.losses;

import java.util.Arrays;
import org.tensorflow.Operand;
import org.tensorflow.framework.op.FrameworkOps;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras' {@code BinaryCrossentropy}: the mean over images and classes of the per-class binary
 * cross-entropy, computed from logits for numerical stability rather than from clipped
 * probabilities; optionally with per-class weights for positive and negative labels.
 *
 * <p>A label mask (1 where a label counts, 0 where it is masked: an uncertain label ignored, a
 * finding an image's dataset lacks) weighs each image's each label as Keras' per-element {@code
 * sample_weight} does under its default reduction (sum over batch size): the masked entries
 * contribute nothing and the sum is divided by images x classes, masked ones included, not by the
 * number of known labels. So a batch's loss and gradients do not depend on how many of its labels
 * another batch has, and a mask of ones gives exactly the unmasked loss (x * 1 is exact).
 */
public final class BinaryCrossEntropy {
  private BinaryCrossEntropy() {}

  /**
   * Per-class weights of positive and negative labels.
   *
   * @param positive weight of a positive label, per class
   * @param negative weight of a negative label, per class
   */
  public record ClassWeights(float[] positive, float[] negative) {
    public ClassWeights {
      if (positive.length != negative.length) {
        throw new IllegalArgumentException(
            positive.length + " positive weights but " + negative.length + " negative ones");
      }
      positive = positive.clone();
      negative = negative.clone();
    }

    /**
     * The weighting of the Keras CheXNet reproduction: a positive label weighs the share of
     * negatives in the training set, a negative one the share of positives, so that both halves of
     * each class count equally however rare the finding.
     *
     * @param positives training images positive for each class
     * @param images training images
     */
    public static ClassWeights fromPrevalence(long[] positives, long images) {
      long[] known = new long[positives.length];
      java.util.Arrays.fill(known, images);
      return fromPrevalence(positives, known);
    }

    /**
     * {@link #fromPrevalence(long[], long)} where some labels are masked: each class's shares are
     * among the training images whose label of it is known.
     *
     * @param known training images whose label of each class is known (not masked)
     */
    public static ClassWeights fromPrevalence(long[] positives, long[] known) {
      if (known.length != positives.length) {
        throw new IllegalArgumentException(
            positives.length + " positive counts but " + known.length + " known counts");
      }
      float[] positive = new float[positives.length];
      float[] negative = new float[positives.length];
      for (int c = 0; c < positives.length; c++) {
        if (known[c] <= 0) {
          throw new IllegalArgumentException(
              "no training image with a known label of class " + c + " to weigh it by");
        }
        double share = (double) positives[c] / known[c];
        positive[c] = (float) (1 - share);
        negative[c] = (float) share;
      }
      return new ClassWeights(positive, negative);
    }

    @Override
    public float[] positive() {
      return positive.clone();
    }

    @Override
    public float[] negative() {
      return negative.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ClassWeights w
          && Arrays.equals(positive, w.positive)
          && Arrays.equals(negative, w.negative);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(positive) + Arrays.hashCode(negative);
    }

    @Override
    public String toString() {
      return "ClassWeights[positive="
          + Arrays.toString(positive)
          + ", negative="
          + Arrays.toString(negative)
          + "]";
    }
  }

  public static Operand<TFloat32> mean(Ops tf, Operand<TFloat32> labels, Operand<TFloat32> logits) {
    return meanOver(tf, perElement(tf, labels, logits));
  }

  /**
   * {@link #mean(Ops, Operand, Operand)} with each entry weighed by {@code mask} (broadcast to
   * [images, classes]): the sum of the kept entries over images x classes.
   */
  public static Operand<TFloat32> mean(
      Ops tf, Operand<TFloat32> labels, Operand<TFloat32> logits, Operand<TFloat32> mask) {
    return meanOver(tf, tf.math.mul(perElement(tf, labels, logits), mask));
  }

  private static Operand<TFloat32> perElement(
      Ops tf, Operand<TFloat32> labels, Operand<TFloat32> logits) {
    return FrameworkOps.create(tf).nn.sigmoidCrossEntropyWithLogits(labels, logits);
  }

  private static Operand<TFloat32> meanOver(Ops tf, Operand<TFloat32> perElement) {
    return tf.math.mean(perElement, tf.constant(new int[] {0, 1}));
  }

  /**
   * The mean of {@code w+[c] * y * -log(p) + w-[c] * (1 - y) * -log(1 - p)}, from logits z: -log(1
   * - p) = softplus(z) and -log(p) = softplus(z) - z, with softplus(z) = relu(z) +
   * log1p(exp(-|z|)), which never overflows.
   */
  public static Operand<TFloat32> weightedMean(
      Ops tf, Operand<TFloat32> labels, Operand<TFloat32> logits, ClassWeights weights) {
    return meanOver(tf, weightedPerElement(tf, labels, logits, weights));
  }

  /**
   * {@link #weightedMean(Ops, Operand, Operand, ClassWeights)} with a label mask, as {@link
   * #mean(Ops, Operand, Operand, Operand)}.
   */
  public static Operand<TFloat32> weightedMean(
      Ops tf,
      Operand<TFloat32> labels,
      Operand<TFloat32> logits,
      ClassWeights weights,
      Operand<TFloat32> mask) {
    return meanOver(tf, tf.math.mul(weightedPerElement(tf, labels, logits, weights), mask));
  }

  private static Operand<TFloat32> weightedPerElement(
      Ops tf, Operand<TFloat32> labels, Operand<TFloat32> logits, ClassWeights weights) {
    Operand<TFloat32> softplus =
        tf.math.add(
            tf.nn.relu(logits), tf.math.log1p(tf.math.exp(tf.math.neg(tf.math.abs(logits)))));
    Operand<TFloat32> negativeLogP = tf.math.sub(softplus, logits);
    Operand<TFloat32> positive = tf.constant(weights.positive());
    Operand<TFloat32> negative = tf.constant(weights.negative());
    Operand<TFloat32> one = tf.constant(1f);
    return tf.math.add(
        tf.math.mul(tf.math.mul(positive, labels), negativeLogP),
        tf.math.mul(tf.math.mul(negative, tf.math.sub(one, labels)), softplus));
  }
}
