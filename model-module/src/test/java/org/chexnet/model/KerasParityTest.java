package org.chexnet.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
 * Our DenseNet's inference against real Keras, the reference written by the test run itself: {@code
 * src/test/python/keras_parity.py} (tf-keras 2.18.0 through {@code tools/setup-venv.sh}) writes a
 * tiny DenseNet (blocks [1, 1, 1, 1], 64x64) and the full DenseNet-121 (224x224), both with random
 * weights and batch-norm statistics, and their outputs on random images. Our graph loads each
 * weight file and must give the same probabilities and pooled features; its SavedModel export,
 * loaded by Python TensorFlow ({@code check_saved_model.py}), must too.
 */
class KerasParityTest {
  /**
   * Max abs differences measured 2026-11-28 (probabilities / pooled features): tiny 1.8e-7 /
   * 7.2e-7, DenseNet-121 2.4e-7 / 1.7e-6, its SavedModel in Python TensorFlow 2.4e-7 / 1.9e-6.
   */
  private static final double PROBABILITY_TOLERANCE = 1e-6;

  private static final double POOLED_TOLERANCE = 1e-5;

  private static final List<String> FIXTURES = List.of("tiny", "densenet121");

  @TempDir static Path work;

  /** Per fixture: max abs difference from Keras of our probabilities and pooled features. */
  private static final Map<String, double[]> OURS = new LinkedHashMap<>();

  /** Per fixture: the same for our SavedModel run by Python TensorFlow. */
  private static final Map<String, double[]> SAVED_MODEL = new LinkedHashMap<>();

  @BeforeAll
  static void compareWithKeras() throws IOException {
    Path python = PythonTools.venvBin(PythonTools.TF_KERAS);
    Path fixtures = work.resolve("fixtures");
    PythonTools.python(python, Path.of("src/test/python/keras_parity.py"), fixtures.toString());
    List<String> exports = new ArrayList<>();
    for (String name : FIXTURES) {
      Path fixture = fixtures.resolve(name);
      Path savedModel = work.resolve("saved-model-" + name);
      OURS.put(name, inferAndExport(fixture, savedModel));
      exports.addAll(
          List.of(
              "--export", name, savedModel.toString(), fixture.resolve("expected.h5").toString()));
    }
    Path report = work.resolve("saved-model-report.h5");
    exports.addAll(List.of("--report", report.toString()));
    PythonTools.python(
        python, Path.of("src/test/python/check_saved_model.py"), exports.toArray(String[]::new));
    try (HdfFile h5 = new HdfFile(report)) {
      for (String name : FIXTURES) {
        SAVED_MODEL.put(
            name,
            new double[] {
              (Double) h5.getDatasetByPath(name + "/probabilities").getData(),
              (Double) h5.getDatasetByPath(name + "/pooled").getData()
            });
      }
    }
    OURS.forEach(
        (name, diff) ->
            System.out.printf(
                "Keras parity %s: max abs diff probabilities %.3g, pooled features %.3g;"
                    + " SavedModel in Python TensorFlow %.3g, %.3g%n",
                name, diff[0], diff[1], SAVED_MODEL.get(name)[0], SAVED_MODEL.get(name)[1]));
  }

  @Test
  void tinyDenseNetMatchesKeras() {
    assertWithinTolerance("tiny", OURS);
  }

  @Test
  void denseNet121At224MatchesKeras() {
    assertWithinTolerance("densenet121", OURS);
  }

  @Test
  void savedModelExportsMatchKerasInPythonTensorFlow() {
    FIXTURES.forEach(name -> assertWithinTolerance(name, SAVED_MODEL));
  }

  /** The committed file other tests read is still exactly what the pinned Keras writes. */
  @Test
  void theCommittedWeightFileIsTheTinyFixture() throws IOException, URISyntaxException {
    Path committed = Path.of(KerasParityTest.class.getResource("/keras-parity/weights.h5").toURI());
    Map<String, KerasWeights.Tensor> expected =
        KerasWeights.read(work.resolve("fixtures/tiny/weights.h5")).tensors();
    Map<String, KerasWeights.Tensor> actual = KerasWeights.read(committed).tensors();
    assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()));
    expected.forEach(
        (name, tensor) -> {
          assertArrayEquals(tensor.shape(), actual.get(name).shape(), name);
          assertArrayEquals(tensor.values(), actual.get(name).values(), name);
        });
  }

  private static void assertWithinTolerance(String fixture, Map<String, double[]> differences) {
    double[] diff = differences.get(fixture);
    assertTrue(
        diff[0] < PROBABILITY_TOLERANCE, fixture + ": probabilities differ by up to " + diff[0]);
    assertTrue(
        diff[1] < POOLED_TOLERANCE, fixture + ": pooled features differ by up to " + diff[1]);
  }

  /**
   * Loads a fixture's Keras weights into our graph, runs its images, exports the SavedModel; the
   * max abs differences from Keras' probabilities and pooled features.
   */
  private static double[] inferAndExport(Path fixture, Path savedModel) throws IOException {
    try (HdfFile expected = new HdfFile(fixture.resolve("expected.h5"));
        Graph g = new Graph();
        Session s = new Session(g)) {
      int[] blocks = (int[]) expected.getAttribute("blocks").getData();
      int[] dims = expected.getDatasetByPath("images").getDimensions();
      DenseNetConfig config =
          new DenseNetConfig(Arrays.stream(blocks).boxed().toList(), 32, 64, 4, 0.5, dims[1], 14);
      DenseNetGraph net = DenseNet.build(Ops.create(g), config, 1);
      s.initialize();
      List<String> kept = KerasWeights.read(fixture.resolve("weights.h5")).assignTo(s, net);
      assertEquals(List.of(), kept, "the fixture has a head: every variable comes from it");
      float[] images = (float[]) expected.getDatasetByPath("images").getDataFlat();
      float[][] outputs = infer(s, net, images, dims[0]);
      SavedModels.export(s, config, savedModel);
      return new double[] {
        maxAbsDifference(
            (float[]) expected.getDatasetByPath("probabilities").getDataFlat(), outputs[0]),
        maxAbsDifference((float[]) expected.getDatasetByPath("pooled").getDataFlat(), outputs[1])
      };
    }
  }

  /** [0]: probabilities, [1]: feature maps averaged over space (Keras' pooling="avg"). */
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
}
