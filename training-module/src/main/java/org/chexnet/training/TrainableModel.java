package org.chexnet.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.chexnet.model.Checkpoints;
import org.chexnet.model.ClassActivationMaps;
import org.chexnet.model.DenseNet;
import org.chexnet.model.DenseNetConfig;
import org.chexnet.model.DenseNetGraph;
import org.chexnet.model.Devices;
import org.chexnet.model.KerasWeights;
import org.chexnet.model.Precision;
import org.chexnet.model.SavedModels;
import org.chexnet.model.TrainingPass;
import org.chexnet.training.losses.BinaryCrossEntropy;
import org.chexnet.training.losses.BinaryCrossEntropy.ClassWeights;
import org.chexnet.training.optimizers.Adam;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * A DenseNet with its loss and optimizer in one graph and session: what the training loop steps,
 * what validation and prediction run, and what checkpoints save.
 */
public final class TrainableModel implements AutoCloseable {
  /** Adam's settings; the learning rate is the initial one. */
  public record AdamSettings(float learningRate, float beta1, float beta2, float epsilon) {}

  /**
   * What an inference batch gives back: the mean loss over the batch and row-major probabilities.
   */
  public record BatchPrediction(float loss, float[] probabilities) {}

  private final Graph graph;
  private final Session session;
  private final DenseNetGraph net;
  private final Placeholder<TFloat32> labels;
  private final Operand<TFloat32> labelMaskInput;
  private final Operand<TFloat32> trainingLoss;
  private final Operand<TFloat32> loss;
  private final Op trainStep;
  private final Adam adam;
  private final int imageValues;
  private final int classes;

