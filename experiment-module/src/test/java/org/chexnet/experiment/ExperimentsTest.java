package org.chexnet.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.chexnet.dataset.Finding;
import org.chexnet.dataset.LabelPolicy;
import org.chexnet.dataset.SplitPlan;
import org.chexnet.evaluation.ClassAuroc;
import org.chexnet.evaluation.ReferenceResults;
import org.chexnet.evaluation.calibration.ModelCalibration;
import org.chexnet.evaluation.card.ClinicalEvaluation;
import org.chexnet.evaluation.card.ModelCard;
import org.chexnet.evaluation.subgroups.Subgroup;
import org.chexnet.evaluation.subgroups.SubgroupEvaluation;
import org.chexnet.experiment.evaluate.DatasetEvaluation;
import org.chexnet.experiment.evaluate.EvaluationRequest;
import org.chexnet.experiment.models.ModelResolver;
import org.chexnet.experiment.run.RunResult;
import org.chexnet.experiment.spec.SpecException;
import org.chexnet.experiment.spec.SpecLoader.LoadedSpec;
import org.chexnet.experiment.sweep.SweepResult;
import org.chexnet.tracking.LocalRunStore;
import org.chexnet.tracking.RunRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public entry point: what a Java program gets back, checked against what the run recorded. */
class ExperimentsTest {
  private static final String SPEC =
      TinySpecs.dataAndModel("api")
          + """
      train:
        epochs: 2
        horizontal_flip: false
        callbacks: [{type: model_checkpoint}, {type: csv_logger}, {type: mlflow_logger}]
      evaluate: {bootstrap: {replicates: 20}}
      """;

  @Test
  void aRunsTypedResultIsWhatItRecorded(@TempDir Path work) throws Exception {
    Files.writeString(work.resolve("spec.yaml"), SPEC);
    Experiments chexnet = Experiments.in(work);
    LoadedSpec spec = chexnet.load(Path.of("spec.yaml"), "train.batch_size=32");
    assertEquals(32, spec.spec().train().batchSize());
    RunResult run = chexnet.run(spec);

    RunRecord recorded = new LocalRunStore(work.resolve("mlruns")).readRun(run.id());
    assertEquals("FINISHED", recorded.status());
    assertEquals(run.name(), recorded.name());
    assertEquals("test", run.split());
    assertEquals(recorded.metrics().get("test_mean_auroc"), run.meanAuroc(), 1e-12);
    JsonNode metrics = new ObjectMapper().readTree(run.artifacts().metrics().toFile());
    assertEquals(metrics.get("mean_auroc").asDouble(), run.meanAuroc(), 1e-12);
    assertEquals(Finding.COUNT, run.perClass().size());
    for (ClassAuroc c : run.perClass()) {
      if (c.defined()) {
        assertEquals(metrics.get("auroc").get(c.className()).asDouble(), c.auroc(), 1e-12);
      }
    }
    JsonNode training =
        new ObjectMapper().readTree(run.artifactsDir().resolve("training-metrics.json").toFile());
    assertEquals(training.get("best_epoch").asInt(), run.bestEpoch().getAsInt());
    assertTrue(Files.isRegularFile(run.artifacts().savedModel().resolve("saved_model.pb")));
    assertTrue(Files.isRegularFile(run.artifacts().bestCheckpoint().resolve("variables.index")));
    assertTrue(Files.isRegularFile(run.artifacts().reportHtml()));

    // The calibration and subgroups, typed, as metrics.json has them.
    ClinicalEvaluation evaluation = run.evaluation();
    assertEquals(
        recorded.metrics().get("test_mean_ece"),
        evaluation.calibration().uncalibrated().meanEce(),
        1e-12);
    assertEquals(
        metrics.get("calibration").get("Effusion").get("calibrated").get("ece").asDouble(),
        evaluation.calibration().calibrated().orElseThrow().perClass().get(2).ece(),
        1e-12);
    SubgroupEvaluation runSubgroups = evaluation.subgroups().orElseThrow();
    assertEquals(
        metrics.get("subgroups").get("sex").get("F").get("images").asInt(),
        runSubgroups.attributes().get(0).subgroups().get(0).images());

    // Scoring the run's predictions file against the dataset's Data_Entry, with its validation
    // predictions and metadata, gives the run's AUROCs, subgroups and calibration.
    Path dataEntry = Path.of("data/tiny/Data_Entry_2017_v2020.csv");
    ClinicalEvaluation scored =
        chexnet.evaluate(
            EvaluationRequest.of(run.artifacts().predictions(), dataEntry)
                .withValidation(run.artifactsDir().resolve("validation-predictions.csv"), null)
                .withSubgroups(dataEntry, EvaluationRequest.DEFAULT_SUBGROUPS)
                .withBootstrap(20, 1)
                .withOut(Path.of("evaluated")));
    assertEquals(run.meanAuroc(), scored.detailed().result().meanAuroc(), 1e-12);
    assertTrue(Files.isRegularFile(work.resolve("evaluated/report.md")));
    SubgroupEvaluation scoredSubgroups = scored.subgroups().orElseThrow();
    for (int a = 0; a < 3; a++) {
      List<Subgroup> expected = runSubgroups.attributes().get(a).subgroups();
      List<Subgroup> actual = scoredSubgroups.attributes().get(a).subgroups();
      assertEquals(expected.size(), actual.size());
      for (int g = 0; g < expected.size(); g++) {
        assertEquals(expected.get(g).value(), actual.get(g).value());
        assertEquals(expected.get(g).images(), actual.get(g).images());
        // Rank statistics: the file's six decimals keep the order.
        assertEquals(expected.get(g).meanAuroc(), actual.get(g).meanAuroc(), 1e-12);
      }
    }
    // The file's six decimals move the probabilities by 5e-7 at most.
    assertEquals(
        evaluation.calibration().uncalibrated().meanBrier(),
        scored.calibration().uncalibrated().meanBrier(),
        1e-6);
    assertEquals(
        run.evaluation().calibration().calibration().orElseThrow().fittedOnImages(),
        scored.calibration().calibration().orElseThrow().fittedOnImages());
    assertTrue(Files.isRegularFile(work.resolve("evaluated/" + ModelCard.FILE_NAME)));
    assertTrue(Files.isRegularFile(work.resolve("evaluated/" + ModelCalibration.FILE_NAME)));

    // The run's model scored on its dataset's test split (split as the run split it): the run's
    // AUROCs, calibration fitted on the same validation split, the same subgroups.
    DatasetEvaluation.Result onDataset =
        chexnet.evaluate(
            new DatasetEvaluation.Request(
                run.directory().toString(),
                null,
                "chestxray14",
                Path.of("data/tiny"),
                "test",
                new SplitPlan.Official(0.1),
                3,
                new LabelPolicy(LabelPolicy.Uncertain.IGNORE, LabelPolicy.Missing.NEGATIVE),
                null,
                Path.of("on-dataset"),
                20,
                1,
                "youden",
                ReferenceResults.PAPER,
                "platt",
                EvaluationRequest.DEFAULT_SUBGROUPS,
                16,
                null),
            new ModelResolver(work.resolve("mlruns"), Optional.empty(), work.resolve("models")));
    ClinicalEvaluation external = onDataset.evaluation();
    assertEquals(run.meanAuroc(), external.detailed().result().meanAuroc(), 1e-6);
    assertEquals(
        evaluation.calibration().uncalibrated().meanBrier(),
        external.calibration().uncalibrated().meanBrier(),
        1e-6);
    assertEquals(
        evaluation.calibration().calibrated().orElseThrow().meanEce(),
        external.calibration().calibrated().orElseThrow().meanEce(),
        1e-4);
    assertEquals(
        evaluation.calibration().calibration().orElseThrow().fittedOnImages(),
        external.calibration().calibration().orElseThrow().fittedOnImages());
    SubgroupEvaluation externalSubgroups = external.subgroups().orElseThrow();
    for (int a = 0; a < 3; a++) {
      List<Subgroup> expected = runSubgroups.attributes().get(a).subgroups();
      List<Subgroup> actual = externalSubgroups.attributes().get(a).subgroups();
      assertEquals(
          expected.stream().map(g -> g.value() + " " + g.images()).toList(),
          actual.stream().map(g -> g.value() + " " + g.images()).toList());
    }
    assertTrue(Files.isRegularFile(work.resolve("on-dataset/" + ModelCard.FILE_NAME)));
    assertTrue(Files.isRegularFile(work.resolve("on-dataset/" + ModelCalibration.FILE_NAME)));
  }

