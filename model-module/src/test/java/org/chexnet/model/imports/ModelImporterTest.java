package org.chexnet.model.imports;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.Reporter;
import org.chexnet.model.DenseNetConfig;
import org.chexnet.model.KerasWeightFiles;
import org.chexnet.model.KerasWeights;
import org.chexnet.model.ModelCard;
import org.chexnet.model.Preprocessing;
import org.chexnet.model.SavedModelPredictor;
import org.chexnet.model.SavedModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.SavedModelBundle;

/**
 * What the importer says about a checkpoint that does not fit (every tensor named, nothing
 * written), and what its card records about one that does. The checkpoints are PyTorch's own (tiny
 * fixtures of {@link ParityFixtures}), altered here where a test needs a broken one.
 */
class ModelImporterTest {
  @TempDir Path dir;

  @Test
  void missingExtraMisShapedAndNonFloatTensorsAreEachNamed() throws Exception {
    Path file = ParityFixtures.tiny("torchvision-parallel-tiny").checkpoint();
    Map<Object, Object> stateDict = stateDict(file);
    Object conv0 = stateDict.get("module.features.conv0.weight");
    Object counter = stateDict.get("module.features.norm0.num_batches_tracked");
    stateDict.remove("module.features.norm5.running_var");
    stateDict.put("module.features.extra.weight", conv0);
    stateDict.put("module.features.denseblock2.denselayer1.conv2.weight", conv0);
    stateDict.put("module.features.norm5.weight", counter);
    Path out = dir.resolve("model");
    ChexnetException e =
        assertThrows(
            ChexnetException.class,
            () ->
                ModelImporter.write(
                    file,
                    TorchLayouts.read(
                        file, stateDict, TorchCheckpoint.Container.LEGACY, ImportFormat.AUTO),
                    out,
                    tiny(),
                    Reporter.silent()));
    String message = e.getMessage();
    assertFalse(message.contains("\n"), "one line: " + message);
    assertTrue(message.startsWith(file + ": the torchvision checkpoint does not fit"), message);
    assertTrue(message.contains("(4 problems)"), message);
    assertTrue(
        message.contains(
            "module.features.denseblock2.denselayer1.conv2.weight has shape [16, 3, 7, 7], the"
                + " network expects [8, 32, 3, 3]"),
        message);
    assertTrue(message.contains("missing module.features.norm5.running_var [26]"), message);
    assertTrue(message.contains("unexpected module.features.extra.weight [16, 3, 7, 7]"), message);
    assertTrue(message.contains("module.features.norm5.weight holds INT64 values"), message);
    assertFalse(Files.exists(out), "nothing written");
  }

  @Test
  void aFormatThatDoesNotFitTheFileIsNamed() throws Exception {
    Path file = ParityFixtures.tiny("torchvision-parallel-tiny").checkpoint();
    Path out = dir.resolve("model");
    for (ImportFormat wrong : List.of(ImportFormat.JRZECH, ImportFormat.KERAS)) {
      ChexnetException e =
          assertThrows(
              ChexnetException.class,
              () ->
                  ModelImporter.importModel(
                      file, out, tiny().withFormat(wrong), Reporter.silent()));
      assertTrue(
          e.getMessage().startsWith(file + ": --format " + wrong.cliName() + " does not fit"),
          e.getMessage());
    }
    ChexnetException arnoweng =
        assertThrows(
            ChexnetException.class,
            () ->
                ModelImporter.importModel(
                    file, out, tiny().withFormat(ImportFormat.ARNOWENG), Reporter.silent()));
    assertTrue(arnoweng.getMessage().contains("torchvision's layout"), arnoweng.getMessage());
    assertFalse(Files.exists(out));
  }

  @Test
  void classNamesMustMatchTheOutputs() throws Exception {
    Path file = ParityFixtures.tiny("torchvision-logits-tiny").checkpoint();
    ChexnetException e =
        assertThrows(
            ChexnetException.class,
            () ->
                ModelImporter.importModel(
                    file,
                    dir.resolve("model"),
                    tiny().withClasses(List.of("a", "b", "c")),
                    Reporter.silent()));
    assertTrue(
        e.getMessage().endsWith("3 class names given, the classifier has 14 outputs"),
        e.getMessage());
  }

  @Test
  void givenClassNamesAndNameNameTheOutputsOfAThreeOutputNetwork() throws Exception {
    ParityFixtures.Fixture fixture = ParityFixtures.tiny("torchvision-3-classes");
    Path out = dir.resolve("three");
    // As `models import FILE --out DIR --classes A,B,C --name x` asks: no preprocessing given.
    ModelCard card =
        ModelImporter.importModel(
            fixture.checkpoint(),
            out,
            new ModelImporter.Options(ImportFormat.AUTO, List.of("A", "B", "C"), "x", null),
            Reporter.silent());
    assertEquals("x", card.name());
    assertEquals(List.of("A", "B", "C"), card.classes());
    assertEquals(ModelCard.read(out), card);
    assertEquals(Preprocessing.resize(224), card.preprocessing(), "torchvision's default");
    try (SavedModelBundle bundle = SavedModelBundle.load(out.toString(), SavedModels.TAG)) {
      long[] probabilities =
          bundle
              .function(SavedModels.SIGNATURE)
              .signature()
              .getOutputs()
              .get(SavedModels.PROBABILITIES)
              .shape
              .asArray();
      assertArrayEquals(new long[] {-1, 3}, probabilities, "the signature's output");
    }
    try (SavedModelPredictor predictor = SavedModelPredictor.load(out, card)) {
      assertEquals(List.of("A", "B", "C"), predictor.classNames());
    }
    double diff =
        TorchImportParityTest.maxAbsDifference(
            fixture.expected(),
            TorchImportParityTest.predict(out, card.preprocessing(), fixture.images()));
    assertTrue(diff < 1e-4, "probabilities differ from PyTorch's by " + diff);
  }

