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
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/**
 * Builds Keras' DenseNet ({@code tf.keras.applications.DenseNet121(include_top=False)}) plus a
 * sigmoid head, layer for layer, into a TensorFlow graph.
 *
 * <p>Variables carry Keras' layer names ({@code conv1/conv/kernel}, {@code
 * conv2_block1_0_bn/gamma}, {@code pool2_conv/kernel}, {@code bn/moving_mean}, ...) so Keras weight
 * files map onto them by name.
 */
public final class DenseNet {
  /** Keras' BatchNormalization momentum: moving = momentum * moving + (1 - momentum) * batch. */
  static final float BN_MOMENTUM = 0.99f;

  private final Ops tf;
  private final DenseNetConfig config;
  private final long seed;
  private final TrainingPass trainingPass;
  private final boolean fusedBatchNormRelu;
  private final NamedVariables variableNames;
  private final Map<String, Variable<TFloat32>> variables = new LinkedHashMap<>();
  private final List<Variable<TFloat32>> trainable = new ArrayList<>();
  private final List<Op> movingAverageUpdates = new ArrayList<>();
  private long trainableParameters;
  private Variable<TFloat32> classifierKernel;

  private DenseNet(
      Ops tf,
      DenseNetConfig config,
      long seed,
      TrainingPass trainingPass,
      boolean fusedBatchNormRelu) {
    this.tf = tf;
    this.config = config;
    this.seed = seed;
    this.trainingPass = trainingPass;
    this.fusedBatchNormRelu = fusedBatchNormRelu;
    this.variableNames = new NamedVariables(tf);
  }

  /**
   * Adds the network to {@code tf}'s graph. Weights are initialised as Keras does (Glorot uniform
   * kernels, zero biases, BN gamma 1 / beta 0), from {@code seed}, so the same seed gives the same
   * initial network.
   */
  public static DenseNetGraph build(Ops tf, DenseNetConfig config, long seed) {
    return build(tf, config, seed, TrainingPass.DEFAULT);
  }

  /** As {@link #build(Ops, DenseNetConfig, long)}, with the training pass computing as said. */
  public static DenseNetGraph build(
      Ops tf, DenseNetConfig config, long seed, TrainingPass trainingPass) {
    String device = Devices.gpuVisible() ? "GPU" : "CPU";
    org.tensorflow.proto.DataType dtype =
        trainingPass.precision() == Precision.MIXED_BFLOAT16
            ? org.tensorflow.proto.DataType.DT_BFLOAT16
            : org.tensorflow.proto.DataType.DT_FLOAT;
    return build(tf, config, seed, trainingPass, FusedBatchNormRelu.available(device, dtype));
  }

  /** As above, choosing the training pass's batch norm + ReLU form (tests compare the two). */
  static DenseNetGraph build(
      Ops tf,
      DenseNetConfig config,
      long seed,
      TrainingPass trainingPass,
      boolean fusedBatchNormRelu) {
    return new DenseNet(tf, config, seed, trainingPass, fusedBatchNormRelu).build();
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
    if (training && trainingPass.precision() == Precision.MIXED_BFLOAT16) {
      Operand<TBfloat16> x = tf.dtypes.cast(images, TBfloat16.class);
      return tf.dtypes.cast(features(x, TBfloat16.class, true), TFloat32.class);
    }
    return features(images, TFloat32.class, training);
  }

  private <T extends TNumber> Operand<T> features(
      Operand<T> images, Class<T> type, boolean training) {
    Operand<T> x = pad(images, 3, type);
    x = conv(x, "conv1/conv", 7, config.initialFilters(), 2, "VALID", type);
    x = batchNormRelu(x, "conv1/bn", training);
    x = pad(x, 1, type);
    x = maxPool3x3Stride2(x);
    List<Integer> blocks = config.blocks();
    for (int b = 0; b < blocks.size(); b++) {
      int stage = b + 2; // Keras numbers stages conv2..conv5
      x = denseBlock(x, blocks.get(b), "conv" + stage, training, type);
      if (b < blocks.size() - 1) {
        x = transition(x, "pool" + stage, training, type);
      }
    }
    return batchNormRelu(x, "bn", training);
  }

