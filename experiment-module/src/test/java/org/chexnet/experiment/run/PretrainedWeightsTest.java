package org.chexnet.experiment.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.Reporter;
import org.chexnet.dataset.Finding;
import org.chexnet.experiment.spec.SpecLoader;
import org.chexnet.model.DenseNetConfig;
import org.chexnet.model.ImageNetWeights;
import org.chexnet.model.KerasWeightFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `model.weights: imagenet` in a run: the file is found first, loaded before training, recorded.
 */
class PretrainedWeightsTest {
  private static final String SPEC =
      """
      name: pretrained
      seed: 3
      data:
        root: data/tiny
        synthetic: {images: 60, image_size: 32, seed: 5}
        image_size: 32
      model:
        architecture: custom
        blocks: [1, 1]
        growth_rate: 4
        weights: imagenet
        weights_path: weights.h5
      train:
        epochs: 1
        batch_size: 16
        horizontal_flip: false
        optimizer: {lr: 1.0e-12}
        callbacks:
          - type: csv_logger
      """;

  private static final DenseNetConfig NETWORK =
      DenseNetConfig.custom(List.of(1, 1), 4, 32, Finding.COUNT);

  @TempDir Path work;

  @Test
  void theFileIsLoadedBeforeTrainingAndRecordedByItsHashes() throws Exception {
    // A head that answers "present" (logit 10) for everything: with a learning rate of 1e-12 the
    // evaluated model shows it only if the file was loaded and nothing re-initialised it.
    Path file = work.resolve("weights.h5");
    KerasWeightFiles.write(NETWORK, file, KerasWeightFiles.plausible(1, 0f, 10f));
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    RunResult run =
        new ExperimentRunner(
                Reporter.lines(new PrintStream(console, true, StandardCharsets.UTF_8)), work)
            .run(SpecLoader.load(SPEC, "spec.yaml", List.of()));

    Path tags = run.directory().resolve("tags");
    assertEquals(file.toString(), Files.readString(tags.resolve(PretrainedWeights.TAG_FILE)));
    assertEquals(hash("MD5", file), Files.readString(tags.resolve(PretrainedWeights.TAG_MD5)));
    assertEquals(
        hash("SHA-256", file), Files.readString(tags.resolve(PretrainedWeights.TAG_SHA256)));
    List<String> predictions = Files.readAllLines(run.artifactsDir().resolve("predictions.csv"));
    for (String row : predictions.subList(1, predictions.size())) {
      String[] cells = row.split(",");
      for (int c = 1; c < cells.length; c++) {
        assertEquals(1 / (1 + Math.exp(-10)), Double.parseDouble(cells[c]), 1e-6, row);
      }
    }
    assertTrue(
        console.toString(StandardCharsets.UTF_8).contains("Weights: " + file),
        console.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aFileForAnotherNetworkFailsTheRunBeforeAnyEpochNamingTheTensor() throws Exception {
    DenseNetConfig wider = DenseNetConfig.custom(List.of(1, 1), 6, 32, Finding.COUNT);
    KerasWeightFiles.write(
        wider, work.resolve("weights.h5"), KerasWeightFiles.plausible(1, 0f, 0f));
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                new ExperimentRunner(Reporter.silent(), work)
                    .run(SpecLoader.load(SPEC, "spec.yaml", List.of())));
    assertTrue(e.getMessage().contains("weights.h5"), e.getMessage());
    assertTrue(e.getMessage().contains("conv1/conv/kernel has shape"), e.getMessage());
    Path mlruns = work.resolve("mlruns");
    Path runMeta;
    try (Stream<Path> found =
        Files.find(
            mlruns,
            3,
            (p, a) -> p.getNameCount() == mlruns.getNameCount() + 3 && p.endsWith("meta.yaml"))) {
      runMeta = found.findFirst().orElseThrow();
    }
    assertTrue(Files.readString(runMeta).contains("status: 4"), "FAILED");
    assertFalse(Files.exists(runMeta.resolveSibling("artifacts/history.csv")), "no epoch ran");
  }

  @Test
  void aMissingFileStopsTheRunBeforeAnythingIsWrittenSayingHowToGetIt() throws Exception {
    Path cache = Files.createDirectories(work.resolve("cache"));
    ChexnetException e =
        assertThrows(
            ChexnetException.class,
            () ->
                new ExperimentRunner(Reporter.silent(), work)
                    .run(SpecLoader.load(SPEC, "spec.yaml", List.of("model.weights_path=cache"))));
    assertEquals(
        "model.weights: imagenet: "
            + cache.resolve(ImageNetWeights.FILE_NAME)
            + " does not exist; run `chexnet models download-weights --out "
            + cache
            + "` to download it (or set model.weights_path, or model.weights: none to train from"
            + " random weights)",
        e.getMessage());
    ChexnetException absent =
        assertThrows(
            ChexnetException.class,
            () ->
                new ExperimentRunner(Reporter.silent(), work)
                    .run(SpecLoader.load(SPEC, "spec.yaml", List.of())));
    assertTrue(
        absent.getMessage().startsWith("model.weights_path: " + work.resolve("weights.h5")),
        absent.getMessage());
    assertFalse(Files.exists(work.resolve("mlruns")));
    assertFalse(Files.exists(work.resolve("data")));
  }

  @Test
  void theCachedFileIsDenseNet121s() {
    ChexnetException e =
        assertThrows(
            ChexnetException.class,
            () ->
                PretrainedWeights.locate(
                    SpecLoader.load(
                            SPEC.replace("  weights_path: weights.h5\n", ""),
                            "spec.yaml",
                            List.of())
                        .spec()
                        .model(),
                    work));
    assertTrue(
        e.getMessage().contains("for architecture custom set model.weights_path"), e.getMessage());
  }

  @Test
  void weightsPathIsOnlyForImagenet() {
    Exception e =
        assertThrows(
            RuntimeException.class,
            () -> SpecLoader.load(SPEC, "spec.yaml", List.of("model.weights=none")));
    assertTrue(e.getMessage().contains("model.weights_path"), e.getMessage());
  }

  private static String hash(String algorithm, Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance(algorithm).digest(Files.readAllBytes(file)));
  }
}
