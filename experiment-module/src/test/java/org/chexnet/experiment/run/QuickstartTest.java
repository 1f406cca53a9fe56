package org.chexnet.experiment.run;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.chexnet.common.Reporter;
import org.chexnet.experiment.spec.SpecLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main job, exactly as shipped: the quickstart must learn its synthetic data (a
 * working loop reaches a test mean AUROC of 0.80; a broken one stays near 0.5), and leave the
 * calibration and subgroup sections, reliability.png, calibration.json and its model card.
 */
class QuickstartTest {
  @Test
  void quickstartReachesTheAurocBar(@TempDir Path work) throws Exception {
    SpecLoader.LoadedSpec loaded =
        SpecLoader.load(Path.of("..", "experiments", "quickstart.yaml"), List.of());
    RunResult run = new ExperimentRunner(Reporter.silent(), work).run(loaded);
    String line = Files.readAllLines(run.directory().resolve("metrics/test_mean_auroc")).get(0);
    double meanAuroc = Double.parseDouble(line.split(" ")[1]);
    assertTrue(meanAuroc >= 0.80, "quickstart test mean AUROC " + meanAuroc + " < 0.80");
    RunReportTest.assertClinicalSections(run);
  }
}