  private <T extends TNumber> Operand<T> denseBlock(
      Operand<T> x, int layers, String stage, boolean training, Class<T> type) {
    for (int i = 1; i <= layers; i++) {
      String name = stage + "_block" + i;
      Operand<T> y = batchNormRelu(x, name + "_0_bn", training);
      y =
          pointwise(
              y, name + "_1_conv", config.bottleneckWidth() * config.growthRate(), training, type);
      y = batchNormRelu(y, name + "_1_bn", training);
      y = conv(y, name + "_2_conv", 3, config.growthRate(), 1, "SAME", type);
      x = tf.concat(Arrays.asList(x, y), tf.constant(3));
    }
    return x;
  }

  private <T extends TNumber> Operand<T> transition(
      Operand<T> x, String name, boolean training, Class<T> type) {
    Operand<T> y = batchNormRelu(x, name + "_bn", training);
    y = pointwise(y, name + "_conv", (int) (channels(x) * config.compression()), training, type);
    return tf.nn.avgPool(y, List.of(1L, 2L, 2L, 1L), List.of(1L, 2L, 2L, 1L), "VALID");
  }

  private Operand<TFloat32> head(Operand<TFloat32> features) {
    Operand<TFloat32> pooled = tf.math.mean(features, tf.constant(new int[] {1, 2}));
    int channels = channels(features);
    classifierKernel = weight("predictions/kernel", Shape.of(channels, config.numClasses()));
    Variable<TFloat32> bias = zeros("predictions/bias", Shape.of(config.numClasses()), true);
    return tf.math.add(tf.linalg.matMul(pooled, classifierKernel), bias);
  }

  private <T extends TNumber> Operand<T> conv(
      Operand<T> x,
      String name,
      int kernel,
      int filters,
      int stride,
      String padding,
      Class<T> type) {
    Variable<TFloat32> w = weight(name + "/kernel", Shape.of(kernel, kernel, channels(x), filters));
    return tf.nn.conv2d(x, as(w, type), List.of(1L, (long) stride, (long) stride, 1L), padding);
  }

  /**
   * A 1x1 convolution (dense layers' bottlenecks, transitions). The training pass takes the form
   * with the cheapest backward pass: in bfloat16 a MatMul; in float32, memory-efficient, one that
   * recomputes its input rather than keep it ({@link RecomputingPointwiseConv}).
   */
  private <T extends TNumber> Operand<T> pointwise(
      Operand<T> x, String name, int filters, boolean training, Class<T> type) {
    Variable<TFloat32> w = weight(name + "/kernel", Shape.of(1, 1, channels(x), filters));
    if (training && type == TBfloat16.class) {
      return pointwiseAsMatMul(x, as(w, type), filters);
    }
    if (training && trainingPass.memoryEfficient() && fusedBatchNormRelu) {
      return RecomputingPointwiseConv.create(tf, x, as(w, type));
    }
    return tf.nn.conv2d(x, as(w, type), List.of(1L, 1L, 1L, 1L), "VALID");
  }

  /**
   * A 1x1 convolution as the matrix product it is: [N*H*W, C] x [C, filters]. In bfloat16 oneDNN
   * computes a 1x1 convolution's weight gradient at about 400 GFLOP/s on AMX, the same product as a
   * MatMul at 800-1000 (bench: DenseNet-121's bottleneck shapes), and a third of a mixed training
   * step's convolution time is those gradients. Reshapes of contiguous NHWC are free.
   */
  private <T extends TNumber> Operand<T> pointwiseAsMatMul(
      Operand<T> x, Operand<T> kernel, int filters) {
    int channels = channels(x);
    Operand<T> rows = tf.reshape(x, tf.constant(new long[] {-1, channels}));
    Operand<T> product =
        tf.linalg.matMul(rows, tf.reshape(kernel, tf.constant(new long[] {channels, filters})));
    Operand<TInt64> spatial =
        tf.slice(
            tf.shape(x, TInt64.class), tf.constant(new long[] {0}), tf.constant(new long[] {3}));
    return tf.reshape(
        product, tf.concat(List.of(spatial, tf.constant(new long[] {filters})), tf.constant(0)));
  }

  /** {@code x} (float32) in the pass's type: master weights and constants cast on the way in. */
  @SuppressWarnings("unchecked")
  private <T extends TNumber> Operand<T> as(Operand<TFloat32> x, Class<T> type) {
    return type == TFloat32.class ? (Operand<T>) x : tf.dtypes.cast(x, type);
  }

