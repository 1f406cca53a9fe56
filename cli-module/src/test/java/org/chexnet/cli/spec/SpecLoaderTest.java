package org.chexnet.cli.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
            + "(expected one of: epochs, batch_size, loss, optimizer, horizontal_flip, backup_every_n_batches, callbacks)",
        error(MINIMAL + "train:\n  batchsize: 16\n"));
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
  }

  @Test
  void missingRequiredKeysAndConflicts() {
    assertEquals(
        "experiments/x.yaml:1:1: data.root is required (a non-empty string)", error("name: x\n"));
    assertEquals(
        "experiments/x.yaml:5:3: model.blocks is required when architecture is custom "
            + "(a list of positive integers, e.g. [2, 2, 2, 2])",
        error(MINIMAL + "model:\n  architecture: custom\n"));
    assertEquals(
        "experiments/x.yaml:5:15: model.blocks[1] must be a positive integer, got 0",
        error(MINIMAL + "model:\n  blocks: [2, 0]\n  architecture: custom\n  growth_rate: 4\n"));
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
                + "train:\n  callbacks:\n    - type: custom\n      class_name: org.chexnet.cli.EpochFileListener\n"
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
