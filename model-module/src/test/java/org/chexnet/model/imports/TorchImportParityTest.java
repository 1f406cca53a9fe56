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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Each PyTorch layout of a published CheXNet, a full torchvision DenseNet-121 written by PyTorch
 * itself with random weights and batch-norm statistics, imported by us (pure Java), then run as our
 * SavedModel with the layout's preprocessing on the same gray images (at the source's resize size):
 * the probabilities match PyTorch's to 1e-4. A tiny network also checks a ten-crop whose margin is
 * odd (64 of 73 pixels), where the centre crop's rounding shows.
 */
class TorchImportParityTest {
  private static final double TOLERANCE = 1e-4;

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "arnoweng-full, arnoweng, PyTorch legacy",
    "zoogzog-full, zoogzog, PyTorch legacy",
    "jrzech-full, jrzech, PyTorch zip",
    "jrzech-legacy-full, jrzech, PyTorch legacy",
    "torchvision-logits-full, torchvision, PyTorch zip",
    "torchvision-parallel-full, torchvision, PyTorch legacy"
  })
  void importedDenseNet121MatchesPyTorch(String fixtureName, String format, String container)
      throws Exception {
    ParityFixtures.Fixture fixture = ParityFixtures.torch(fixtureName);
    ModelCard card = assertMatchesPyTorch(fixtureName, fixture, ModelImporter.Options.defaults());
    assertEquals(fixture.preprocessing(), card.preprocessing(), "the layout's own preprocessing");
    assertEquals(format, card.source().format(), "recognised layout");
    assertTrue(card.source().container().startsWith(container), card.source().container());
    assertEquals("DenseNet-121", card.architecture().name());
  }

  @Test
  void tenCropWithAnOddMarginMatchesPyTorch() throws Exception {
    ParityFixtures.Fixture fixture = ParityFixtures.tiny("zoogzog-tiny");
    assertEquals(Preprocessing.tenCrop(73, 64), fixture.preprocessing());
    assertMatchesPyTorch(
        "zoogzog-tiny",
        fixture,
        ModelImporter.Options.defaults().withPreprocessing(fixture.preprocessing()));
  }

  /**
   * Imports the fixture's checkpoint; run with the fixture's preprocessing, its probabilities are
   * PyTorch's.
   */
  private ModelCard assertMatchesPyTorch(
      String fixtureName, ParityFixtures.Fixture fixture, ModelImporter.Options options)
      throws Exception {
    Path out = dir.resolve(fixtureName);
    long start = System.nanoTime();
    ModelCard card =
        ModelImporter.importModel(fixture.checkpoint(), out, options, Reporter.silent());
    double seconds = (System.nanoTime() - start) / 1e9;
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
    return card;
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
