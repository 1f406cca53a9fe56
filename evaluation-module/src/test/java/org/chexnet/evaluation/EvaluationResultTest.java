package org.chexnet.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluationResultTest {

  /** Three classes over four images; Hernia has no positive image. */
  static EvaluationResult sample() {
    List<String> classes = List.of("Atelectasis", "Effusion", "Hernia");
    float[] probabilities = {
      0.1f, 0.9f, 0.2f,
      0.4f, 0.8f, 0.1f,
      0.35f, 0.3f, 0.3f,
      0.8f, 0.2f, 0.4f,
    };
    float[] labels = {
      0, 1, 0,
      0, 1, 0,
      1, 0, 0,
      1, 1, 0,
    };
    return EvaluationResult.of(classes, probabilities, labels, 4);
  }

  @Test
  void perClassAurocAndCounts() {
    EvaluationResult result = sample();
    assertEquals(4, result.images());
    ClassAuroc atelectasis = result.perClass().get(0);
    assertEquals("Atelectasis", atelectasis.className());
    assertEquals(0.75, atelectasis.auroc(), 1e-12);
    assertEquals(2, atelectasis.positives());
    assertEquals(2, atelectasis.negatives());
    assertTrue(atelectasis.defined());
    assertNull(atelectasis.undefinedReason());

    ClassAuroc effusion = result.perClass().get(1);
    // Positives 0.9, 0.8, 0.2 against the single negative 0.3: 2 of 3 pairs.
    assertEquals(2.0 / 3.0, effusion.auroc(), 1e-12);
    assertEquals(3, effusion.positives());
    assertEquals(1, effusion.negatives());
  }

  @Test
  void classWithoutPositivesIsUndefinedWithReason() {
    ClassAuroc hernia = sample().perClass().get(2);
    assertFalse(hernia.defined());
    assertTrue(Double.isNaN(hernia.auroc()));
    assertEquals("no positive images in this split", hernia.undefinedReason());
    assertEquals(0, hernia.positives());
    assertEquals(4, hernia.negatives());
    assertEquals(List.of(hernia), sample().undefinedClasses());
  }

  @Test
  void meanExcludesUndefinedClass() {
    // (0.75 + 2/3) / 2, not divided by 3 and not with 0.5 for Hernia.
    assertEquals((0.75 + 2.0 / 3.0) / 2, sample().meanAuroc(), 1e-12);
  }

  @Test
  void classWithoutNegativesIsUndefined() {
    EvaluationResult result =
        EvaluationResult.of(List.of("Edema"), new float[] {0.2f, 0.7f}, new float[] {1, 1}, 2);
    assertEquals("no negative images in this split", result.perClass().get(0).undefinedReason());
    assertTrue(Double.isNaN(result.meanAuroc()), "no defined class leaves the mean undefined");
  }

  @Test
  void rejectsArraysOfTheWrongSize() {
    assertThrows(
        IllegalArgumentException.class,
        () -> EvaluationResult.of(List.of("A", "B"), new float[6], new float[4], 3));
  }

  @Test
  void classAurocRejectsContradictoryState() {
    assertThrows(IllegalArgumentException.class, () -> new ClassAuroc("A", Double.NaN, 0, 3, null));
    assertThrows(IllegalArgumentException.class, () -> new ClassAuroc("A", 0.7, 1, 3, "why"));
  }
}