  @Test
  void anInProcessSweepReturnsItsTrialsAndTheBestSpec(@TempDir Path work) throws Exception {
    Files.writeString(
        work.resolve("base.yaml"),
        SPEC.replace("epochs: 2", "epochs: 1").concat("tracking: {experiment: sweeps}\n"));
    Files.writeString(
        work.resolve("sweep.yaml"),
        """
        name: lr
        base: base.yaml
        objective: {metric: val_loss, mode: min}
        search: {type: grid, parameters: {train.optimizer.lr: [1.0e-3, 3.0e-3]}}
        """);
    SweepResult sweep = Experiments.in(work).sweep(Path.of("sweep.yaml"));
    assertTrue(sweep.complete());
    assertEquals(2, sweep.trials().size());
    LocalRunStore store = new LocalRunStore(work.resolve("mlruns"));
    assertEquals("FINISHED", store.readRun(sweep.parentRunId()).status());
    double lowest = Double.POSITIVE_INFINITY;
    for (SweepResult.TrialResult trial : sweep.trials()) {
      RunRecord child = store.readRun(trial.runId());
      assertEquals(sweep.parentRunId(), child.tags().get("mlflow.parentRunId"));
      assertEquals("FINISHED", trial.status());
      lowest = Math.min(lowest, trial.objective());
    }
    SweepResult.TrialResult best = sweep.best().orElseThrow();
    assertEquals(lowest, best.objective());
    assertEquals(
        Files.readString(
            store.runDirectory(store.readRun(best.runId())).resolve("artifacts/spec.yaml")),
        Files.readString(sweep.bestSpec().orElseThrow()));
  }

  @Test
  void aBadOverrideIsRefusedBeforeAnythingIsWritten(@TempDir Path work) throws Exception {
    Files.writeString(work.resolve("spec.yaml"), SPEC);
    Experiments chexnet = Experiments.in(work);
    SpecException e =
        assertThrows(
            SpecException.class, () -> chexnet.load(Path.of("spec.yaml"), "train.epochs=0"));
    assertEquals(
        "--set train.epochs=0: train.epochs must be a positive integer, got 0", e.getMessage());
    assertFalse(Files.exists(work.resolve("mlruns")));
    assertEquals(List.of("spec.yaml"), List.of(work.toFile().list()));
  }
}
