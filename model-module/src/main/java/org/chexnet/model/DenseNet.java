package org.chexnet.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.types.TFloat32;

/**
 * Builds Keras' DenseNet ({@code tf.keras.applications.DenseNet121(include_top=False)}) plus a
 * sigmoid head, layer for layer, into a TensorFlow graph.
 *
 * <p>Variables carry Keras' layer names ({@code conv1/conv/kernel}, {@code
 * conv2_block1_0_bn/gamma}, {@code pool2_conv/kernel}, {@code bn/moving_mean}, ...) so Keras weight
 * files map onto them by name.
 */
public final class DenseNet {
  /** Keras' DenseNet batch-norm epsilon. */
  static final float BN_EPSILON = 1.001e-5f;

  /** Keras' BatchNormalization momentum: moving = momentum * moving + (1 - momentum) * batch. */
  static final float BN_MOMENTUM = 0.99f;

  private final Ops tf;
  private final DenseNetConfig config;
  private final long seed;
  private final ScopedNames variableNames;
  private final Map<String, Variable<TFloat32>> variables = new LinkedHashMap<>();
  private final List<Variable<TFloat32>> trainable = new ArrayList<>();
  private final List<Op> movingAverageUpdates = new ArrayList<>();
  private long trainableParameters;
  private Variable<TFloat32> classifierKernel;

  private DenseNet(Ops tf, DenseNetConfig config, long seed) {
    this.tf = tf;
    this.config = config;
    this.seed = seed;
    this.variableNames = new ScopedNames(tf.withInitScope());
  }

  /**
   * Adds the network to {@code tf}'s graph. Weights are initialised as Keras does (Glorot uniform
   * kernels, zero biases, BN gamma 1 / beta 0), from {@code seed}, so the same seed gives the same
   * initial network.
   */
  public static DenseNetGraph build(Ops tf, DenseNetConfig config, long seed) {
    return new DenseNet(tf, config, seed).build();
  }

