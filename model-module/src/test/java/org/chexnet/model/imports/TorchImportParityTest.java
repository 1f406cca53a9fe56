package org.chexnet.model.imports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.chexnet.common.Reporter;
import org.chexnet.dataset.Finding;
import org.chexnet.model.ModelCard;
import org.chexnet.model.Preprocessing;
import org.chexnet.model.SavedModels;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Each PyTorch layout of a published CheXNet, written by PyTorch itself with random weights and
 * batch-norm statistics, imported by us (pure Java), then run as our SavedModel with the card's
 * preprocessing on the same gray images: the probabilities match PyTorch's to 1e-4. Two of the
 * networks are full DenseNet-121s (arnoweng's 28 MB file, jrzech's whole pickled model); the others
 * are tiny torchvision DenseNets in the other layouts.
 */
class TorchImportParityTest {
  private static final double TOLERANCE = 1e-4;

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "arnoweng-full, arnoweng, PyTorch legacy",
    "zoogzog-tiny, zoogzog, PyTorch legacy",
    "jrzech-full, jrzech, PyTorch zip",
    "jrzech-tiny-legacy, jrzech, PyTorch legacy",
    "torchvision-logits, torchvision, PyTorch zip",
    "torchvision-parallel, torchvision, PyTorch legacy"
  })
  void importedModelMatchesPyTorch(String fixtureName, String format, String container)
      throws Exception {
    ParityFixtures.Fixture fixture = ParityFixtures.torch(fixtureName);
    Path out = dir.resolve("model");
    long start = System.nanoTime();
    ModelCard card =
        ModelImporter.importModel(
            fixture.checkpoint(),
            out,
            ModelImporter.Options.defaults().withPreprocessing(fixture.preprocessing()),
            Reporter.silent());
    double seconds = (System.nanoTime() - start) / 1e9;
    assertEquals(format, card.source().format(), "recognised layout");
    assertTrue(card.source().container().startsWith(container), card.source().container());
    assertEquals(Finding.labels(), card.classes());
    assertEquals(ModelCard.read(out), card, "the card on disk is the one returned");

    float[] probabilities = predict(out, fixture.preprocessing(), fixture.images());
    double diff = maxAbsDifference(fixture.expected(), probabilities);
    System.out.printf(
        "PyTorch parity %s (%s, %s, %s): max abs diff %.3g over %d probabilities; import %.1f s%n",
        fixtureName,
        card.architecture().name(),
        card.source().container(),
        fixture.preprocessing().describe(),
        diff,
        probabilities.length,
        seconds);
    assertTrue(diff < TOLERANCE, fixtureName + ": probabilities differ by " + diff);
  }

  /** The SavedModel on the card's preprocessing of each image, crops combined. */
  static float[] predict(Path model, Preprocessing preprocessing, byte[][] images) {
    int size = preprocessing.inputSize();
    int perImage = preprocessing.inputsPerImage();
    try (SavedModelBundle bundle = SavedModelBundle.load(model.toString(), SavedModels.TAG)) {
      float[] all = new float[0];
      for (byte[] gray : images) {
        float[] inputs = preprocessing.inputs(gray);
        try (TFloat32 x =
                TFloat32.tensorOf(
                    Shape.of(perImage, size, size, 3), DataBuffers.of(inputs, true, false));
            Result result = bundle.call(Map.of(SavedModels.IMAGES, x))) {
          TFloat32 p = (TFloat32) result.get(SavedModels.PROBABILITIES).get();
          float[] values = new float[(int) p.size()];
          p.copyTo(DataBuffers.of(values, false, false));
          float[] combined = preprocessing.combine(values, (int) p.shape().get(1));
          float[] grown = java.util.Arrays.copyOf(all, all.length + combined.length);
          System.arraycopy(combined, 0, grown, all.length, combined.length);
          all = grown;
        }
      }
      return all;
    }
  }

  static double maxAbsDifference(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length, "output count");
    double max = 0;
    for (int i = 0; i < expected.length; i++) {
      max = Math.max(max, Math.abs((double) expected[i] - actual[i]));
    }
    return max;
  }
}
