package org.chexnet.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.chexnet.model.DenseNetConfig;
import org.chexnet.model.Precision;
import org.chexnet.model.PythonTools;
import org.chexnet.model.TrainingPass;
import org.chexnet.training.losses.BinaryCrossEntropy.ClassWeights;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our training step against Keras' own, the reference written by the test run itself: {@code
 * src/test/python/keras_training_step.py} (tf-keras 2.18.0 through {@code tools/setup-venv.sh})
 * trains Keras DenseNets from random weights (batch-norm statistics included) for five steps on
 * random batches (some with labels masked, as Keras' per-element sample weights) with
 * model.train_on_batch (training-mode batch norm, Keras' Adam, binary cross-entropy) and writes the
 * batches, each step's loss, and its whole training state (weights, moving statistics, Adam slots,
 * step, learning rate) before the first step and after each, as TensorFlow checkpoints under our
 * variable names.
 *
 * <p>Each of our steps starts from Keras' state before that step (restored from its checkpoint) and
 * must end at Keras' state after it: the loss, every weight, moving statistic and Adam slot. Five
 * free-running steps cannot be compared this closely: a randomly initialised deep network amplifies
 * float32 rounding from step to step (Keras run with one thread against Keras with two differs by
 * 6e-4 in the fifth loss and 2e-2 in the weights), so per-step parity is what tells an
 * implementation difference from rounding.
 *
 * <p>Nothing of ours is configured away from its defaults to match: batch-norm epsilon (1.001e-5)
 * and momentum (0.99) are Keras' DenseNet's; Adam is Keras' (step size lr * sqrt(1 - beta2^t) / (1
 * - beta1^t), epsilon added to sqrt(v), 1e-7 by default as in the spec); the loss is the mean over
 * classes and images. Differences are relative to the largest magnitude of the Keras tensor they
 * belong to, the worst over tensors and steps; see docs/verification.md for the measured figures.
 */
class KerasTrainingParityTest {
  /**
   * Float32. Loss and moving statistics agree to float32 rounding (measured up to 1.6e-7 and
   * 1.2e-7). Adam's slots follow the gradients, and the first layers' gradients are small sums of
   * much larger terms (conv1/bn/gamma's about 1e-4 of the head's): measured up to 1.4e-4 (Keras
   * against itself, one thread against two: 2e-2). Weights: Adam moves a weight whose gradient is
   * near epsilon by a share of the step that depends on that gradient's last digits: measured up to
   * 7.7e-5 of the largest weight (Keras against itself: 1e-2). A wrong formula (batch-norm epsilon,
   * momentum, Bessel's correction, Adam's betas or bias correction, the loss's reduction) moves
   * these by 1e-3 to 1.
   */
  private static final Tolerances FLOAT32 = new Tolerances(1e-6, 3e-4, 1e-6, 1e-3, 1e-3);

  /**
   * Keras' mixed_bfloat16 against ours: both compute in bfloat16 (8 significant bits), so gradients
   * agree to bfloat16 rounding (measured Adam m up to 1.4e-3, v 9.3e-4), loss and moving statistics
   * (measured 8.6e-8, 1.2e-7) and weights (5.9e-6) closer.
   */
  private static final Tolerances MIXED_BFLOAT16 = new Tolerances(1e-5, 3e-5, 1e-5, 1e-2, 1e-2);

  @TempDir static Path keras;

  @BeforeAll
  static void trainInKeras() {
    PythonTools.python(
        PythonTools.venvBin(PythonTools.TF_KERAS),
        Path.of("src/test/python/keras_training_step.py"),
        keras.toString());
  }

  @Test
  void float32StepsMatchKeras() throws IOException {
    compare("tiny", TrainingPass.DEFAULT, FLOAT32);
  }

  @Test
  void memoryEfficientStepsMatchKeras() throws IOException {
    compare("tiny", new TrainingPass(Precision.FLOAT32, true), FLOAT32);
  }

  @Test
  void classWeightedLossStepsMatchKeras() throws IOException {
    compare("tiny_weighted", TrainingPass.DEFAULT, FLOAT32);
  }

  @Test
  void maskedLabelsStepsMatchKerasPerElementSampleWeights() throws IOException {
    compare("tiny_masked", TrainingPass.DEFAULT, FLOAT32);
  }

  @Test
  void maskedClassWeightedLossStepsMatchKeras() throws IOException {
    compare("tiny_weighted_masked", TrainingPass.DEFAULT, FLOAT32);
  }

  @Test
  void mixedBfloat16StepsMatchKerasMixedPolicy() throws IOException {
    compare(
        "tiny_mixed_bfloat16", new TrainingPass(Precision.MIXED_BFLOAT16, false), MIXED_BFLOAT16);
  }

  @Test
  void denseNet121StepsMatchKeras() throws IOException {
    compare("densenet121", TrainingPass.DEFAULT, FLOAT32);
  }

  /** Largest relative differences allowed: per step, the loss; after a step, the state. */
  private record Tolerances(
      double loss, double weights, double movingStatistics, double adamM, double adamV) {}