  private DenseNetGraph build() {
    int size = config.imageSize();
    Placeholder<TFloat32> images =
        tf.withName("images")
            .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, size, size, 3)));
    Operand<TFloat32> trainingFeatures = features(images, true);
    Operand<TFloat32> features = features(images, false);
    Operand<TFloat32> trainingLogits = head(trainingFeatures);
    Operand<TFloat32> logits = tf.withName("logits").identity(head(features));
    Operand<TFloat32> probabilities = tf.withName("probabilities").math.sigmoid(logits);
    return new DenseNetGraph(
        config,
        images,
        trainingLogits,
        logits,
        probabilities,
        tf.withName("feature_maps").identity(features),
        classifierKernel,
        List.copyOf(trainable),
        List.copyOf(movingAverageUpdates),
        trainableParameters,
        Collections.unmodifiableMap(variables));
  }

  private Operand<TFloat32> features(Operand<TFloat32> images, boolean training) {
    Operand<TFloat32> x = pad(images, 3);
    x = conv(x, "conv1/conv", 7, config.initialFilters(), 2, "VALID");
    x = relu(batchNorm(x, "conv1/bn", training));
    x = pad(x, 1);
    x =
        tf.nn.maxPool(
            x, tf.constant(new int[] {1, 3, 3, 1}), tf.constant(new int[] {1, 2, 2, 1}), "VALID");
    List<Integer> blocks = config.blocks();
    for (int b = 0; b < blocks.size(); b++) {
      int stage = b + 2; // Keras numbers stages conv2..conv5
      x = denseBlock(x, blocks.get(b), "conv" + stage, training);
      if (b < blocks.size() - 1) {
        x = transition(x, "pool" + stage, training);
      }
    }
    return relu(batchNorm(x, "bn", training));
  }

  private Operand<TFloat32> denseBlock(
      Operand<TFloat32> x, int layers, String stage, boolean training) {
    for (int i = 1; i <= layers; i++) {
      String name = stage + "_block" + i;
      Operand<TFloat32> y = relu(batchNorm(x, name + "_0_bn", training));
      y = conv(y, name + "_1_conv", 1, config.bottleneckWidth() * config.growthRate(), 1, "VALID");
      y = relu(batchNorm(y, name + "_1_bn", training));
      y = conv(y, name + "_2_conv", 3, config.growthRate(), 1, "SAME");
      x = tf.concat(Arrays.asList(x, y), tf.constant(3));
    }
    return x;
  }

  private Operand<TFloat32> transition(Operand<TFloat32> x, String name, boolean training) {
    Operand<TFloat32> y = relu(batchNorm(x, name + "_bn", training));
    y = conv(y, name + "_conv", 1, (int) (channels(x) * config.compression()), 1, "VALID");
    return tf.nn.avgPool(y, List.of(1L, 2L, 2L, 1L), List.of(1L, 2L, 2L, 1L), "VALID");
  }

  private Operand<TFloat32> head(Operand<TFloat32> features) {
    Operand<TFloat32> pooled = tf.math.mean(features, tf.constant(new int[] {1, 2}));
    int channels = channels(features);
    classifierKernel = weight("predictions/kernel", Shape.of(channels, config.numClasses()));
    Variable<TFloat32> bias = zeros("predictions/bias", Shape.of(config.numClasses()), true);
    return tf.math.add(tf.linalg.matMul(pooled, classifierKernel), bias);
  }

  private Operand<TFloat32> conv(
      Operand<TFloat32> x, String name, int kernel, int filters, int stride, String padding) {
    Variable<TFloat32> w = weight(name + "/kernel", Shape.of(kernel, kernel, channels(x), filters));
    return tf.nn.conv2d(x, w, List.of(1L, (long) stride, (long) stride, 1L), padding);
  }

  private Operand<TFloat32> batchNorm(Operand<TFloat32> x, String name, boolean training) {
    int channels = channels(x);
    Variable<TFloat32> gamma = ones(name + "/gamma", channels, true);
    Variable<TFloat32> beta = zeros(name + "/beta", Shape.of(channels), true);
    Variable<TFloat32> movingMean = zeros(name + "/moving_mean", Shape.of(channels), false);
    Variable<TFloat32> movingVariance = ones(name + "/moving_variance", channels, false);
    FusedBatchNorm<TFloat32, TFloat32> bn =
        tf.nn.fusedBatchNorm(
            x,
            gamma,
            beta,
            movingMean,
            movingVariance,
            FusedBatchNorm.epsilon(BN_EPSILON),
            FusedBatchNorm.isTraining(training),
            FusedBatchNorm.exponentialAvgFactor(training ? 1f - BN_MOMENTUM : 1f));
    if (training) {
      // In training mode the op returns the already-updated moving averages (variance
      // Bessel-corrected, as Keras does); the training step assigns them.
      movingAverageUpdates.add(tf.assign(movingMean, bn.batchMean()));
      movingAverageUpdates.add(tf.assign(movingVariance, bn.batchVariance()));
    }
    return bn.y();
  }

  private Operand<TFloat32> relu(Operand<TFloat32> x) {
    return tf.nn.relu(x);
  }

  private Operand<TFloat32> pad(Operand<TFloat32> x, int p) {
    return tf.pad(x, tf.constant(new int[][] {{0, 0}, {p, p}, {p, p}, {0, 0}}), tf.constant(0f));
  }

  private Variable<TFloat32> weight(String name, Shape shape) {
    // Keras' glorot_uniform: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)); for a conv
    // kernel the fans count the receptive field. Stateless sampling keeps it a pure function of the
    // seed.
    long receptiveField = shape.numDimensions() == 4 ? shape.get(0) * shape.get(1) : 1;
    long fanIn = receptiveField * shape.get(shape.numDimensions() - 2);
    long fanOut = receptiveField * shape.get(shape.numDimensions() - 1);
    float limit = (float) Math.sqrt(6.0 / (fanIn + fanOut));
    long[] variableSeed = {seed, variables.size()};
    return variable(
        name,
        shape,
        true,
        () -> {
          Ops init = tf.withInitScope();
          Operand<TFloat32> unit =
              init.random.statelessRandomUniform(
                  init.constant(shape), init.constant(variableSeed), TFloat32.class);
          return init.math.mul(
              init.math.sub(init.math.mul(unit, init.constant(2f)), init.constant(1f)),
              init.constant(limit));
        });
  }

  private Variable<TFloat32> zeros(String name, Shape shape, boolean isTrainable) {
    return variable(
        name,
        shape,
        isTrainable,
        () -> tf.withInitScope().zeros(tf.withInitScope().constant(shape), TFloat32.class));
  }

  private Variable<TFloat32> ones(String name, int size, boolean isTrainable) {
    Shape shape = Shape.of(size);
    return variable(
        name,
        shape,
        isTrainable,
        () ->
            tf.withInitScope()
                .fill(tf.withInitScope().constant(shape), tf.withInitScope().constant(1f)));
  }

  /**
   * The training and inference passes ask for the same names: the second call reuses the variable.
   */
  private Variable<TFloat32> variable(
      String name,
      Shape shape,
      boolean isTrainable,
      java.util.function.Supplier<Operand<TFloat32>> initialValue) {
    Variable<TFloat32> existing = variables.get(name);
    if (existing != null) {
      return existing;
    }
    Variable<TFloat32> v = variableNames.named(name).variable(initialValue.get());
    variables.put(name, v);
    if (isTrainable) {
      trainable.add(v);
      trainableParameters += shape.size();
    }
    return v;
  }

  private static int channels(Operand<TFloat32> x) {
    return (int) x.shape().get(3);
  }
}
