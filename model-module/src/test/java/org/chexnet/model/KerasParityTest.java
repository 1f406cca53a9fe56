package org.chexnet.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Our DenseNet against real Keras: the fixture in {@code resources/keras-parity} comes from {@code
 * src/test/python/keras_parity.py} (tf-keras 2.18, a DenseNet with blocks [1, 1, 1, 1], growth 32,
 * 64 stem filters, 64x64 input, random weights and batch-norm statistics, a 14-way sigmoid head).
 */
class KerasParityTest {
  /** What Keras' DenseNet(blocks=[1, 1, 1, 1]) is: growth 32 and 64 stem filters are fixed. */
  private static final DenseNetConfig KERAS_TINY =
      new DenseNetConfig(List.of(1, 1, 1, 1), 32, 64, 4, 0.5, 64, 14);

  private static final double TOLERANCE = 1e-4;

  private static Path weightsFile;
  private static float[] images;
  private static int imageCount;
  private static float[] expectedProbabilities;
  private static float[] expectedPooled;

  @TempDir Path dir;

  @BeforeAll
  static void readFixture() throws URISyntaxException {
    Path fixture = Path.of(KerasParityTest.class.getResource("/keras-parity").toURI());
    weightsFile = fixture.resolve("weights.h5");
    try (HdfFile expected = new HdfFile(fixture.resolve("expected.h5"))) {
      images = (float[]) expected.getDatasetByPath("images").getDataFlat();
      imageCount = expected.getDatasetByPath("images").getDimensions()[0];
      expectedProbabilities = (float[]) expected.getDatasetByPath("probabilities").getDataFlat();
      expectedPooled = (float[]) expected.getDatasetByPath("pooled").getDataFlat();
    }
  }