  @Test
  void filesThatAreNoCheckpointAreNamed() throws Exception {
    Path text = dir.resolve("notes.pth");
    Files.writeString(text, "not a checkpoint", StandardCharsets.UTF_8);
    ChexnetException e =
        assertThrows(
            ChexnetException.class,
            () ->
                ModelImporter.importModel(
                    text, dir.resolve("m"), ModelImporter.Options.defaults(), Reporter.silent()));
    assertEquals(
        text + ": neither a PyTorch checkpoint (zip or legacy) nor Keras HDF5 weights",
        e.getMessage());
    Path full = ParityFixtures.tiny("torchvision-parallel-tiny").checkpoint();
    byte[] bytes = Files.readAllBytes(full);
    Path truncated = dir.resolve("truncated.pth");
    Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 1000));
    IOException cut = assertThrows(IOException.class, () -> TorchCheckpoint.read(truncated));
    assertTrue(cut.getMessage().startsWith(truncated + ": truncated"), cut.getMessage());
    // Cut anywhere inside the pickled object, after any opcode or inside one's argument.
    for (int length = 200; length < 1200; length++) {
      Files.write(truncated, java.util.Arrays.copyOf(bytes, length));
      IOException early = assertThrows(IOException.class, () -> TorchCheckpoint.read(truncated));
      assertTrue(
          early.getMessage().startsWith(truncated + ": truncated"),
          length + " bytes: " + early.getMessage());
    }
  }

  @Test
  void aKerasFileWithoutTheHeadIsRefused() throws IOException {
    DenseNetConfig config = new DenseNetConfig(List.of(1, 1, 1, 1), 32, 64, 4, 0.5, 64, 14);
    Path full = dir.resolve("full.h5");
    KerasWeightFiles.write(config, full, KerasWeightFiles.plausible(1, 0.01f, 0f));
    Map<String, KerasWeights.Tensor> notop = new LinkedHashMap<>(KerasWeights.read(full).tensors());
    notop.keySet().removeIf(name -> name.startsWith("predictions/"));
    Path file = dir.resolve("notop.h5");
    KerasWeightFiles.write(notop, file);
    ChexnetException e =
        assertThrows(
            ChexnetException.class,
            () ->
                ModelImporter.importModel(
                    file, dir.resolve("m"), ModelImporter.Options.defaults(), Reporter.silent()));
    assertTrue(
        e.getMessage().startsWith(file + ": no classifier layer 'predictions'"), e.getMessage());
  }

  @Test
  void theCardSaysWhereTheModelCameFromAndWhatWasLeftBehind() throws Exception {
    Path zoogzog = ParityFixtures.tiny("zoogzog-tiny").checkpoint();
    ModelCard card =
        ModelImporter.importModel(
            zoogzog,
            dir.resolve("zoogzog"),
            tiny().withPreprocessing(Preprocessing.tenCrop(73, 64)),
            Reporter.silent());
    assertEquals("zoogzog", card.source().format());
    assertEquals("zoogzog/chexnet", card.source().project());
    assertEquals(List.of("epoch", "best_loss", "optimizer"), card.source().ignored());
    assertEquals(sha256(zoogzog), card.source().sha256());
    assertEquals(DenseNetConfig.TORCHVISION_BN_EPSILON, card.architecture().batchNormEpsilon());
    assertEquals(List.of(2, 1, 1, 2), card.architecture().blocks());
    assertTrue(card.architecture().head().startsWith("Linear + Sigmoid"));
    ModelCard.PublishedAuroc published = card.published().get(0);
    assertEquals("https://github.com/zoogzog/chexnet#results", published.citation());
    assertEquals(0.8508, published.mean(), 5e-5, "the README's mean, from its per-class values");
    String markdown = Files.readString(dir.resolve("zoogzog").resolve(ModelCard.MARKDOWN_NAME));
    assertTrue(markdown.contains("| Hernia | 0.9416 |"), markdown);
    assertTrue(markdown.contains(card.source().sha256()), markdown);

    ModelCard logits =
        ModelImporter.importModel(
            ParityFixtures.tiny("torchvision-logits-tiny").checkpoint(),
            dir.resolve("logits"),
            tiny(),
            Reporter.silent());
    assertEquals(List.of(), logits.published());
    assertTrue(logits.architecture().head().contains("logits"), logits.architecture().head());
    assertTrue(
        logits
            .source()
            .ignored()
            .contains("17 batch-norm num_batches_tracked counters (training state)"),
        logits.source().ignored().toString());

    ModelCard jrzech =
        ModelImporter.importModel(
            ParityFixtures.tiny("jrzech-tiny-legacy").checkpoint(),
            dir.resolve("jrzech"),
            tiny(),
            Reporter.silent());
    assertEquals(
        List.of(
            "best_loss",
            "epoch",
            "rng_state",
            "LR",
            "17 batch-norm num_batches_tracked counters (training state)"),
        jrzech.source().ignored());
    assertTrue(jrzech.published().get(0).model().contains("2018"), "a legacy file is the 2018 one");
  }

  /** The tiny fixtures' 64 pixel inputs, no crop. */
  private static ModelImporter.Options tiny() {
    return ModelImporter.Options.defaults().withPreprocessing(Preprocessing.resize(64));
  }

  @SuppressWarnings("unchecked")
  private static Map<Object, Object> stateDict(Path file) throws IOException {
    PyDict copy = new PyDict();
    copy.putAll((Map<Object, Object>) TorchCheckpoint.read(file).root());
    return copy;
  }

  private static String sha256(Path file) throws Exception {
    return java.util.HexFormat.of()
        .formatHex(
            java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
