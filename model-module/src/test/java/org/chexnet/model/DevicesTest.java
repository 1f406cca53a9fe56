package org.chexnet.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

  @Test
  void theCudaBuildIsTheOneWithGpuKernels() {
    // The -Pgpu build puts the CUDA native library on the class path under its own directory.
    boolean gpuJar =
        Devices.class.getResource("/org/tensorflow/internal/c_api/linux-x86_64-gpu/") != null;
    assertEquals(gpuJar, Devices.builtWithCuda());
  }
}
