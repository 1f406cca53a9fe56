package org.chexnet.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DataSplitsTest {

  @Test
  void rejectsAPatientInTwoSplitsNamingPatientAndSplits() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new DataSplits(
                    List.of(image("00000001_000.png", 1), image("00000017_000.png", 17)),
                    List.of(image("00000002_000.png", 2)),
                    List.of(image("00000017_001.png", 17))));
    assertTrue(e.getMessage().contains("patient 17"), e.getMessage());
    assertTrue(e.getMessage().contains("train") && e.getMessage().contains("test"), e.getMessage());
  }

  @Test
  void allowsFollowUpsOfOnePatientWithinASplit() {
    DataSplits splits =
        new DataSplits(
            List.of(image("00000001_000.png", 1), image("00000001_001.png", 1)),
            List.of(),
            List.of());
    assertEquals(2, splits.train().size());
  }

  @Test
  void prevalenceIsTheShareOfPositivesPerSplit() {
    DataSplits splits =
        new DataSplits(
            List.of(
                image("00000001_000.png", 1, Finding.EDEMA), image("00000002_000.png", 2),
                image("00000003_000.png", 3, Finding.EDEMA, Finding.HERNIA),
                    image("00000004_000.png", 4)),
            List.of(image("00000005_000.png", 5, Finding.HERNIA)),
            List.of());
    Map<String, double[]> prevalence = splits.prevalence();
    assertEquals(List.of("train", "validation", "test"), List.copyOf(prevalence.keySet()));
    double[] train = new double[Finding.COUNT];
    train[Finding.EDEMA.ordinal()] = 0.5;
    train[Finding.HERNIA.ordinal()] = 0.25;
    assertArrayEquals(train, prevalence.get("train"), 1e-12);
    assertEquals(1.0, prevalence.get("validation")[Finding.HERNIA.ordinal()]);
    assertArrayEquals(new double[Finding.COUNT], prevalence.get("test"));
  }

  static LabeledImage image(String index, int patient, Finding... findings) {
    float[] labels = new float[Finding.COUNT];
    for (Finding finding : findings) {
      labels[finding.ordinal()] = 1f;
    }
    return new LabeledImage(index, patient, labels);
  }
}
