package org.chexnet.experiment.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.chexnet.model.Precision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecLoaderTest {
  private static final String MINIMAL =
      """
      name: x
      data:
        root: data/x
      """;

  private static SpecLoader.LoadedSpec load(String text, String... overrides) {
    return SpecLoader.load(text, "experiments/x.yaml", List.of(overrides));
  }

  private static String error(String text, String... overrides) {
    return assertThrows(SpecException.class, () -> load(text, overrides)).getMessage();
  }

  @Test
  void defaultsAreTheSeedsSettings() {
    ExperimentSpec spec = load(MINIMAL).spec();
    assertEquals(ModelSpec.Architecture.DENSENET121, spec.model().architecture());
    assertEquals(ModelSpec.Weights.IMAGENET, spec.model().weights());
    assertEquals(TrainSpec.OptimizerSpec.Name.ADAM, spec.train().optimizer().name());
    assertEquals(1e-3, spec.train().optimizer().lr());
    assertEquals(0.9, spec.train().optimizer().beta1());
    assertEquals(0.999, spec.train().optimizer().beta2());
    assertEquals(16, spec.train().batchSize());
    assertEquals(TrainSpec.Loss.BINARY_CROSSENTROPY, spec.train().loss());
    assertEquals(10, spec.train().epochs());
    assertEquals(224, spec.data().imageSize());
    // The seed's four callbacks, with tracking always on beside them.
    assertEquals(
        List.of(
            "progress", "model_checkpoint", "reduce_lr_on_plateau", "csv_logger", "mlflow_logger"),
        spec.train().callbacks().stream()
            .map(c -> c.getClass().getAnnotation(SpecName.class).value())
            .toList());
    CallbackSpec.ReduceLrOnPlateau plateau =
        (CallbackSpec.ReduceLrOnPlateau) spec.train().callbacks().get(2);
    assertEquals(
        new CallbackSpec.ReduceLrOnPlateau("val_loss", CallbackSpec.Mode.AUTO, 0.1, 10, 1e-4, 0, 0),
        plateau);
  }

  @Test
  void datasetKeysDefaultToChestXray14AndAreCheckedWithTheirLocation() {
    DataSpec nih = load(MINIMAL).spec().data();
    assertEquals("chestxray14", nih.dataset());
    assertEquals(org.chexnet.dataset.LabelPolicy.DEFAULT, nih.labelPolicy());
    assertEquals(14, nih.findings().findings().size());
    assertTrue(load(MINIMAL).resolvedYaml().contains("dataset: chestxray14"));

    DataSpec chexpert =
        load(MINIMAL + "  dataset: chexpert\n  uncertain: ones\n  missing: ignore\n").spec().data();
    assertEquals("chexpert", chexpert.findings().dataset());
    assertEquals("No Finding", chexpert.findings().findings().get(0));
    assertEquals(
        new org.chexnet.dataset.LabelPolicy(
            org.chexnet.dataset.LabelPolicy.Uncertain.ONES,
            org.chexnet.dataset.LabelPolicy.Missing.IGNORE),
        chexpert.labelPolicy());

    assertEquals(
        "experiments/x.yaml:4:12: data.dataset must be one of chestxray14, chexpert, mimic_cxr_jpg,"
            + " padchest, got \"CheXpert\"",
        error(MINIMAL + "  dataset: CheXpert\n"));
    assertEquals(
        "experiments/x.yaml:4:14: data.uncertain must be one of ignore, zeros, ones, got \"u-ones\"",
        error(MINIMAL + "  uncertain: u-ones\n"));
    assertEquals(
        "experiments/x.yaml:4:12: data.missing must be one of negative, ignore, got \"zeros\"",
        error(MINIMAL + "  missing: zeros\n"));
    assertTrue(
        error(MINIMAL + "  dataset: padchest\n  split: lists\n")
            .startsWith("experiments/x.yaml:5:10: data.split lists name ChestX-ray14 image files"));
  }

  @Test
  void severalSourcesTrainOnTheirHarmonisedFindings() {
    String sources =
        """
        name: x
        data:
          sources:
            - {dataset: chestxray14, root: data/nih}
            - dataset: chexpert
              root: data/chexpert
              synthetic: {images: 100, image_size: 32}
        """;
    DataSpec data = load(sources).spec().data();
    assertEquals(null, data.dataset());
    assertEquals("harmonised", data.findings().dataset());
    assertTrue(
        data.findings().findings().containsAll(List.of("Effusion", "Infiltration", "Fracture")));
    assertEquals(
        org.chexnet.dataset.HarmonisedFindings.union(
            List.of("chestxray14", "chexpert"),
            List.of(
                org.chexnet.dataset.Datasets.named("chestxray14").findings(),
                org.chexnet.dataset.Datasets.named("chexpert").findings())),
        data.findings().findings());
    // The resolved spec loads again, as a resumed run reads it.
    assertEquals(data, load(load(sources).resolvedYaml()).spec().data());

    assertEquals(
        "experiments/x.yaml:3:9: data.root belongs to each source when data.sources lists the"
            + " datasets",
        error(sources.replace("data:\n", "data:\n  root: data/nih\n")));
    assertEquals(
        "experiments/x.yaml:4:5: data.sources lists chexpert twice",
        error(sources.replace("chestxray14", "chexpert")));
    assertEquals(
        "experiments/x.yaml:4:17: data.sources[0].dataset must be one of chestxray14, chexpert,"
            + " mimic_cxr_jpg, padchest, got \"nih\"",
        error(sources.replace("chestxray14", "nih")));
  }

  @Test
  void wrongTypeNamesFileLineColumnAndExpectedForm() {
    String text =
        """
        name: x
        data:
          root: data/x
        train:
          batch_size: sixteen
        """;
    assertEquals(
        "experiments/x.yaml:5:15: train.batch_size must be a positive integer, got \"sixteen\"",
        error(text));
  }

  @Test
  void outOfRangeValues() {
    assertEquals(
        "experiments/x.yaml:4:24: data.validation_fraction must be a number in (0, 1), got 1.5",
        error(MINIMAL.replace("root: data/x", "root: data/x\n  validation_fraction: 1.5")));
    assertEquals(
        "experiments/x.yaml:5:15: train.batch_size must be a positive integer, got 0",
        error(MINIMAL + "train:\n  batch_size: 0\n"));
    assertEquals(
        "experiments/x.yaml:6:9: train.optimizer.lr must be a positive number, got -0.1",
        error(MINIMAL + "train:\n  optimizer:\n    lr: -0.1\n"));
    assertEquals(
        "experiments/x.yaml:5:11: train.epochs must be a positive integer, got 2.5",
        error(MINIMAL + "train:\n  epochs: 2.5\n"));
  }

  @Test
  void unknownKeySuggestsTheNearOne() {
    assertEquals(
        "experiments/x.yaml:5:3: train.batchsize is not a known key (did you mean batch_size?) "
            + "(expected one of: epochs, batch_size, loss, optimizer, horizontal_flip, precision, memory_efficient, backup_every_n_batches, callbacks)",
        error(MINIMAL + "train:\n  batchsize: 16\n"));
  }

  @Test
  void aBadKeyInAFileGivesItsFileLineColumnAndKeyToPrograms(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("spec.yaml");
    Files.writeString(file, MINIMAL + "train:\n  optimizer:\n    lr: 1e-4\n    betta1: 0.9\n");
    SpecException e = assertThrows(SpecException.class, () -> SpecLoader.load(file, List.of()));
    assertEquals(file.toString(), e.file());
    assertEquals(7, e.line());
    assertEquals(5, e.column());
    assertEquals("train.optimizer.betta1", e.key());
    assertTrue(e.getMessage().startsWith(file + ":7:5: train.optimizer.betta1 is not a known key"));

    Files.writeString(file, MINIMAL);
    SpecException set =
        assertThrows(SpecException.class, () -> SpecLoader.load(file, List.of("train.epochs=0")));
    assertEquals(null, set.file(), "a --set is no file");
    assertEquals("train.epochs", set.key());
    assertEquals(-1, set.line());
  }

  @Test
  void enumsListTheirValues() {
    assertEquals(
        "experiments/x.yaml:5:17: model.architecture must be one of densenet121, densenet169, densenet201, "
            + "custom, got \"resnet50\"",
        error(MINIMAL + "model:\n  architecture: resnet50\n"));
    assertEquals(
        "experiments/x.yaml:6:13: train.callbacks[0].type must be one of progress, model_checkpoint, "
            + "reduce_lr_on_plateau, csv_logger, early_stopping, mlflow_logger, custom, got \"dagshub\"",
        error(MINIMAL + "train:\n  callbacks:\n    - type: dagshub\n"));
    assertEquals(
        "experiments/x.yaml:5:14: train.precision must be one of float32, mixed_bfloat16, got \"bf16\"",
        error(MINIMAL + "train:\n  precision: bf16\n"));
    assertEquals(
        Precision.MIXED_BFLOAT16,
        load(MINIMAL + "train:\n  precision: mixed_bfloat16\n").spec().train().precision());
    assertEquals(Precision.FLOAT32, load(MINIMAL).spec().train().precision());
  }

  @Test
  void missingRequiredKeysAndConflicts() {
    assertEquals(
        "experiments/x.yaml:1:1: data.root is required: the dataset directory (or list several"
            + " datasets under data.sources)",
        error("name: x\n"));
    assertEquals(
        "experiments/x.yaml:5:3: model.blocks is required when architecture is custom "
            + "(a list of positive integers, e.g. [2, 2, 2, 2])",
        error(MINIMAL + "model:\n  architecture: custom\n"));
    assertEquals(
        "experiments/x.yaml:5:15: model.blocks[1] must be a positive integer, got 0",
        error(MINIMAL + "model:\n  blocks: [2, 0]\n  architecture: custom\n  growth_rate: 4\n"));
  }

  @Test
  void splitKindsTakeTheirOwnKeys() {
    ExperimentSpec lists =
        load(MINIMAL
                + "  split: lists\n  lists: {train: a.txt, validation: b.txt, test: c.txt, labels: list}\n"
                + "  view_positions: [PA]\n  subsample: 0.25\n  on_bad_image: skip\n")
            .spec();
    assertEquals(DataSpec.Split.LISTS, lists.data().split());
    assertEquals(
        new DataSpec.ListsSpec("a.txt", "b.txt", "c.txt", DataSpec.ListsSpec.LabelSource.LIST),
        lists.data().lists());
    assertEquals(List.of("PA"), lists.data().viewPositions());
    assertEquals(0.25, lists.data().subsample());
    assertEquals(DataSpec.OnBadImage.SKIP, lists.data().onBadImage());
    ExperimentSpec random =
        load(MINIMAL
                + "  split: patient_random\n  fractions: {train: 0.7, validation: 0.1, test: 0.2}\n")
            .spec();
    assertEquals(new DataSpec.FractionsSpec(0.7, 0.1, 0.2), random.data().fractions());
    // Defaults: every image, fail on a bad one, the prepared cache when there is one, the
    // root's manifest when there is one, refuse a mismatch.
    DataSpec defaults = load(MINIMAL).spec().data();
    assertEquals(DataSpec.Split.OFFICIAL, defaults.split());
    assertEquals(1.0, defaults.subsample());
    assertEquals(DataSpec.OnBadImage.FAIL, defaults.onBadImage());
    assertEquals(DataSpec.PreparedCacheUse.AUTO, defaults.preparedCache());
    assertEquals(null, defaults.manifest());
    assertEquals(DataSpec.OnDataMismatch.FAIL, defaults.onDataMismatch());
  }

  @Test
  void newDataKeysAreCheckedWithTheirLocation() {
    assertEquals(
        "experiments/x.yaml:3:3: data.lists is required when split is lists "
            + "(e.g. {train: FILE, validation: FILE, test: FILE})",
        error(MINIMAL + "  split: lists\n"));
    assertEquals(
        "experiments/x.yaml:4:10: data.lists is only used when split is lists, but split is official",
        error(MINIMAL + "  lists: {train: a, validation: b, test: c}\n"));
    assertEquals(
        "experiments/x.yaml:4:19: data.lists.labels must be one of data_entry, list, got \"nih\"",
        error(
            MINIMAL
                + "  lists: {labels: nih, train: a, validation: b, test: c}\n  split: lists\n"));
    assertEquals(
        "experiments/x.yaml:3:3: data.fractions is required when split is patient_random "
            + "(e.g. {train: 0.7, validation: 0.1, test: 0.2})",
        error(MINIMAL + "  split: patient_random\n"));
    assertEquals(
        "experiments/x.yaml:8:11: data.fractions.test must make train + validation + test sum to 1, "
            + "got 0.7 + 0.1 + 0.3 = 1.1",
        error(
            MINIMAL
                + "  split: patient_random\n  fractions:\n    train: 0.7\n    validation: 0.1\n"
                + "    test: 0.3\n"));
    assertEquals(
        "experiments/x.yaml:4:10: data.split must be one of official, lists, patient_random, "
            + "got \"patient-random\"",
        error(MINIMAL + "  split: patient-random\n"));
    assertEquals(
        "experiments/x.yaml:4:19: data.view_positions must list distinct view positions from PA, AP, "
            + "LATERAL, OTHER, UNKNOWN, got [PA, LL]",
        error(MINIMAL + "  view_positions: [PA, LL]\n"));
    assertEquals(
        "experiments/x.yaml:4:14: data.subsample must be a number in (0, 1], got 0",
        error(MINIMAL + "  subsample: 0\n"));
    assertEquals(
        "experiments/x.yaml:4:17: data.on_bad_image must be one of fail, skip, got \"ignore\"",
        error(MINIMAL + "  on_bad_image: ignore\n"));
    assertEquals(
        "experiments/x.yaml:4:21: data.on_data_mismatch must be one of fail, warn, got true",
        error(MINIMAL + "  on_data_mismatch: true\n"));
    assertEquals(
        "experiments/x.yaml:4:19: data.prepared_cache must be one of auto, build, none, got \"yes\"",
        error(MINIMAL + "  prepared_cache: \"yes\"\n"));
  }

  @Test
  void customCallbacksMustNameAListenerOnTheClasspath() {
    assertEquals(
        "experiments/x.yaml:7:19: train.callbacks[0].class_name names a class com.example.Missing"
            + " is not on the classpath (add its jar to CHEXNET_CLASSPATH)",
        error(
            MINIMAL
                + "train:\n  callbacks:\n    - type: custom\n      class_name: com.example.Missing\n"));
    assertEquals(
        "experiments/x.yaml:7:19: train.callbacks[0].class_name names a class java.lang.String does"
            + " not implement org.chexnet.training.TrainingListener",
        error(
            MINIMAL
                + "train:\n  callbacks:\n    - type: custom\n      class_name: java.lang.String\n"));
    assertEquals(
        "experiments/x.yaml:8:15: train.callbacks[0].params must be a mapping, got a list",
        error(
            MINIMAL
                + "train:\n  callbacks:\n    - type: custom\n      class_name: org.chexnet.experiment.run.EpochFileListener\n"
                + "      params: [1]\n"));
  }

  @Test
  void malformedYamlAndDuplicates() {
    assertTrue(error("name: x\ndata: [unclosed\n").startsWith("experiments/x.yaml:"), "located");
    assertEquals(
        "experiments/x.yaml:2:1: name is given twice",
        error("name: x\nname: y\ndata: {root: d}\n"));
    assertEquals(
        "experiments/x.yaml:1:1: an experiment spec must be a mapping (name, seed, data, model, train, "
            + "evaluate, tracking)",
        error("- a\n- b\n"));
  }

  @Test
  void overridesAreCheckedLikeTheFile() {
    SpecLoader.LoadedSpec loaded =
        load(
            MINIMAL,
            "train.optimizer.lr=1e-4",
            "train.callbacks.2.patience=1",
            "model.weights=none");
    assertEquals(1e-4, loaded.spec().train().optimizer().lr());
    assertEquals(
        1, ((CallbackSpec.ReduceLrOnPlateau) loaded.spec().train().callbacks().get(2)).patience());
    assertEquals(ModelSpec.Weights.NONE, loaded.spec().model().weights());
    assertEquals(
        "--set train.batch_size=sixteen: train.batch_size must be a positive integer, got \"sixteen\"",
        error(MINIMAL, "train.batch_size=sixteen"));
    assertTrue(
        error(MINIMAL, "train.nope=1")
            .startsWith("--set train.nope=1: train.nope is not a known key"));
    assertEquals(
        "--set lr: expected key=value, e.g. train.optimizer.lr=1e-4", error(MINIMAL, "lr"));
    assertEquals(
        "--set train.callbacks.9.patience=1: train.callbacks.9.patience cannot be set: train.callbacks is "
            + "a list of 5 (use an index from 0)",
        error(MINIMAL, "train.callbacks.9.patience=1"));
  }

  @Test
  void resolvedSpecIsStableAndRecordable() {
    SpecLoader.LoadedSpec loaded = load(MINIMAL, "seed=7");
    SpecLoader.LoadedSpec reloaded = load(loaded.resolvedYaml());
    assertEquals(loaded.spec(), reloaded.spec());
    assertEquals(loaded.digest(), reloaded.digest());
    assertTrue(loaded.digest().matches("sha256:[0-9a-f]{64}"));
    assertTrue(
        !loaded.digest().equals(load(MINIMAL).digest()), "another seed is another experiment");
    Map<String, String> params = loaded.flatten();
    assertEquals("0.001", params.get("train.optimizer.lr"));
    assertEquals("7", params.get("seed"));
    assertEquals("reduce_lr_on_plateau", params.get("train.callbacks.2.type"));
    assertEquals("null", params.get("model.blocks"));
  }

  @Test
  void shippedSpecsAreValid() throws Exception {
    for (String name : List.of("quickstart", "chexnet-paper")) {
      SpecLoader.LoadedSpec loaded =
          SpecLoader.load(Path.of("..", "experiments", name + ".yaml"), List.of());
      assertEquals(name, loaded.spec().name());
    }
    ExperimentSpec paper =
        SpecLoader.load(Path.of("..", "experiments", "chexnet-paper.yaml"), List.of()).spec();
    assertEquals(ModelSpec.Architecture.DENSENET121, paper.model().architecture());
    assertEquals(224, paper.data().imageSize());
    assertEquals(16, paper.train().batchSize());
  }
}
