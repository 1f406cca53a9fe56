package org.chexnet.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class FindingTest {

  @Test
  void labelsAreNihSpellingInCheXNetOrder() {
    assertEquals(
        List.of(
            "Atelectasis",
            "Cardiomegaly",
            "Effusion",
            "Infiltration",
            "Mass",
            "Nodule",
            "Pneumonia",
            "Pneumothorax",
            "Consolidation",
            "Edema",
            "Emphysema",
            "Fibrosis",
            "Pleural_Thickening",
            "Hernia"),
        Finding.labels());
    assertEquals(Finding.COUNT, Finding.values().length);
    assertEquals(Finding.PLEURAL_THICKENING, Finding.values()[12]);
  }

  @Test
  void fromLabelRoundTripsAndRejectsUnknownLabels() {
    for (Finding finding : Finding.values()) {
      assertEquals(finding, Finding.fromLabel(finding.label()));
    }
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Finding.fromLabel("Pleural Thickening"));
    assertTrue(e.getMessage().contains("'Pleural Thickening'"), e.getMessage());
    assertTrue(e.getMessage().contains("Pleural_Thickening"), e.getMessage());
  }
}
