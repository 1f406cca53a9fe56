package org.chexnet.model.imports;

import java.util.Map;

/** Element types of PyTorch storages, named as the storage classes a checkpoint pickles. */
enum TorchDtype {
  FLOAT32("FloatStorage", 4, true),
  FLOAT64("DoubleStorage", 8, true),
  FLOAT16("HalfStorage", 2, true),
  BFLOAT16("BFloat16Storage", 2, true),
  INT64("LongStorage", 8, false),
  INT32("IntStorage", 4, false),
  INT16("ShortStorage", 2, false),
  INT8("CharStorage", 1, false),
  UINT8("ByteStorage", 1, false),
  BOOL("BoolStorage", 1, false);

  private static final Map<String, TorchDtype> BY_STORAGE =
      Map.ofEntries(
          java.util.Arrays.stream(values())
              .map(t -> Map.entry(t.storageClass, t))
              .toArray(Map.Entry[]::new));

  private final String storageClass;
  private final int elementSize;
  private final boolean floatingPoint;

  TorchDtype(String storageClass, int elementSize, boolean floatingPoint) {
    this.storageClass = storageClass;
    this.elementSize = elementSize;
    this.floatingPoint = floatingPoint;
  }

  /** The storage class name ({@code FloatStorage}) without its module. */
  String storageClass() {
    return storageClass;
  }

  int elementSize() {
    return elementSize;
  }

  boolean floatingPoint() {
    return floatingPoint;
  }

  /**
   * @return null for a name that is no storage class
   */
  static TorchDtype ofStorageClass(String name) {
    return BY_STORAGE.get(name);
  }
}
