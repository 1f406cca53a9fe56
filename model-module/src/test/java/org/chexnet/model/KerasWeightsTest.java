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
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Reading Keras' HDF5 weight files, on a file written by tf-keras 2.18 ({@code
 * resources/keras-parity/weights.h5}: {@code src/test/python/keras_parity.py}'s {@code tiny}
 * fixture, which {@link KerasParityTest} checks is still what the pinned Keras writes).
 */
class KerasWeightsTest {
  /** What Keras' DenseNet(blocks=[1, 1, 1, 1]) is: growth 32 and 64 stem filters are fixed. */
  static final DenseNetConfig KERAS_TINY =
      new DenseNetConfig(List.of(1, 1, 1, 1), 32, 64, 4, 0.5, 64, 14);

  private static Path weightsFile;

  @TempDir Path dir;

  @BeforeAll
  static void locateFile() throws URISyntaxException {
    weightsFile = Path.of(KerasWeightsTest.class.getResource("/keras-parity/weights.h5").toURI());
  }

  @Test
  void aFullFileSetsEveryVariable() throws IOException {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      DenseNetGraph net = DenseNet.build(Ops.create(g), KERAS_TINY, 1);
      s.initialize();
      List<String> kept = KerasWeights.read(weightsFile).assignTo(s, net);
      assertEquals(List.of(), kept, "the file has a head: every variable comes from it");
      KerasWeights.Tensor mean = KerasWeights.read(weightsFile).tensors().get("bn/moving_mean");
      assertArrayEquals(mean.values(), value(s, "bn/moving_mean"));
    }
  }

  @Test
  void aNotopFileLeavesTheHeadAtItsInitialValues() throws IOException {
    KerasWeights full = KerasWeights.read(weightsFile);
    Path notop = dir.resolve("notop.h5");
    writeWithout(full, KerasWeights.HEAD_LAYER, notop);
    float[] images = new float[2 * 64 * 64 * 3];
    for (int i = 0; i < images.length; i++) {
      images[i] = (float) Math.sin(i * 0.01);
    }
    float[] fullFeatures;
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      DenseNetGraph net = DenseNet.build(Ops.create(g), KERAS_TINY, 1);
      s.initialize();
      full.assignTo(s, net);
      fullFeatures = featureMaps(s, net, images);
    }
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      DenseNetGraph net = DenseNet.build(Ops.create(g), KERAS_TINY, 1);
      s.initialize();
      float[] headBefore = value(s, "predictions/kernel");
      List<String> kept = KerasWeights.read(notop).assignTo(s, net);
      assertEquals(List.of("predictions/kernel", "predictions/bias"), kept);
      assertArrayEquals(headBefore, value(s, "predictions/kernel"));
      // The backbone did load: the feature maps are the full file's.
      assertArrayEquals(fullFeatures, featureMaps(s, net, images));
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

  private static float[] featureMaps(Session s, DenseNetGraph net, float[] images) {
    try (TFloat32 x =
            TFloat32.tensorOf(Shape.of(2, 64, 64, 3), DataBuffers.of(images, true, false));
        Result r = s.runner().feed(net.images(), x).fetch(net.featureMaps()).run()) {
      return read((TFloat32) r.get(0));
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

  /** Writes {@code weights} minus one layer in Keras' layout. */
  private static void writeWithout(KerasWeights weights, String droppedLayer, Path file) {
    Map<String, KerasWeights.Tensor> kept = new LinkedHashMap<>(weights.tensors());
    kept.keySet().removeIf(name -> name.substring(0, name.lastIndexOf('/')).equals(droppedLayer));
    KerasWeightFiles.write(kept, file);
  }
}
