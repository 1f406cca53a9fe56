package org.chexnet.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.chexnet.common.AtomicFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class DenseNetTest {
  private static final DenseNetConfig TINY = DenseNetConfig.custom(List.of(1, 1, 1, 1), 4, 32, 14);

  @Test
  void denseNet121MatchesKerasLayout() {
    try (Graph g = new Graph()) {
      DenseNetGraph net = DenseNet.build(Ops.create(g), DenseNetConfig.densenet121(224, 14), 1);
      // Keras DenseNet121(include_top=False) has 6,953,856 trainable weights; a 14-way head adds
      // 1024*14+14.
      assertEquals(6_953_856L + 1024 * 14 + 14, net.trainableParameterCount());
      assertArrayEquals(new long[] {-1, 7, 7, 1024}, net.featureMaps().shape().asArray());
      // 121 layers with weights: 120 convolutions (stem, 2 per dense layer over 58 layers, 3
      // transitions) and the head.
      int convolutions = 0;
      for (Iterator<GraphOperation> it = g.operations(); it.hasNext(); ) {
        GraphOperation op = it.next();
        if (op.type().equals("VariableV2") && op.name().endsWith("conv/kernel")) {
          convolutions++;
        }
      }
      assertEquals(120, convolutions);
      assertNotNull(g.operation("conv5_block16_2_conv/kernel"), "Keras layer names");
      assertArrayEquals(
          new long[] {1, 1, 512, 256},
          g.operation("pool3_conv/kernel").output(0).shape().asArray());
      assertNotNull(g.operation("bn/moving_variance"));
    }
  }

  @Test
  void rejectsImagesTooSmallForTheBlocks() {
    assertThrows(
        IllegalArgumentException.class,
        () -> DenseNetConfig.custom(List.of(1, 1, 1, 1), 4, 16, 14));
  }

  @Test
  void inferenceUsesMovingStatisticsIndependentOfTheBatch() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      DenseNetGraph net = DenseNet.build(Ops.create(g), TINY, 3);
      s.initialize();
      float[] a = images(1, 11);
      float[] alone = run(s, net.probabilities().asOutput(), a, 1);
      float[] inBatch = run(s, net.probabilities().asOutput(), concat(a, images(3, 12)), 4);
      assertArrayEquals(alone, java.util.Arrays.copyOf(inBatch, 14), 1e-5f);
      for (float p : alone) {
        assertTrue(p > 0 && p < 1);
      }
    }
  }

  @Test
  void trainingStepMovesBatchNormStatisticsWithKerasMomentum() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      DenseNetGraph net = DenseNet.build(Ops.create(g), TINY, 3);
      s.initialize();
      float[] x = images(4, 21);
      // The stem convolution feeds conv1/bn; its per-channel mean over the batch is what the update
      // blends in.
      org.tensorflow.Output<TFloat32> stem =
          g.operation("conv1/conv/kernel").consumers().stream()
              .filter(op -> op.type().equals("Conv2D"))
              .findFirst()
              .orElseThrow()
              .output(0);
      float[] conv = run(s, stem, x, 4);
      int channels = TINY.initialFilters();
      double[] batchMean = new double[channels];
      for (int i = 0; i < conv.length; i++) {
        batchMean[i % channels] += conv[i] / (conv.length / channels);
      }
      Session.Runner r = s.runner();
      net.movingAverageUpdates().forEach(r::addTarget);
      try (TFloat32 t = tensor(x, 4)) {
        r.feed(net.images(), t).run().close();
      }
      float[] movingMean;
      try (Result result = s.runner().fetch("conv1/bn/moving_mean").run()) {
        TFloat32 out = (TFloat32) result.get(0);
        movingMean = new float[channels];
        out.copyTo(DataBuffers.of(movingMean, false, false));
      }
      for (int c = 0; c < channels; c++) {
        // moving = 0.99 * 0 + 0.01 * batch mean
        assertEquals(0.01 * batchMean[c], movingMean[c], 1e-5, "channel " + c);
      }
    }
  }

  @Test
  void sameSeedSameWeightsOtherSeedOthers() {
    float[] x = images(2, 5);
    assertArrayEquals(predict(7, x), predict(7, x), 0f);
    assertNotEquals(predict(7, x)[0], predict(8, x)[0]);
  }

  @Test
  void checkpointRoundTripRestoresMovingStatistics(@TempDir Path dir) throws IOException {
    float[] x = images(4, 9);
    Path checkpoint = dir.resolve("best");
    float[] before;
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      DenseNetGraph net = DenseNet.build(Ops.create(g), TINY, 1);
      s.initialize();
      // Move the batch-norm statistics away from their initial values, then save.
      for (int i = 0; i < 3; i++) {
        Session.Runner r = s.runner();
        net.movingAverageUpdates().forEach(r::addTarget);
        try (TFloat32 t = tensor(x, 4)) {
          r.feed(net.images(), t).run().close();
        }
      }
      before = run(s, net.probabilities().asOutput(), x, 4);
      Checkpoints.save(s, checkpoint);
      Checkpoints.save(
          s, checkpoint); // replacing an existing checkpoint leaves no staging or old copy
    }
    try (var files = Files.list(dir)) {
      assertEquals(List.of(checkpoint), files.toList());
    }
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      DenseNetGraph net = DenseNet.build(Ops.create(g), TINY, 99);
      s.initialize();
      assertNotEquals(before[0], run(s, net.probabilities().asOutput(), x, 4)[0]);
      Checkpoints.restore(s, checkpoint);
      assertArrayEquals(before, run(s, net.probabilities().asOutput(), x, 4), 1e-6f);
    }
  }

  @Test
  void aCheckpointKilledBetweenItsTwoRenamesRestoresThePreviousOne(@TempDir Path dir)
      throws IOException {
    float[] x = images(2, 3);
    Path checkpoint = dir.resolve("best");
    float[] previous;
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      DenseNetGraph net = DenseNet.build(Ops.create(g), TINY, 1);
      s.initialize();
      previous = run(s, net.probabilities().asOutput(), x, 2);
      Checkpoints.save(s, checkpoint);
    }
    // What a kill between the two renames of the next save leaves (AtomicFilesCrashTest kills a
    // writer there): the previous checkpoint retired, the next one staged, no "best".
    Files.move(checkpoint, AtomicFiles.retired(checkpoint));
    Path staged = Files.createDirectories(dir.resolve(".best.partial.x.tmp"));
    Files.writeString(staged.resolve("variables.index"), "half written");
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      DenseNetGraph net = DenseNet.build(Ops.create(g), TINY, 2);
      s.initialize();
      assertNotEquals(previous[0], run(s, net.probabilities().asOutput(), x, 2)[0]);
      Checkpoints.restore(s, checkpoint);
      assertArrayEquals(previous, run(s, net.probabilities().asOutput(), x, 2), 0f);
    }
  }

  @Test
  void restoringAMissingCheckpointFailsLoudly(@TempDir Path dir) {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      DenseNet.build(Ops.create(g), TINY, 1);
      s.initialize();
      IOException e =
          assertThrows(IOException.class, () -> Checkpoints.restore(s, dir.resolve("nothing")));
      assertTrue(e.getMessage().contains("nothing"), e.getMessage());
    }
  }

  private static float[] predict(long seed, float[] x) {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      DenseNetGraph net = DenseNet.build(Ops.create(g), TINY, seed);
      s.initialize();
      return run(s, net.probabilities().asOutput(), x, x.length / (32 * 32 * 3));
    }
  }

  private static float[] run(Session s, org.tensorflow.Output<TFloat32> fetch, float[] x, int n) {
    try (TFloat32 t = tensor(x, n);
        Result r = s.runner().feed("images", t).fetch(fetch).run()) {
      TFloat32 out = (TFloat32) r.get(0);
      float[] values = new float[(int) out.shape().size()];
      out.copyTo(DataBuffers.of(values, false, false));
      return values;
    }
  }

  private static TFloat32 tensor(float[] x, int n) {
    return TFloat32.tensorOf(Shape.of(n, 32, 32, 3), DataBuffers.of(x, true, false));
  }

  private static float[] images(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = new float[n * 32 * 32 * 3];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    return x;
  }

  private static float[] concat(float[] a, float[] b) {
    float[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