  /**
   * Batch norm then ReLU. The training pass uses the fused op with an output-only gradient ({@link
   * FusedBatchNormRelu}) where the device has its kernel and the channels suit it, else the two ops
   * with {@link OutputMaskedRelu}; both keep one tensor per layer for the backward pass.
   */
  private <T extends TNumber> Operand<T> batchNormRelu(
      Operand<T> x, String name, boolean training) {
    int channels = channels(x);
    Variable<TFloat32> gamma = ones(name + "/gamma", channels, true);
    Variable<TFloat32> beta = zeros(name + "/beta", Shape.of(channels), true);
    Variable<TFloat32> movingMean = zeros(name + "/moving_mean", Shape.of(channels), false);
    Variable<TFloat32> movingVariance = ones(name + "/moving_variance", channels, false);
    if (!training) {
      return tf.nn.relu(
          tf.nn
              .fusedBatchNorm(
                  x,
                  gamma,
                  beta,
                  movingMean,
                  movingVariance,
                  FusedBatchNorm.epsilon((float) config.batchNormEpsilon()),
                  FusedBatchNorm.isTraining(false))
              .y());
    }
    // In training mode both forms return the already-updated moving averages (variance
    // Bessel-corrected, as Keras does); the training step assigns them.
    Operand<T> y;
    Operand<TFloat32> updatedMean;
    Operand<TFloat32> updatedVariance;
    if (fusedBatchNormRelu && channels % FusedBatchNormRelu.CHANNEL_MULTIPLE == 0) {
      FusedBatchNormRelu.Outputs<T> bn =
          FusedBatchNormRelu.create(
              tf,
              x,
              gamma,
              beta,
              movingMean,
              movingVariance,
              (float) config.batchNormEpsilon(),
              1f - BN_MOMENTUM);
      y = bn.y();
      updatedMean = bn.updatedMean();
      updatedVariance = bn.updatedVariance();
    } else {
      FusedBatchNorm<T, TFloat32> bn =
          tf.nn.fusedBatchNorm(
              x,
              gamma,
              beta,
              movingMean,
              movingVariance,
              FusedBatchNorm.epsilon((float) config.batchNormEpsilon()),
              FusedBatchNorm.isTraining(true),
              FusedBatchNorm.exponentialAvgFactor(1f - BN_MOMENTUM));
      y = OutputMaskedRelu.create(tf, bn.y());
      updatedMean = bn.batchMean();
      updatedVariance = bn.batchVariance();
    }
    movingAverageUpdates.add(tf.assign(movingMean, updatedMean));
    movingAverageUpdates.add(tf.assign(movingVariance, updatedVariance));
    return y;
  }

  private <T extends TNumber> Operand<T> maxPool3x3Stride2(Operand<T> x) {
    // The attribute form (MaxPool, not the MaxPoolV2 that tf.nn.maxPool builds) is the one
    // oneDNN takes over; MaxPoolV2's gradient runs on one thread (3% of a DenseNet-121 step).
    return tf.scope()
        .opBuilder("MaxPool", "MaxPool")
        .addInput(x.asOutput())
        .setAttr("ksize", new long[] {1, 3, 3, 1})
        .setAttr("strides", new long[] {1, 2, 2, 1})
        .setAttr("padding", "VALID")
        .build()
        .output(0);
  }

  private <T extends TNumber> Operand<T> pad(Operand<T> x, int p, Class<T> type) {
    return tf.pad(
        x, tf.constant(new int[][] {{0, 0}, {p, p}, {p, p}, {0, 0}}), as(tf.constant(0f), type));
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
    return variable(name, shape, isTrainable, () -> filled(shape, 0f));
  }

  private Variable<TFloat32> ones(String name, int size, boolean isTrainable) {
    Shape shape = Shape.of(size);
    return variable(name, shape, isTrainable, () -> filled(shape, 1f));
  }

  /**
   * A constant-filled initial value. Not {@code tf.zeros}: it opens a sub-scope, which walks every
   * op of the graph, so a DenseNet-121 built with it takes quadratic time (20 s of CPU).
   */
  private Operand<TFloat32> filled(Shape shape, float value) {
    Ops init = tf.withInitScope();
    return init.fill(init.constant(shape), init.constant(value));
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
    Variable<TFloat32> v = variableNames.variable(name, initialValue.get());
    variables.put(name, v);
    if (isTrainable) {
      trainable.add(v);
      trainableParameters += shape.size();
    }
    return v;
  }

  private static int channels(Operand<?> x) {
    return (int) x.shape().get(3);
  }
}
