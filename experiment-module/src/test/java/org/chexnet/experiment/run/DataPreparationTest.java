package org.chexnet.experiment.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.Reporter;
import org.chexnet.dataset.ChestXray14;
import org.chexnet.dataset.DataEntry;
import org.chexnet.dataset.Manifest;
import org.chexnet.dataset.SyntheticChestXray14;
import org.chexnet.experiment.spec.SpecLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spec's data section in a run: split kinds, bad images, manifest check, prepared cache. */
class DataPreparationTest {
  private static final String SPEC =
      """
      name: tiny-data
      seed: 3
      data:
        root: data/tiny
        image_size: 32
      model:
        architecture: custom
        blocks: [1, 1, 1, 1]
        growth_rate: 4
        weights: none
      train:
        epochs: 1
        batch_size: 16
        horizontal_flip: false
        callbacks:
          - type: model_checkpoint
      """;

  @TempDir Path work;

  private Path data() throws IOException {
    Path root = work.resolve("data/tiny");
    SyntheticChestXray14.write(root, 120, 32, 5);
    return root;
  }

  private static SpecLoader.LoadedSpec spec(String extraData, String... overrides) {
    return SpecLoader.load(
        SPEC.replace("  image_size: 32\n", "  image_size: 32\n" + extraData),
        "spec.yaml",
        List.of(overrides));
  }

  private DataPreparation.Prepared prepare(SpecLoader.LoadedSpec loaded) throws IOException {
    return new DataPreparation(Reporter.silent(), work)
        .prepare(loaded.spec().data(), loaded.spec().seed());
  }

  /** Train, validation and test lists by patient (60/20/20 of the patients, in order). */
  private static Map<String, List<String>> writeLists(Path root) throws IOException {
    List<DataEntry> entries = ChestXray14.open(root).entries();
    List<Integer> patients =
        entries.stream().map(DataEntry::patientId).distinct().sorted().toList();
    Map<String, List<String>> lists = new TreeMap<>();
    for (String split : List.of("train", "validation", "test")) {
      lists.put(split, new ArrayList<>());
    }
    for (DataEntry entry : entries) {
      double rank = patients.indexOf(entry.patientId()) / (double) patients.size();
      lists.get(rank < 0.6 ? "train" : rank < 0.8 ? "validation" : "test").add(entry.imageIndex());
    }
    Files.createDirectories(root.resolve("lists"));
    for (Map.Entry<String, List<String>> list : lists.entrySet()) {
      Files.write(root.resolve("lists/" + list.getKey() + ".txt"), list.getValue());
    }
    return lists;
  }

  private static final String LISTS =
      "  split: lists\n  lists:\n    train: data/tiny/lists/train.txt\n"
          + "    validation: data/tiny/lists/validation.txt\n    test: data/tiny/lists/test.txt\n";

