package org.chexnet.model.imports;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One storage of a PyTorch checkpoint: a flat array of {@link #elementCount()} elements of one
 * type, little-endian. Its bytes come after the pickle in the legacy format, so a storage is known
 * (from its persistent id) before it is filled; a legacy view shares its root's bytes from an
 * element offset.
 */
final class TorchStorage {
  private final String key;
  private final TorchDtype dtype;
  private final long elementCount;
  private final TorchStorage root;
  private final long rootOffset;
  private ByteBuffer bytes;

  TorchStorage(String key, TorchDtype dtype, long elementCount) {
    this(key, dtype, elementCount, null, 0);
  }

  private TorchStorage(
      String key, TorchDtype dtype, long elementCount, TorchStorage root, long rootOffset) {
    this.key = key;
    this.dtype = dtype;
    this.elementCount = elementCount;
    this.root = root;
    this.rootOffset = rootOffset;
  }

  /** The elements {@code [offset, offset + count)} of this storage, as a storage of their own. */
  TorchStorage view(String viewKey, long offset, long count) {
    if (offset < 0 || count < 0 || offset + count > elementCount) {
      throw new IllegalArgumentException(
          "view "
              + viewKey
              + " of storage "
              + key
              + " ("
              + offset
              + " + "
              + count
              + " elements) lies outside its "
              + elementCount
              + " elements");
    }
    return new TorchStorage(viewKey, dtype, count, this, offset);
  }

  String key() {
    return key;
  }

  TorchDtype dtype() {
    return dtype;
  }

  long elementCount() {
    return elementCount;
  }

  boolean filled() {
    return root != null ? root.filled() : bytes != null;
  }

  /**
   * Sets the storage's bytes, read from the file.
   *
   * @throws IllegalArgumentException when their length is not elementCount x element size
   */
  void fill(ByteBuffer data) {
    long expected = elementCount * dtype.elementSize();
    if (data.remaining() != expected) {
      throw new IllegalArgumentException(
          "storage "
              + key
              + " holds "
              + data.remaining()
              + " bytes, its persistent id says "
              + elementCount
              + " x "
              + dtype.elementSize());
    }
    bytes = data.slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Element {@code index} (counted in this storage) as a float. */
  float floatAt(long index) {
    if (root != null) {
      return root.floatAt(rootOffset + index);
    }
    int position = Math.toIntExact(index * dtype.elementSize());
    return switch (dtype) {
      case FLOAT32 -> bytes.getFloat(position);
      case FLOAT64 -> (float) bytes.getDouble(position);
      case FLOAT16 -> halfToFloat(bytes.getShort(position));
      case BFLOAT16 -> Float.intBitsToFloat((bytes.getShort(position) & 0xffff) << 16);
      default -> throw new IllegalStateException(dtype + " is not floating point");
    };
  }

  /** IEEE 754 binary16 to float (Java 17 has no Float.float16ToFloat). */
  static float halfToFloat(short half) {
    int sign = (half & 0x8000) << 16;
    int exponent = (half >> 10) & 0x1f;
    int mantissa = half & 0x3ff;
    if (exponent == 0x1f) { // infinity or NaN
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    if (exponent == 0) { // zero or subnormal: mantissa x 2^-24, exact in float
      float magnitude = mantissa * 0x1p-24f;
      return sign == 0 ? magnitude : -magnitude;
    }
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }
}