  @Test
  void outputsMatchKerasWithTheSameWeights() throws IOException {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      DenseNetGraph net = DenseNet.build(Ops.create(g), KERAS_TINY, 1);
      s.initialize();
      List<String> kept = KerasWeights.read(weightsFile).assignTo(s, net);
      assertEquals(List.of(), kept, "the fixture has a head: every variable comes from it");
      float[][] outputs = infer(s, net);
      double probabilityDiff = maxAbsDifference(expectedProbabilities, outputs[0]);
      double pooledDiff = maxAbsDifference(expectedPooled, outputs[1]);
      System.out.printf(
          "Keras parity (tiny DenseNet, %d images): max abs diff probabilities %.3g, pooled"
              + " features %.3g%n",
          imageCount, probabilityDiff, pooledDiff);
      assertTrue(probabilityDiff < TOLERANCE, "probabilities differ by " + probabilityDiff);
      assertTrue(pooledDiff < TOLERANCE, "pooled features differ by " + pooledDiff);
    }
  }

  /**
   * The same check on a fixture written elsewhere, e.g. the full DenseNet-121 (33 MB, not
   * committed): {@code mvn -pl model-module test -Dtest=KerasParityTest
   * -Dchexnet.kerasParityDir=/tmp/parity-densenet121}.
   */
  @Test
  @EnabledIfSystemProperty(named = "chexnet.kerasParityDir", matches = ".+")
  void outputsMatchKerasForAFixtureGivenOnTheCommandLine() throws IOException {
    Path fixture = Path.of(System.getProperty("chexnet.kerasParityDir"));
    try (HdfFile expected = new HdfFile(fixture.resolve("expected.h5"));
        Graph g = new Graph();
        Session s = new Session(g)) {
      int[] blocks = (int[]) expected.getAttribute("blocks").getData();
      int[] dims = expected.getDatasetByPath("images").getDimensions();
      DenseNetConfig config =
          new DenseNetConfig(
              java.util.Arrays.stream(blocks).boxed().toList(), 32, 64, 4, 0.5, dims[1], 14);
      DenseNetGraph net = DenseNet.build(Ops.create(g), config, 1);
      s.initialize();
      KerasWeights.read(fixture.resolve("weights.h5")).assignTo(s, net);
      float[][] outputs =
          infer(s, net, (float[]) expected.getDatasetByPath("images").getDataFlat(), dims[0]);
      double probabilityDiff =
          maxAbsDifference(
              (float[]) expected.getDatasetByPath("probabilities").getDataFlat(), outputs[0]);
      double pooledDiff =
          maxAbsDifference((float[]) expected.getDatasetByPath("pooled").getDataFlat(), outputs[1]);
      System.out.printf(
          "Keras parity (blocks %s, %dpx, %d images): max abs diff probabilities %.3g, pooled"
              + " features %.3g%n",
          config.blocks(), dims[1], dims[0], probabilityDiff, pooledDiff);
      assertTrue(probabilityDiff < TOLERANCE, "probabilities differ by " + probabilityDiff);
      assertTrue(pooledDiff < TOLERANCE, "pooled features differ by " + pooledDiff);
    }
  }

  /**
   * Exports the Keras weights of a fixture as our SavedModel, for {@code
   * src/test/python/check_saved_model.py} to load with Python TensorFlow and compare against Keras'
   * outputs: {@code -Dchexnet.savedModelOut=DIR}, with {@code -Dchexnet.kerasParityDir} for a
   * fixture other than the committed one.
   */
  @Test
  @EnabledIfSystemProperty(named = "chexnet.savedModelOut", matches = ".+")
  void exportsTheFixtureNetworkForPythonTensorFlow() throws IOException {
    String other = System.getProperty("chexnet.kerasParityDir");
    Path fixture = other != null ? Path.of(other) : weightsFile.getParent();
    DenseNetConfig config = KERAS_TINY;
    if (other != null) {
      try (HdfFile expected = new HdfFile(fixture.resolve("expected.h5"))) {
        int[] blocks = (int[]) expected.getAttribute("blocks").getData();
        int size = expected.getDatasetByPath("images").getDimensions()[1];
        config =
            new DenseNetConfig(
                java.util.Arrays.stream(blocks).boxed().toList(), 32, 64, 4, 0.5, size, 14);
      }
    }
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      DenseNetGraph net = DenseNet.build(Ops.create(g), config, 1);
      s.initialize();
      KerasWeights.read(fixture.resolve("weights.h5")).assignTo(s, net);
      SavedModels.export(s, config, Path.of(System.getProperty("chexnet.savedModelOut")));
    }
  }

  @Test
  void aNotopFileLeavesTheHeadAtItsInitialValues() throws IOException {
    KerasWeights full = KerasWeights.read(weightsFile);
    Path notop = dir.resolve("notop.h5");
    writeWithout(full, KerasWeights.HEAD_LAYER, notop);
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      DenseNetGraph net = DenseNet.build(Ops.create(g), KERAS_TINY, 1);
      s.initialize();
      float[] headBefore = value(s, "predictions/kernel");
      List<String> kept = KerasWeights.read(notop).assignTo(s, net);
      assertEquals(List.of("predictions/kernel", "predictions/bias"), kept);
      assertArrayEquals(headBefore, value(s, "predictions/kernel"));
      // The backbone did load: the pooled features are Keras'.
      assertTrue(maxAbsDifference(expectedPooled, infer(s, net)[1]) < TOLERANCE);
    }
  }

  @Test
  void aNetworkOfAnotherShapeIsRefusedNamingEveryMismatch() throws IOException {
    KerasWeights weights = KerasWeights.read(weightsFile);
    // One more layer in the last block: its variables are missing and the final BN is wider.
    IOException deeper =
        assertThrows(IOException.class, () -> assign(weights, List.of(1, 1, 1, 2), 14));
    assertTrue(deeper.getMessage().contains("weights.h5"), deeper.getMessage());
    assertTrue(
        deeper.getMessage().contains("missing conv5_block2_1_conv/kernel [1, 1, 68, 128]"),
        deeper.getMessage());
    assertTrue(
        deeper.getMessage().contains("bn/gamma has shape [68], the network expects [100]"),
        deeper.getMessage());
    // Three blocks: the file's pool4 and conv5 tensors have nowhere to go; past ten, a count.
    IOException shallower =
        assertThrows(IOException.class, () -> assign(weights, List.of(1, 1, 1), 14));
    assertTrue(
        shallower.getMessage().contains("extra pool4_conv/kernel [1, 1, 72, 36] (no such variable)")
            && shallower.getMessage().contains("20 problems")
            && shallower.getMessage().endsWith("... and 10 more"),
        shallower.getMessage());
    // A head for another number of classes.
    IOException head =
        assertThrows(IOException.class, () -> assign(weights, List.of(1, 1, 1, 1), 5));
    assertTrue(
        head.getMessage()
            .contains("predictions/kernel has shape [68, 14], the network expects" + " [68, 5]"),
        head.getMessage());
  }

  @Test
  void aFileThatIsNotKerasWeightsIsNamed() throws IOException {
    Path empty = dir.resolve("empty.h5");
    try (WritableHdfFile file = HdfFile.write(empty)) {
      file.putGroup("something");
    }
    IOException e = assertThrows(IOException.class, () -> KerasWeights.read(empty));
    assertTrue(e.getMessage().contains("empty.h5: not a Keras HDF5 weight file"), e.getMessage());
    IOException missing =
        assertThrows(IOException.class, () -> KerasWeights.read(dir.resolve("absent.h5")));
    assertTrue(missing.getMessage().contains("absent.h5"));
  }

  @Test
  void weightNamesMapToVariableNames() {
    assertEquals(
        "conv1/conv/kernel", KerasWeights.variableName("conv1/conv", "conv1/conv/kernel:0"));
    assertEquals("bn/gamma", KerasWeights.variableName("bn", "bn/gamma:0"));
    assertEquals("predictions/bias", KerasWeights.variableName("predictions", "bias:0"));
  }

  private static void assign(KerasWeights weights, List<Integer> blocks, int classes)
      throws IOException {
    DenseNetConfig config = new DenseNetConfig(blocks, 32, 64, 4, 0.5, 64, classes);
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      DenseNetGraph net = DenseNet.build(Ops.create(g), config, 1);
      s.initialize();
      weights.assignTo(s, net);
    }
  }

  /** [0]: probabilities, [1]: feature maps averaged over space (Keras' pooling="avg"). */
  private static float[][] infer(Session s, DenseNetGraph net) {
    return infer(s, net, images, imageCount);
  }

  private static float[][] infer(Session s, DenseNetGraph net, float[] images, int imageCount) {
    int size = net.config().imageSize();
    try (TFloat32 x =
            TFloat32.tensorOf(
                Shape.of(imageCount, size, size, 3), DataBuffers.of(images, true, false));
        Result r =
            s.runner()
                .feed(net.images(), x)
                .fetch(net.probabilities())
                .fetch(net.featureMaps())
                .run()) {
      float[] probabilities = read((TFloat32) r.get(0));
      TFloat32 maps = (TFloat32) r.get(1);
      float[] features = read(maps);
      int cells = (int) (maps.shape().get(1) * maps.shape().get(2));
      int channels = (int) maps.shape().get(3);
      float[] pooled = new float[imageCount * channels];
      for (int i = 0; i < imageCount; i++) {
        for (int cell = 0; cell < cells; cell++) {
          for (int c = 0; c < channels; c++) {
            pooled[i * channels + c] += features[(i * cells + cell) * channels + c] / cells;
          }
        }
      }
      return new float[][] {probabilities, pooled};
    }
  }

  private static float[] value(Session s, String variable) {
    try (Result r = s.runner().fetch(variable).run()) {
      return read((TFloat32) r.get(0));
    }
  }

  private static float[] read(TFloat32 t) {
    float[] out = new float[(int) t.size()];
    t.copyTo(DataBuffers.of(out, false, false));
    return out;
  }

  private static double maxAbsDifference(float[] a, float[] b) {
    assertEquals(a.length, b.length);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs((double) a[i] - b[i]));
    }
    return max;
  }

  /** Writes {@code weights} minus one layer in Keras' layout. */
  private static void writeWithout(KerasWeights weights, String droppedLayer, Path file) {
    Map<String, KerasWeights.Tensor> kept = new LinkedHashMap<>(weights.tensors());
    kept.keySet().removeIf(name -> name.substring(0, name.lastIndexOf('/')).equals(droppedLayer));
    KerasWeightFiles.write(kept, file);
  }
}
