package org.chexnet.experiment.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluateSpecTest {
  private static final String MINIMAL = "name: x\ndata:\n  root: data/x\n";

  private static EvaluateSpec evaluate(String section, String... overrides) {
    return SpecLoader.load(MINIMAL + section, "x.yaml", List.of(overrides)).spec().evaluate();
  }

  private static String error(String section, String... overrides) {
    return assertThrows(SpecException.class, () -> evaluate(section, overrides)).getMessage();
  }

  @Test
  void defaultsAreAThousandReplicatesWithTheExperimentSeedAndYouden() {
    EvaluateSpec e = evaluate("");
    assertEquals(1000, e.bootstrap().replicates());
    assertNull(e.bootstrap().seed());
    assertEquals(new EvaluateSpec.ThresholdSpec.Youden(), e.threshold());
    String resolved = SpecLoader.load(MINIMAL, "x.yaml", List.of()).resolvedYaml();
    assertTrue(resolved.contains("replicates: 1000"), resolved);
    assertTrue(resolved.contains("type: youden"), resolved);
  }

  @Test
  void sensitivityTargetAndBootstrapAreRead() {
    EvaluateSpec e =
        evaluate(
            "evaluate:\n  bootstrap: {replicates: 200, seed: 9}\n"
                + "  threshold: {type: sensitivity, target: 0.95}\n");
    assertEquals(200, e.bootstrap().replicates());
    assertEquals(9L, e.bootstrap().seed());
    assertEquals(new EvaluateSpec.ThresholdSpec.Sensitivity(0.95), e.threshold());
    assertEquals(
        new EvaluateSpec.ThresholdSpec.Sensitivity(0.9),
        evaluate("", "evaluate.threshold.type=sensitivity").threshold());
  }

  @Test
  void badValuesNameTheKeyAndTheExpectedForm() {
    assertTrue(
        error("evaluate:\n  bootstrap: {replicates: 0}\n")
            .contains("evaluate.bootstrap.replicates must be"),
        error("evaluate:\n  bootstrap: {replicates: 0}\n"));
    String target = error("evaluate:\n  threshold: {type: sensitivity, target: 1.5}\n");
    assertTrue(target.startsWith("x.yaml:5:42: "), target);
    assertTrue(target.contains("evaluate.threshold.target must be"), target);
    String rule = error("evaluate:\n  threshold: {type: f1}\n");
    assertTrue(rule.contains("evaluate.threshold.type must be one of youden, sensitivity"), rule);
    String stray = error("evaluate:\n  threshold: {type: youden, target: 0.9}\n");
    assertTrue(stray.contains("target"), stray);
  }
}
