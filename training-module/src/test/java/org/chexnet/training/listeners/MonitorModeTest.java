package org.chexnet.training.listeners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MonitorModeTest {
  @Test
  void minImprovesOnlyBelowBestMinusMinDelta() {
    MonitorMode min = MonitorMode.MIN;
    assertTrue(min.improves(0.5, 1.0, 0));
    assertFalse(min.improves(1.0, 1.0, 0), "equal is no improvement");
    assertFalse(min.improves(1.5, 1.0, 0));
    // Dyadic values: best - minDelta is exact, so the boundary is tested exactly.
    assertFalse(min.improves(0.75, 1.0, 0.25), "exactly best - minDelta is no improvement");
    assertTrue(min.improves(Math.nextDown(0.75), 1.0, 0.25));
    assertFalse(min.improves(0.875, 1.0, 0.25), "better by less than minDelta is no improvement");
    assertTrue(
        min.improves(1e9, Double.POSITIVE_INFINITY, 0.25), "anything beats the initial best");
    assertFalse(min.improves(Double.NaN, 1.0, 0));
  }

  @Test
  void maxImprovesOnlyAboveBestPlusMinDelta() {
    MonitorMode max = MonitorMode.MAX;
    assertTrue(max.improves(0.8, 0.5, 0));
    assertFalse(max.improves(0.5, 0.5, 0), "equal is no improvement");
    assertFalse(max.improves(0.25, 0.5, 0));
    assertFalse(max.improves(0.75, 0.5, 0.25), "exactly best + minDelta is no improvement");
    assertTrue(max.improves(Math.nextUp(0.75), 0.5, 0.25));
    assertFalse(max.improves(0.625, 0.5, 0.25));
    assertTrue(
        max.improves(-1e9, Double.NEGATIVE_INFINITY, 0.25), "anything beats the initial best");
    assertFalse(max.improves(Double.NaN, 0.5, 0));
  }

  @Test
  void autoResolvesByTheMetricName() {
    assertEquals(MonitorMode.MIN, MonitorMode.AUTO.resolve("val_loss"));
    assertEquals(MonitorMode.MIN, MonitorMode.AUTO.resolve("loss"));
    assertEquals(MonitorMode.MAX, MonitorMode.AUTO.resolve("val_mean_auroc"));
    assertEquals(MonitorMode.MAX, MonitorMode.AUTO.resolve("val_accuracy"));
    assertEquals(MonitorMode.MAX, MonitorMode.AUTO.resolve("val_acc"));
    assertEquals(MonitorMode.MAX, MonitorMode.AUTO.resolve("val_AUC"));
    // An explicit mode wins over the name.
    assertEquals(MonitorMode.MIN, MonitorMode.MIN.resolve("val_mean_auroc"));
    assertEquals(MonitorMode.MAX, MonitorMode.MAX.resolve("val_loss"));
  }

  @Test
  void worstIsTheValueEverythingImprovesOn() {
    assertEquals(Double.POSITIVE_INFINITY, MonitorMode.MIN.worst());
    assertEquals(Double.NEGATIVE_INFINITY, MonitorMode.MAX.worst());
  }

  @Test
  void autoMustBeResolvedBeforeComparing() {
    assertThrows(IllegalStateException.class, () -> MonitorMode.AUTO.improves(0, 1, 0));
  }
}