  private TrainableModel(
      DenseNetConfig config,
      AdamSettings settings,
      ClassWeights lossWeights,
      TrainingPass trainingPass,
      long seed) {
    graph = new Graph();
    try {
      Ops tf = Ops.create(graph);
      net = DenseNet.build(tf, config, seed, trainingPass);
      classes = config.numClasses();
      imageValues = config.imageSize() * config.imageSize() * 3;
      labels =
          tf.withName("labels")
              .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, classes)));
      // 1 where a label counts, 0 where it is masked; fed only for batches with masked labels.
      // The default, ones broadcast over the batch, multiplies exactly: unmasked training is what
      // it was without a mask.
      float[][] ones = new float[1][classes];
      java.util.Arrays.fill(ones[0], 1f);
      labelMaskInput =
          tf.withName("label_mask")
              .placeholderWithDefault(tf.constant(ones), Shape.of(-1, classes));
      // As Keras' class weights: they weigh the loss that is minimised; the reported validation
      // and test losses stay unweighted, comparable across runs. Masked labels count in neither.
      trainingLoss =
          lossWeights == null
              ? BinaryCrossEntropy.mean(tf, labels, net.trainingLogits(), labelMaskInput)
              : BinaryCrossEntropy.weightedMean(
                  tf, labels, net.trainingLogits(), lossWeights, labelMaskInput);
      loss =
          tf.withName("loss")
              .identity(BinaryCrossEntropy.mean(tf, labels, net.logits(), labelMaskInput));
      adam =
          new Adam(
              tf, settings.learningRate(), settings.beta1(), settings.beta2(), settings.epsilon());
      Op update = adam.minimize(graph, trainingLoss, net.trainableVariables());
      // Batch-norm moving statistics advance in the same step as the weights (one list:
      // a second withControlDependencies call would replace the first, not add to it).
      List<Op> stepOps = new ArrayList<>(net.movingAverageUpdates());
      stepOps.add(update);
      trainStep = tf.withControlDependencies(stepOps).withName("train_step").noOp();
      Devices.logPlacement();
      session = new Session(graph);
      session.initialize();
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  /** A model trained with the unweighted binary cross-entropy and the default training pass. */
  public static TrainableModel create(DenseNetConfig config, AdamSettings settings, long seed) {
    return create(config, settings, null, TrainingPass.DEFAULT, seed);
  }

  /**
   * A model trained with the class-weighted binary cross-entropy ({@code lossWeights}; {@code
   * null}: unweighted), its training pass computing as {@code trainingPass} says.
   */
  public static TrainableModel create(
      DenseNetConfig config,
      AdamSettings settings,
      ClassWeights lossWeights,
      TrainingPass trainingPass,
      long seed) {
    if (lossWeights != null && lossWeights.positive().length != config.numClasses()) {
      throw new IllegalArgumentException(
          lossWeights.positive().length + " class weights for " + config.numClasses() + " classes");
    }
    if (trainingPass.precision() == Precision.MIXED_BFLOAT16) {
      Devices.warnIfBfloat16IsEmulated();
    }
    return new TrainableModel(config, settings, lossWeights, trainingPass, seed);
  }

  /** One optimizer step on a batch; returns the batch's training loss (before the update). */
  public float trainStep(float[] images, float[] batchLabels, int size) {
    return trainStep(images, batchLabels, null, size);
  }

  /**
   * One optimizer step on a batch whose masked labels ({@code labelMask} 0) count for nothing (see
   * {@link BinaryCrossEntropy}); returns the batch's training loss (before the update).
   *
   * @param labelMask [size x classes], 1 where a label counts; null when all do
   */
  public float trainStep(float[] images, float[] batchLabels, float[] labelMask, int size) {
    try (TFloat32 x = imagesTensor(images, size);
        TFloat32 y = labelsTensor(batchLabels, size);
        TFloat32 mask = maskTensor(labelMask, size)) {
      Session.Runner runner =
          session.runner().feed(net.images(), x).feed(labels, y).addTarget(trainStep);
      if (mask != null) {
        runner.feed(labelMaskInput, mask);
      }
      try (Result result = runner.fetch(trainingLoss).run()) {
        return ((TFloat32) result.get(0)).getFloat();
      }
    }
  }

  /** Inference (batch norm on moving averages) with the loss against {@code batchLabels}. */
  public BatchPrediction evaluate(float[] images, float[] batchLabels, int size) {
    return evaluate(images, batchLabels, null, size);
  }

  /**
   * Inference with the loss against {@code batchLabels}, masked labels left out of it.
   *
   * @param labelMask [size x classes], 1 where a label counts; null when all do
   */
  public BatchPrediction evaluate(
      float[] images, float[] batchLabels, float[] labelMask, int size) {
    try (TFloat32 x = imagesTensor(images, size);
        TFloat32 y = labelsTensor(batchLabels, size);
        TFloat32 mask = maskTensor(labelMask, size)) {
      Session.Runner runner = session.runner().feed(net.images(), x).feed(labels, y);
      if (mask != null) {
        runner.feed(labelMaskInput, mask);
      }
      try (Result result = runner.fetch(loss).fetch(net.probabilities()).run()) {
        return new BatchPrediction(
            ((TFloat32) result.get(0)).getFloat(), read((TFloat32) result.get(1), size * classes));
      }
    }
  }

  /** Probabilities for a batch of images, row-major [size x classes]. */
  public float[] predict(float[] images, int size) {
    try (TFloat32 x = imagesTensor(images, size);
        Result result = session.runner().feed(net.images(), x).fetch(net.probabilities()).run()) {
      return read((TFloat32) result.get(0), size * classes);
    }
  }

  public double learningRate() {
    try (Result result = session.runner().fetch(adam.learningRate()).run()) {
      return ((TFloat32) result.get(0)).getFloat();
    }
  }

  public void setLearningRate(double learningRate) {
    try (TFloat32 value = TFloat32.scalarOf((float) learningRate)) {
      session
          .runner()
          .feed(adam.newLearningRatePlaceholder(), value)
          .addTarget(adam.assignLearningRate())
          .run();
    }
  }

  /** Optimizer steps taken so far (restored with a checkpoint). */
  public long step() {
    try (Result result = session.runner().fetch(adam.step()).run()) {
      return ((TInt64) result.get(0)).getLong();
    }
  }

  /**
   * The current values of variables, flattened row-major, by graph name: weights and batch-norm
   * statistics under Keras' names ({@code conv1/conv/kernel}, {@code bn/moving_mean}), Adam's
   * moment slots as {@code optimizer/adam_m/NAME} and {@code optimizer/adam_v/NAME}.
   *
   * @throws IllegalArgumentException naming a variable the model does not have
   */
  public Map<String, float[]> variableValues(List<String> names) {
    Session.Runner runner = session.runner();
    for (String name : names) {
      if (graph.operation(name) == null) {
        throw new IllegalArgumentException("the model has no variable " + name);
      }
      runner.fetch(name);
    }
    Map<String, float[]> values = new LinkedHashMap<>();
    try (Result result = runner.run()) {
      for (int i = 0; i < names.size(); i++) {
        TFloat32 value = (TFloat32) result.get(i);
        values.put(names.get(i), read(value, (int) value.size()));
      }
    }
    return values;
  }

  public DenseNetConfig config() {
    return net.config();
  }

  public long trainableParameterCount() {
    return net.trainableParameterCount();
  }

  /** Saves weights, batch-norm statistics, Adam slots, step and learning rate, atomically. */
  public void saveCheckpoint(Path directory) throws IOException {
    Checkpoints.save(session, directory);
  }

  public void restoreCheckpoint(Path directory) throws IOException {
    Checkpoints.restore(session, directory);
  }

  /**
   * Sets the network's weights from a Keras HDF5 weight file, e.g. {@code
   * ImageNetWeights.locate(ImageNetWeights.defaultCacheDirectory())}; optimizer state is untouched.
   *
   * @return variables left at their initial values: the head ({@code predictions/*}) for a {@code
   *     notop} file, else none
   * @throws IOException naming every missing, extra or mis-shaped tensor
   */
  public List<String> loadKerasWeights(Path file) throws IOException {
    return KerasWeights.read(file).assignTo(session, net);
  }

  /** Exports the network (no optimizer state) as a serving SavedModel; see {@link SavedModels}. */
  public void exportSavedModel(Path directory) throws IOException {
    SavedModels.export(session, net.config(), directory);
  }

  /**
   * {@link #exportSavedModel(Path)} with files beside it (e.g. the findings its outputs are), in
   * place when the directory appears.
   */
  public void exportSavedModel(Path directory, Map<String, byte[]> sideFiles) throws IOException {
    SavedModels.export(session, net.config(), directory, sideFiles);
  }

  /** Class activation maps of the network as it is now. */
  public ClassActivationMaps classActivationMaps() {
    return new ClassActivationMaps(session, net);
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }

  private TFloat32 imagesTensor(float[] images, int size) {
    int s = net.config().imageSize();
    requireLength("images", images, size * imageValues);
    return TFloat32.tensorOf(Shape.of(size, s, s, 3), DataBuffers.of(images, true, false));
  }

  private TFloat32 labelsTensor(float[] batchLabels, int size) {
    requireLength("labels", batchLabels, size * classes);
    return TFloat32.tensorOf(Shape.of(size, classes), DataBuffers.of(batchLabels, true, false));
  }

  /** The mask as a tensor, or null when there is none or every label counts (the default). */
  private TFloat32 maskTensor(float[] labelMask, int size) {
    if (labelMask == null) {
      return null;
    }
    requireLength("label mask", labelMask, size * classes);
    for (float m : labelMask) {
      if (m != 1f) {
        return TFloat32.tensorOf(Shape.of(size, classes), DataBuffers.of(labelMask, true, false));
      }
    }
    return null;
  }

  private static void requireLength(String what, float[] values, int expected) {
    if (values.length != expected) {
      throw new IllegalArgumentException(
          what + " must have " + expected + " values, got " + values.length);
    }
  }

  private static float[] read(TFloat32 tensor, int length) {
    float[] out = new float[length];
    tensor.copyTo(DataBuffers.of(out, false, false));
    return out;
  }
}