  private static void compare(String kerasCase, TrainingPass pass, Tolerances tolerances)
      throws IOException {
    Path dir = keras.resolve(kerasCase);
    try (HdfFile reference = new HdfFile(dir.resolve("reference.h5"))) {
      int[] blocks = (int[]) reference.getAttribute("blocks").getData();
      int[] dims = reference.getDatasetByPath("images").getDimensions();
      int steps = dims[0];
      int batch = dims[1];
      int size = dims[2];
      DenseNetConfig config =
          new DenseNetConfig(Arrays.stream(blocks).boxed().toList(), 32, 64, 4, 0.5, size, 14);
      var adam =
          new TrainableModel.AdamSettings(
              (float) attribute(reference, "learning_rate"),
              (float) attribute(reference, "beta_1"),
              (float) attribute(reference, "beta_2"),
              (float) attribute(reference, "epsilon"));
      ClassWeights classWeights =
          reference.getAttribute("loss").getData().equals("weighted_binary_crossentropy")
              ? ClassWeights.fromPrevalence(
                  (long[]) reference.getDatasetByPath("class_positives").getData(),
                  (Long) reference.getDatasetByPath("class_images").getData())
              : null;
      float[] images = (float[]) reference.getDatasetByPath("images").getDataFlat();
      float[] labels = (float[]) reference.getDatasetByPath("labels").getDataFlat();
      float[] masks =
          reference.getChildren().containsKey("masks")
              ? (float[]) reference.getDatasetByPath("masks").getDataFlat()
              : null;
      float[] kerasLosses = (float[]) reference.getDatasetByPath("losses").getDataFlat();
      List<String> variables = List.of((String[]) reference.getAttribute("variables").getData());
      List<String> names = new ArrayList<>(variables);
      variables.stream()
          .filter(KerasTrainingParityTest::trainable)
          .forEach(n -> names.addAll(List.of("optimizer/adam_m/" + n, "optimizer/adam_v/" + n)));

      float[] losses = new float[steps];
      double loss = 0;
      Worst weights = new Worst();
      Worst updates = new Worst();
      Worst moving = new Worst();
      Worst adamM = new Worst();
      Worst adamV = new Worst();
      try (TrainableModel model = TrainableModel.create(config, adam, classWeights, pass, 1)) {
        assertEquals(
            ((Number) reference.getAttribute("trainable_parameters").getData()).longValue(),
            model.trainableParameterCount());
        model.restoreCheckpoint(dir.resolve("state-0"));
        Map<String, float[]> before = model.variableValues(names);
        int imageValues = batch * size * size * 3;
        int labelValues = batch * 14;
        for (int step = 0; step < steps; step++) {
          assertEquals(step, model.step());
          losses[step] =
              model.trainStep(
                  Arrays.copyOfRange(images, step * imageValues, (step + 1) * imageValues),
                  Arrays.copyOfRange(labels, step * labelValues, (step + 1) * labelValues),
                  masks == null
                      ? null
                      : Arrays.copyOfRange(masks, step * labelValues, (step + 1) * labelValues),
                  batch);
          assertEquals(step + 1, model.step(), "the step counts itself");
          loss = Math.max(loss, Math.abs(losses[step] - kerasLosses[step]) / kerasLosses[step]);
          Map<String, float[]> ours = model.variableValues(names);
          // Keras' state after this step, which is also where both start the next one.
          model.restoreCheckpoint(dir.resolve("state-" + (step + 1)));
          Map<String, float[]> expected = model.variableValues(names);
          for (String name : variables) {
            if (trainable(name)) {
              weights.add(step, name, expected.get(name), ours.get(name));
              updates.add(
                  step,
                  name,
                  minus(expected.get(name), before.get(name)),
                  minus(ours.get(name), before.get(name)));
              String m = "optimizer/adam_m/" + name;
              String v = "optimizer/adam_v/" + name;
              adamM.add(step, name, expected.get(m), ours.get(m));
              adamV.add(step, name, expected.get(v), ours.get(v));
            } else {
              moving.add(step, name, expected.get(name), ours.get(name));
            }
          }
          before = expected;
        }
      }
      System.out.printf(
          "Keras training parity %s (ours: %s, memory_efficient %s), %d steps, each from Keras'"
              + " state: losses %s vs Keras %s: max relative difference %.3g; after a step, max"
              + " relative difference: weights %s, their updates %s, moving statistics %s, Adam m"
              + " %s, Adam v %s%n",
          kerasCase,
          pass.precision(),
          pass.memoryEfficient(),
          steps,
          Arrays.toString(losses),
          Arrays.toString(kerasLosses),
          loss,
          weights,
          updates,
          moving,
          adamM,
          adamV);
      assertTrue(loss <= tolerances.loss(), "loss differs by " + loss + " relative");
      assertTrue(weights.relative <= tolerances.weights(), "weights: " + weights);
      assertTrue(moving.relative <= tolerances.movingStatistics(), "moving statistics: " + moving);
      assertTrue(adamM.relative <= tolerances.adamM(), "Adam m: " + adamM);
      assertTrue(adamV.relative <= tolerances.adamV(), "Adam v: " + adamV);
    }
  }

  /** The largest difference over tensors, relative to each Keras tensor's largest magnitude. */
  private static final class Worst {
    double relative;
    double absolute;
    String where = "";

    void add(int step, String name, float[] expected, float[] actual) {
      assertEquals(expected.length, actual.length, name);
      double scale = 0;
      double diff = 0;
      for (int i = 0; i < expected.length; i++) {
        scale = Math.max(scale, Math.abs(expected[i]));
        diff = Math.max(diff, Math.abs((double) actual[i] - expected[i]));
      }
      double r = diff == 0 ? 0 : diff / scale;
      absolute = Math.max(absolute, diff);
      if (r > relative) {
        relative = r;
        where = name + " after step " + (step + 1);
      }
    }

    @Override
    public String toString() {
      return String.format("%.3g (%s; max abs %.3g)", relative, where, absolute);
    }
  }

  private static boolean trainable(String name) {
    return !name.endsWith("/moving_mean") && !name.endsWith("/moving_variance");
  }

  private static double attribute(HdfFile file, String name) {
    return ((Number) file.getAttribute(name).getData()).doubleValue();
  }

  private static float[] minus(float[] a, float[] b) {
    float[] d = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i] - b[i];
    }
    return d;
  }
}
