package org.chexnet.experiment.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.chexnet.experiment.spec.SpecException;
import org.chexnet.experiment.spec.SpecLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepSpecTest {
  @TempDir Path dir;

  private SweepSpec load(String text) throws Exception {
    Path file = dir.resolve("sweep.yaml");
    Files.writeString(file, text);
    return SweepSpec.load(file);
  }

  @Test
  void gridIsEveryCombinationInFileOrder() throws Exception {
    SweepSpec spec =
        load(
            """
            name: g
            base: base.yaml
            search:
              type: grid
              parameters:
                train.optimizer.lr: [1.0e-3, 1.0e-4]
                train.batch_size: [16, 32, 64]
            """);
    List<Trial> trials = SearchSpace.trials(spec.search());
    assertEquals(6, trials.size());
    assertEquals(
        Map.of("train.optimizer.lr", 1.0e-3, "train.batch_size", 16), trials.get(0).values());
    assertEquals(
        Map.of("train.optimizer.lr", 1.0e-3, "train.batch_size", 32), trials.get(1).values());
    assertEquals(
        Map.of("train.optimizer.lr", 1.0e-4, "train.batch_size", 64), trials.get(5).values());
    assertEquals(
        List.of("train.optimizer.lr=0.001", "train.batch_size=16"), trials.get(0).overrides());
    assertEquals("val_loss", spec.objective().metric());
    assertEquals(false, spec.objective().maximize());
  }

  @Test
  void randomSearchIsSeededAndStaysInItsRanges() throws Exception {
    String text =
        """
        name: r
        base: base.yaml
        objective: {metric: val_mean_auroc}
        search:
          type: random
          trials: 50
          seed: 7
          parameters:
            train.optimizer.lr: {distribution: log_uniform, min: 1.0e-6, max: 1.0e-2}
            train.optimizer.beta1: {distribution: uniform, min: 0.8, max: 0.95}
            train.batch_size: {distribution: choice, values: [8, 16]}
        """;
    List<Trial> a = SearchSpace.trials(load(text).search());
    List<Trial> b = SearchSpace.trials(load(text).search());
    assertEquals(a, b, "same seed, same trials");
    assertEquals(50, a.size());
    int belowOneE4 = 0;
    for (Trial t : a) {
      double lr = (Double) t.values().get("train.optimizer.lr");
      double beta1 = (Double) t.values().get("train.optimizer.beta1");
      assertTrue(lr >= 1e-6 && lr <= 1e-2, "lr " + lr);
      assertTrue(beta1 >= 0.8 && beta1 <= 0.95, "beta1 " + beta1);
      assertTrue(List.of(8, 16).contains(t.values().get("train.batch_size")));
      belowOneE4 += lr < 1e-4 ? 1 : 0;
    }
    // Log-uniform: half the draws fall in the lower two of four decades (uniform would give ~1%).
    assertTrue(belowOneE4 > 15 && belowOneE4 < 35, belowOneE4 + " of 50 below 1e-4");
    assertTrue(load(text).objective().maximize(), "auto mode maximises an AUROC");
  }

  @Test
  void overridesReadBackAsTheSameNumbersEvenWhenTinyOrHuge() {
    Trial trial =
        new Trial(0, Map.of("train.optimizer.lr", 1.0e-10, "train.optimizer.epsilon", 1.0e10));
    for (String override : trial.overrides()) {
      String value = override.substring(override.indexOf('=') + 1);
      assertTrue(value.matches("[0-9.]+"), override);
    }
    var spec =
        SpecLoader.load(
                "name: x\ndata: {root: d}\nmodel: {weights: none}\n", "x.yaml", trial.overrides())
            .spec();
    assertEquals(1.0e-10, spec.train().optimizer().lr());
    assertEquals(1.0e10, spec.train().optimizer().epsilon());
  }

  @Test
  void badSweepFilesNameTheirPlace() throws Exception {
    SpecException unknown =
        assertThrows(
            SpecException.class,
            () ->
                load(
                    """
                    name: g
                    base: base.yaml
                    serach: {}
                    """));
    assertTrue(
        unknown
            .getMessage()
            .startsWith(dir.resolve("sweep.yaml") + ":3:1: serach is not a known key"),
        unknown.getMessage());
    SpecException distribution =
        assertThrows(
            SpecException.class,
            () ->
                load(
                    """
                    name: r
                    base: base.yaml
                    search:
                      type: random
                      trials: 3
                      parameters:
                        train.optimizer.lr: {distribution: normal, min: 0, max: 1}
                    """));
    assertTrue(
        distribution.getMessage().contains(":7:5: search.parameters"), distribution.getMessage());
    assertTrue(
        distribution
            .getMessage()
            .contains("distribution must be one of uniform, log_uniform, choice"),
        distribution.getMessage());
    SpecException grid =
        assertThrows(
            SpecException.class,
            () ->
                load(
                    """
                    name: g
                    base: base.yaml
                    search: {type: grid, parameters: {train.batch_size: 16}}
                    """));
    assertTrue(
        grid.getMessage().contains("train.batch_size must list the grid's values"),
        grid.getMessage());
  }

  @Test
  void everyTrialIsCheckedLikeSetBeforeAnythingRuns() throws Exception {
    Files.writeString(
        dir.resolve("base.yaml"), "name: b\ndata: {root: d}\nmodel: {weights: none}\n");
    Files.writeString(
        dir.resolve("sweep.yaml"),
        """
        name: g
        base: base.yaml
        search:
          type: grid
          parameters:
            train.batch_size: [16, -1]
        """);
    SpecException e =
        assertThrows(SpecException.class, () -> Sweep.plan(dir.resolve("sweep.yaml"), dir));
    assertTrue(e.getMessage().contains("trial 1 {train.batch_size=-1}"), e.getMessage());
    assertTrue(
        e.getMessage().contains("train.batch_size must be a positive integer"), e.getMessage());
    assertTrue(Files.notExists(dir.resolve("mlruns")), "nothing written");
  }

  @Test
  void medianRuleStopsOnlyTrialsBelowTheMedianAfterTheirMinimumEpochs() {
    MedianStoppingRule rule = new MedianStoppingRule(2, 2, false);
    List<List<Double>> others = List.of(List.of(0.5, 0.4, 0.3), List.of(0.6, 0.5, 0.45));
    assertEquals(Optional.empty(), rule.decide(List.of(0.9), others), "before min_epochs");
    // After 2 epochs the others' bests are 0.4 and 0.5: median 0.45.
    assertTrue(rule.decide(List.of(0.9, 0.46), others).isPresent());
    assertEquals(Optional.empty(), rule.decide(List.of(0.9, 0.44), others));
    assertEquals(
        Optional.empty(),
        rule.decide(List.of(0.9, 0.8, 0.7), List.of(List.of(0.1, 0.1, 0.1))),
        "too few other trials reached this epoch");
    MedianStoppingRule max = new MedianStoppingRule(1, 1, true);
    assertTrue(max.decide(List.of(0.6), List.of(List.of(0.7))).get().contains("median 0.7"));
  }
}
