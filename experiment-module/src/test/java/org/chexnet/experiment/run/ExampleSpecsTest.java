package org.chexnet.experiment.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.chexnet.common.Reporter;
import org.chexnet.dataset.Datasets;
import org.chexnet.dataset.ModelFindings;
import org.chexnet.experiment.spec.SpecLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The specs in experiments/ as shipped: every one loads, and the synthetic dataset examples train
 * (shrunk to a tiny network and dataset here; as shipped they are the quickstart's size).
 */
class ExampleSpecsTest {
  private static final Path EXPERIMENTS = Path.of("..", "experiments");

  @Test
  void everyExperimentSpecLoads() throws Exception {
    try (Stream<Path> files = Files.list(EXPERIMENTS)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        if (!Files.readString(file).contains("\nbase: ")) { // sweeps name a base spec
          assertNotNull(SpecLoader.load(file, List.of()).spec().data().findings(), file.toString());
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"chexpert", "mimic_cxr_jpg", "padchest"})
  void aDatasetExampleTrainsOnItsSyntheticData(String dataset, @TempDir Path work)
      throws Exception {
    SpecLoader.LoadedSpec loaded =
        SpecLoader.load(
            EXPERIMENTS.resolve(dataset + ".yaml"),
            List.of(
                "data.synthetic.images=120",
                "data.synthetic.image_size=32",
                "data.image_size=32",
                "model.blocks=[1, 1, 1, 1]",
                "model.growth_rate=4",
                "train.epochs=1",
                "train.callbacks=[{type: model_checkpoint}]"));
    RunResult run = new ExperimentRunner(Reporter.silent(), work).run(loaded);
    assertEquals(
        new ModelFindings(dataset, Datasets.named(dataset).findings()),
        ModelFindings.read(run.artifactsDir()).orElseThrow());
    assertEquals(Datasets.named(dataset).findings().size(), run.perClass().size());
  }
}
