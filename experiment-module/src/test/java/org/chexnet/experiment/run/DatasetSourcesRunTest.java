package org.chexnet.experiment.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.chexnet.dataset.Datasets;
import org.chexnet.dataset.HarmonisedFindings;
import org.chexnet.dataset.ModelFindings;
import org.chexnet.experiment.Experiments;
import org.chexnet.experiment.sweep.SweepResult;
import org.chexnet.tracking.DatasetInput;
import org.chexnet.tracking.LocalRunStore;
import org.chexnet.tracking.RunRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs over datasets other than ChestX-ray14 through the public API: several datasets at once
 * ({@code data.sources}), the findings a source lacks masked for its images, and a sweep over a
 * CheXpert spec's label policy.
 */
class DatasetSourcesRunTest {
  private static final String MODEL_AND_TRAIN =
      """
      model: {architecture: custom, blocks: [1, 1, 1, 1], growth_rate: 4, weights: none}
      train:
        epochs: 1
        batch_size: 16
        horizontal_flip: false
        callbacks: [{type: model_checkpoint}, {type: mlflow_logger}]
      evaluate:
        bootstrap: {replicates: 50}
      """;

  @TempDir Path work;

  @Test
  void severalSourcesTrainOnTheirHarmonisedFindingsMaskingWhatASourceLacks() throws Exception {
    String spec =
        """
        name: nih-and-chexpert
        seed: 3
        data:
          sources:
            - {dataset: chestxray14, root: data/nih, synthetic: {images: 120, image_size: 32}}
            - {dataset: chexpert, root: data/chexpert, synthetic: {images: 120, image_size: 32}}
          image_size: 32
        """
            + MODEL_AND_TRAIN;
    Experiments chexnet = Experiments.in(work);
    RunResult run = chexnet.run(chexnet.parse(spec, "sources.yaml"));

    List<String> union =
        HarmonisedFindings.union(
            List.of("chestxray14", "chexpert"),
            List.of(
                Datasets.named("chestxray14").findings(), Datasets.named("chexpert").findings()));
    assertEquals(
        new ModelFindings(HarmonisedFindings.HARMONISED, union),
        ModelFindings.read(run.artifactsDir()).orElseThrow());
    JsonNode metrics =
        new ObjectMapper().readTree(run.artifactsDir().resolve("metrics.json").toFile());
    List<String> scored = new ArrayList<>();
    metrics.get("auroc").fieldNames().forEachRemaining(scored::add);
    assertEquals(union, scored);

    // Each test image comes from one source; a finding its dataset lacks is masked for it.
    List<String> images =
        Files.readAllLines(run.artifactsDir().resolve("predictions.csv")).stream()
            .skip(1)
            .map(line -> line.substring(0, line.indexOf(',')))
            .toList();
    long nih = images.stream().filter(i -> i.startsWith("chestxray14:")).count();
    long chexpert = images.stream().filter(i -> i.startsWith("chexpert:")).count();
    assertEquals(images.size(), nih + chexpert);
    assertTrue(nih > 0 && chexpert > 0, images.toString());
    // Infiltration: NIH's only (CheXpert has no such label). Fracture: CheXpert's only, and its
    // uncertain labels are masked too (U-Ignore), so at least NIH's images.
    assertEquals(chexpert, metrics.get("masked").get("Infiltration").asLong());
    assertTrue(metrics.get("masked").get("Fracture").asLong() >= nih, metrics.toString());
    assertTrue(
        Files.readString(run.artifactsDir().resolve("splits.md")).contains(" masked |"),
        "splits.md counts masked labels");

    LocalRunStore store = new LocalRunStore(work.resolve("mlruns"));
    RunRecord record = store.readRun(run.id());
    assertEquals("chestxray14+chexpert", record.tags().get("chexnet.data.dataset"));
    assertTrue(record.tags().containsKey("chexnet.data.chexpert.source"), record.tags().toString());
    List<DatasetInput> inputs = store.datasetInputs(record);
    assertEquals(6, inputs.size(), inputs.toString());
    assertEquals(
        Set.of("chestxray14", "chexpert"),
        new TreeSet<>(inputs.stream().map(DatasetInput::name).toList()));
  }

  @Test
  void aSweepOverACheXpertSpecsLabelPolicy() throws Exception {
    Files.writeString(
        work.resolve("base.yaml"),
        """
        name: chexpert-policy
        seed: 3
        data:
          root: data/chexpert
          dataset: chexpert
          synthetic: {images: 120, image_size: 32}
          image_size: 32
        """
            + MODEL_AND_TRAIN);
    Files.writeString(
        work.resolve("sweep.yaml"),
        """
        name: uncertain-policy
        base: base.yaml
        objective: {metric: val_loss, mode: min}
        search:
          type: grid
          parameters:
            data.uncertain: [zeros, ones]
        """);
    SweepResult sweep = Experiments.in(work).sweep(Path.of("sweep.yaml"));
    assertEquals(2, sweep.trials().size());
    LocalRunStore store = new LocalRunStore(work.resolve("mlruns"));
    Set<String> policies = new TreeSet<>();
    for (RunRecord run : store.listRuns(Optional.empty())) {
      if (run.params().containsKey("data.uncertain")) {
        assertEquals("FINISHED", run.status());
        assertEquals("chexpert", run.tags().get("chexnet.data.dataset"));
        policies.add(run.params().get("data.uncertain"));
      }
    }
    assertEquals(Set.of("ones", "zeros"), policies);
  }
}
