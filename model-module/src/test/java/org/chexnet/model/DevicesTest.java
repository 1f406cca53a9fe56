package org.chexnet.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

  @Test
  void bfloat16HardwareIsReadFromTheCpuFlags() {
    String sapphireRapids = " fpu sse avx512f avx512_bf16 amx_bf16 amx_tile amx_int8 ";
    assertTrue(Devices.cpuHasBfloat16(sapphireRapids));
    assertTrue(Devices.cpuHasBfloat16("avx512f amx_bf16"));
    // avx512f alone (Skylake) or an AVX2 CPU emulates bfloat16; a prefix is not the flag.
    assertFalse(Devices.cpuHasBfloat16("fpu avx2 avx512f avx512bw"));
    assertFalse(Devices.cpuHasBfloat16("avx512_bf16x amx_bf16_extra"));
  }
}
