package org.chexnet.model;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_CloseSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteBuffer;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteDeviceList;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteStatus;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListCount;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListName;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListType;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_GetCode;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_GetRegisteredKernelsForOp;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_Message;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewStatus;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_OK;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SessionListDevices;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.TensorFlow;
import org.tensorflow.internal.c_api.TF_Buffer;
import org.tensorflow.internal.c_api.TF_DeviceList;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.KernelDef;
import org.tensorflow.proto.KernelList;

/**
 * The devices TensorFlow can place ops on. TensorFlow puts a graph on the first GPU by itself when
 * one is visible (the {@code -Pgpu} build with a CUDA device); this class only says which case
 * holds, so a run on the CPU by mistake is visible in the log.
 */
public final class Devices {
  private static final Logger LOG = LoggerFactory.getLogger(Devices.class);

  /** One device, e.g. {@code /job:localhost/replica:0/task:0/device:GPU:0} of type {@code GPU}. */
  public record Device(String name, String type) {}

  private static List<Device> visible;

  private Devices() {}

  /** The devices a new session sees (listed once per JVM: listing starts the GPU runtime). */
  public static synchronized List<Device> visible() {
    if (visible == null) {
      visible = List.copyOf(list());
    }
    return visible;
  }

  public static boolean gpuVisible() {
    return visible().stream().anyMatch(d -> d.type().equals("GPU"));
  }

  /** Whether the loaded TensorFlow has GPU kernels (the {@code -Pgpu} build), device or not. */
  public static boolean builtWithCuda() {
    return kernels("MatMul").stream().anyMatch(k -> k.getDeviceType().equals("GPU"));
  }

  /**
   * Whether the loaded TensorFlow has a kernel of {@code op} on {@code deviceType} (CPU, GPU) that
   * accepts {@code dtype} for its type attribute {@code T}.
   */
  static boolean hasKernel(String op, String deviceType, DataType dtype) {
    return kernels(op).stream()
        .filter(k -> k.getDeviceType().equals(deviceType))
        .anyMatch(
            k ->
                k.getConstraintList().stream()
                    .filter(c -> c.getName().equals("T"))
                    .allMatch(c -> c.getAllowedValues().getList().getTypeList().contains(dtype)));
  }

  private static List<KernelDef> kernels(String op) {
    TensorFlow.version(); // loads the native library
    TF_Status status = TF_NewStatus();
    TF_Buffer buffer = TF_GetRegisteredKernelsForOp(op, status);
    try {
      check(status, "listing the " + op + " kernels");
      byte[] bytes = new byte[(int) buffer.length()];
      new BytePointer(buffer.data()).capacity(bytes.length).get(bytes);
      return KernelList.parseFrom(bytes).getKernelList();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("TensorFlow returned an unreadable kernel list", e);
    } finally {
      if (buffer != null && !buffer.isNull()) {
        TF_DeleteBuffer(buffer);
      }
      TF_DeleteStatus(status);
    }
  }

  /** Logs where a new session's ops will run: the first GPU, or the CPU and why. */
  public static void logPlacement() {
    List<Device> devices = visible();
    List<String> gpus =
        devices.stream().filter(d -> d.type().equals("GPU")).map(Device::name).toList();
    if (!gpus.isEmpty()) {
      LOG.info(
          "TensorFlow {}: placing the graph on GPU {} (visible: {})",
          TensorFlow.version(),
          gpus.get(0),
          gpus);
    } else if (builtWithCuda()) {
      LOG.warn(
          "TensorFlow {} (GPU build): no GPU visible, falling back to the CPU (check the NVIDIA"
              + " driver, CUDA 12 libraries and CUDA_VISIBLE_DEVICES; devices: {})",
          TensorFlow.version(),
          devices.stream().map(Device::name).toList());
    } else {
      LOG.info(
          "TensorFlow {} (CPU build): running on the CPU; build with -Pgpu to use a GPU"
              + " (devices: {})",
          TensorFlow.version(),
          devices.stream().map(Device::name).toList());
    }
  }

  /**
   * Says so when bfloat16 math has no hardware here: on a CPU without AVX512-BF16 or AMX-BF16 (and
   * no GPU) oneDNN emulates it, so {@code mixed_bfloat16} trains slower than float32.
   */
  public static void warnIfBfloat16IsEmulated() {
    if (gpuVisible()) {
      return;
    }
    String flags = cpuFlags();
    if (flags != null && !cpuHasBfloat16(flags)) {
      LOG.warn(
          "mixed_bfloat16: this CPU has neither avx512_bf16 nor amx_bf16, so bfloat16 is emulated"
              + " and training is slower than in float32");
    }
  }

  static boolean cpuHasBfloat16(String flags) {
    List<String> words = List.of(flags.trim().split("\\s+"));
    return words.contains("avx512_bf16") || words.contains("amx_bf16");
  }

  /** The first processor's flags from /proc/cpuinfo; null where there is none (not Linux). */
  private static String cpuFlags() {
    try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/cpuinfo"))) {
      return lines
          .filter(l -> l.startsWith("flags"))
          .findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1))
          .orElse(null);
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      return null;
    }
  }

  private static List<Device> list() {
    TensorFlow.version(); // loads the native library
    TF_Status status = TF_NewStatus();
    TF_Graph graph = TF_NewGraph();
    TF_SessionOptions options = TF_NewSessionOptions();
    TF_Session session = TF_NewSession(graph, options, status);
    try {
      check(status, "creating a session");
      TF_DeviceList devices = TF_SessionListDevices(session, status);
      check(status, "listing devices");
      try {
        List<Device> result = new ArrayList<>();
        for (int i = 0; i < TF_DeviceListCount(devices); i++) {
          String name = TF_DeviceListName(devices, i, status).getString();
          String type = TF_DeviceListType(devices, i, status).getString();
          check(status, "reading device " + i);
          result.add(new Device(name, type));
        }
        return result;
      } finally {
        TF_DeleteDeviceList(devices);
      }
    } finally {
      if (session != null && !session.isNull()) {
        TF_CloseSession(session, status);
        TF_DeleteSession(session, status);
      }
      TF_DeleteSessionOptions(options);
      TF_DeleteGraph(graph);
      TF_DeleteStatus(status);
    }
  }

  private static void check(TF_Status status, String what) {
    if (TF_GetCode(status) != TF_OK) {
      throw new IllegalStateException(
          "TensorFlow failed " + what + ": " + TF_Message(status).getString());
    }
  }
}