  @Test
  void runOnListsSkipsATruncatedImageAndRecordsSplitsAndDigest() throws Exception {
    Path root = data();
    Map<String, List<String>> lists = writeLists(root);
    String truncated = lists.get("train").get(3);
    Path image = root.resolve("images").resolve(truncated);
    byte[] png = Files.readAllBytes(image);
    Files.write(image, Arrays.copyOf(png, png.length / 2)); // an interrupted copy
    String manifestDigest = Manifest.snapshot(root).digest();

    SpecLoader.LoadedSpec loaded = spec(LISTS + "  on_bad_image: skip\n");
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    RunResult run =
        new ExperimentRunner(
                Reporter.lines(new PrintStream(console, true, StandardCharsets.UTF_8)), work)
            .run(loaded);

    Path dir = run.directory();
    assertTrue(Files.readString(dir.resolve("meta.yaml")).contains("status: 3"), "FINISHED");
    assertEquals("lists", Files.readString(dir.resolve("tags/chexnet.data.split")));
    assertEquals(manifestDigest, Files.readString(dir.resolve("tags/chexnet.dataset.digest")));
    int train = lists.get("train").size() - 1;
    assertEquals(
        String.valueOf(train), Files.readString(dir.resolve("tags/chexnet.data.train_images")));
    assertEquals(
        String.valueOf(lists.get("test").size()),
        Files.readString(dir.resolve("tags/chexnet.data.test_images")));
    assertEquals("1", Files.readString(dir.resolve("tags/chexnet.data.skipped_images")));
    List<String> skipped =
        Files.readAllLines(run.artifactsDir().resolve(DataPreparation.SKIPPED_ARTIFACT));
    assertEquals(List.of("image\treason", truncated + "\ttruncated PNG (no end chunk)"), skipped);
    String splits = Files.readString(run.artifactsDir().resolve(DataPreparation.SPLITS_ARTIFACT));
    assertTrue(
        splits.contains(
            "| images | "
                + train
                + " | "
                + lists.get("validation").size()
                + " | "
                + lists.get("test").size()
                + " |"),
        splits);
    assertTrue(splits.contains("| Pleural_Thickening |"), splits);
    String printed = console.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("Split: lists (train data/tiny/lists/train.txt"), printed);
    assertTrue(printed.contains("Pleural_Thickening"), "prevalence printed: " + printed);
  }

  @Test
  void patientRandomSplitWithViewFilterAndSubsample() throws Exception {
    Path root = data();
    ChestXray14 dataset = ChestXray14.open(root);
    String random =
        "  split: patient_random\n  fractions: {train: 0.6, validation: 0.2, test: 0.2}\n";
    DataPreparation.Prepared all = prepare(spec(random));
    assertEquals(120, all.splits().imageIndexes().size());
    DataPreparation.Prepared ap =
        prepare(spec(random + "  view_positions: [AP]\n  subsample: 0.5\n"));
    List<String> kept = ap.splits().imageIndexes();
    assertTrue(
        kept.stream().allMatch(i -> dataset.entry(i).orElseThrow().viewPosition().equals("AP")));
    long apImages = dataset.entries().stream().filter(e -> e.viewPosition().equals("AP")).count();
    assertTrue(kept.size() > 0 && kept.size() < apImages, kept.size() + " of " + apImages);
    // Every split of the subsample comes from the same split of the full patient_random split.
    assertTrue(all.splits().train().containsAll(ap.splits().train()));
    assertTrue(all.splits().test().containsAll(ap.splits().test()));
    assertTrue(ap.summary().contains("views AP, subsample 0.5"), ap.summary());
  }

  @Test
  void badImageFailsByDefaultNamingTheFile() throws Exception {
    Path root = data();
    String name = ChestXray14.open(root).entries().get(0).imageIndex();
    Files.delete(root.resolve("images").resolve(name));
    ChexnetException e = assertThrows(ChexnetException.class, () -> prepare(spec("")));
    assertTrue(
        e.getMessage()
            .startsWith(
                "1 image(s) of the splits cannot be used: "
                    + root.resolve("images").resolve(name)
                    + ": image not found; "),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("set data.on_bad_image: skip to leave them out"));
  }

  @Test
  void changedFileAfterSnapshotRefusesToStartUnlessTold() throws Exception {
    Path root = data();
    String original = Manifest.snapshot(root).digest();
    String name = ChestXray14.open(root).entries().get(5).imageIndex();
    Path image = root.resolve("images").resolve(name);
    byte[] png = Files.readAllBytes(image);
    png[png.length / 2] ^= 1;
    Files.write(image, png);

    ChexnetException e =
        assertThrows(
            ChexnetException.class,
            () -> new ExperimentRunner(Reporter.silent(), work).run(spec("")));
    assertTrue(
        e.getMessage()
            .startsWith(
                "data.root: "
                    + root
                    + " no longer matches its manifest "
                    + root.resolve(Manifest.FILE_NAME)
                    + " ("
                    + original
                    + "): changed: images/"
                    + name
                    + "; 0 missing, 0 extra, 1 changed."),
        e.getMessage());
    assertTrue(e.getMessage().contains("data.on_data_mismatch: warn"), e.getMessage());
    assertFalse(Files.exists(work.resolve("mlruns")), "refused before any run was recorded");

    // Told to go on: the digest recorded is the data's as it is, not the manifest's.
    DataPreparation.Prepared prepared = prepare(spec("  on_data_mismatch: warn\n"));
    assertNotEquals(original, prepared.digest());
    Manifest.snapshot(root);
    assertEquals(Manifest.read(root).digest(), prepared.digest());
  }

  @Test
  void namedManifestMustExistAndIsUsedWhereverItLives() throws Exception {
    Path root = data();
    ChexnetException e =
        assertThrows(ChexnetException.class, () -> prepare(spec("  manifest: nowhere.json\n")));
    assertEquals(
        "data.manifest: "
            + work.resolve("nowhere.json")
            + " does not exist; write one with `chexnet data snapshot "
            + root
            + "`",
        e.getMessage());
    String digest = Manifest.snapshot(root).digest();
    Files.move(root.resolve(Manifest.FILE_NAME), work.resolve("tiny-manifest.json"));
    assertEquals(digest, prepare(spec("  manifest: tiny-manifest.json\n")).digest());
  }

  @Test
  void preparedCacheIsBuiltOnceAndCatchesWhatOnlyDecodingFinds() throws Exception {
    Path root = data();
    String name = ChestXray14.open(root).entries().get(7).imageIndex();
    Path image = root.resolve("images").resolve(name);
    byte[] png = Files.readAllBytes(image);
    // Whole on the outside (signature, header, end chunk), garbage inside.
    Arrays.fill(png, 40, png.length - 20, (byte) 0x55);
    Files.write(image, png);
    ChexnetException noManifest =
        assertThrows(ChexnetException.class, () -> prepare(spec("  prepared_cache: build\n")));
    assertTrue(
        noManifest.getMessage().startsWith("data.prepared_cache: build needs data that matches"),
        noManifest.getMessage());
    Manifest.snapshot(root);

    DataPreparation.Prepared built =
        prepare(spec("  prepared_cache: build\n  on_bad_image: skip\n"));
    assertTrue(built.summary().contains("Images: prepared cache "), built.summary());
    assertTrue(built.summary().contains("1 skipped"), built.summary());
    assertFalse(built.splits().imageIndexes().contains(name));
    try (var loader = built.loader(built.splits().train(), 8, true, true, false, 3)) {
      var batch = loader.epoch(0).next();
      assertEquals(8, batch.size());
      assertEquals(8 * 32 * 32 * 3, batch.images().length);
    }
    // auto finds the same cache; off decodes PNGs again.
    assertTrue(prepare(spec("  on_bad_image: skip\n")).summary().contains("prepared cache"));
    assertTrue(
        prepare(spec("  prepared_cache: none\n  on_bad_image: skip\n"))
            .summary()
            .contains("decoded from the image files"));
    ChexnetException fail = assertThrows(ChexnetException.class, () -> prepare(spec("")));
    assertTrue(fail.getMessage().contains(name), fail.getMessage());
    assertTrue(fail.getMessage().contains("skipped when the cache was prepared"));
  }
}
