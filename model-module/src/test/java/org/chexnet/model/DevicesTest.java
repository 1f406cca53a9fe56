package org.chexnet.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DevicesTest {
  @Test
  void theCpuIsAlwaysVisible() {
    assertTrue(
        Devices.visible().stream().anyMatch(d -> d.type().equals("CPU")),
        "devices: " + Devices.visible());
    Devices.logPlacement();
  }
}
