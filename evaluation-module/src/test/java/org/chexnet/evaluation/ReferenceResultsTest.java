package org.chexnet.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class ReferenceResultsTest {

  private final ReferenceResults reference = ReferenceResults.load();

  @Test
  void sourcesAreTheColumnsAfterClass() {
    assertEquals(
        List.of(
            "chexnet_paper_2017",
            "arnoweng_chexnet",
            "jrzech_reproduce_chexnet",
            "zoogzog_chexnet"),
        reference.sources());
    assertEquals(ReferenceResults.PAPER, reference.sources().get(0));
  }

  @Test
  void paperMeanOverFourteenClasses() {
    assertEquals(0.8414, Math.round(reference.mean(ReferenceResults.PAPER) * 1e4) / 1e4, 1e-12);
  }

  @Test
  void perClassValues() {
    assertEquals(OptionalDouble.of(0.9164), reference.auroc(ReferenceResults.PAPER, "Hernia"));
    assertEquals(OptionalDouble.of(0.8294), reference.auroc("arnoweng_chexnet", "Atelectasis"));
    assertEquals(
        OptionalDouble.of(0.7948), reference.auroc("zoogzog_chexnet", "Pleural_Thickening"));
  }

  @Test
  void unknownClassIsEmptyAndUnknownSourceIsAnError() {
    assertTrue(reference.auroc(ReferenceResults.PAPER, "No Finding").isEmpty());
    assertThrows(IllegalArgumentException.class, () -> reference.auroc("nobody", "Hernia"));
    assertThrows(IllegalArgumentException.class, () -> reference.mean("nobody"));
  }
}
