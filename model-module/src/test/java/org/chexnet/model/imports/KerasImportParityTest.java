package org.chexnet.model.imports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.chexnet.common.Reporter;
import org.chexnet.model.DenseNetConfig;
import org.chexnet.model.ModelCard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * brucechou1983/CheXNet-Keras's layout (Keras HDF5 weights of a DenseNet-121 with a 14-way sigmoid
 * head named predictions), written by tf-keras with random weights and batch-norm statistics,
 * imported and run as our SavedModel with the card's preprocessing (224 px, no crop) on the same
 * gray images: the probabilities match Keras' to 1e-4.
 */
class KerasImportParityTest {
  @TempDir Path dir;

  @Test
  void importedModelMatchesKeras() throws Exception {
    ParityFixtures.Fixture fixture = ParityFixtures.keras();
    Path out = dir.resolve("model");
    ModelCard card =
        ModelImporter.importModel(
            fixture.checkpoint(), out, ModelImporter.Options.defaults(), Reporter.silent());
    assertEquals("keras", card.source().format());
    assertEquals("DenseNet-121", card.architecture().name());
    assertEquals(fixture.preprocessing(), card.preprocessing(), "the layout's own preprocessing");
    assertEquals("brucechou1983/CheXNet-Keras", card.source().project());
    assertEquals(DenseNetConfig.KERAS_BN_EPSILON, card.architecture().batchNormEpsilon());
    assertEquals(0.829, card.published().get(0).mean());

    float[] probabilities =
        TorchImportParityTest.predict(out, fixture.preprocessing(), fixture.images());
    double diff = TorchImportParityTest.maxAbsDifference(fixture.expected(), probabilities);
    System.out.printf(
        "tf-keras parity brucechou1983 layout (%s): max abs diff %.3g over %d probabilities%n",
        card.architecture().name(), diff, probabilities.length);
    assertTrue(diff < 1e-4, "probabilities differ by " + diff);
  }
}
