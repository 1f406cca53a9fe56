package org.chexnet.model.imports;

import java.util.Arrays;

/**
 * A tensor of a PyTorch checkpoint as {@code torch._utils._rebuild_tensor_v2} describes it: a
 * window onto a storage, from an element offset, with a size and a stride per dimension (in
 * elements; a transposed or sliced tensor is not contiguous).
 */
record TorchTensor(TorchStorage storage, long offset, long[] size, long[] stride) {

  TorchTensor {
    if (size.length != stride.length) {
      throw new IllegalArgumentException(
          "a tensor of size " + Arrays.toString(size) + " has stride " + Arrays.toString(stride));
    }
    long last = offset;
    for (int d = 0; d < size.length; d++) {
      if (size[d] < 0 || stride[d] < 0) {
        throw new IllegalArgumentException(
            "negative size or stride: " + Arrays.toString(size) + " / " + Arrays.toString(stride));
      }
      if (size[d] == 0) {
        last = -1;
        break;
      }
      last += (size[d] - 1) * stride[d];
    }
    if (offset < 0 || last >= storage.elementCount()) {
      throw new IllegalArgumentException(
          "a tensor of size "
              + Arrays.toString(size)
              + ", stride "
              + Arrays.toString(stride)
              + " from element "
              + offset
              + " reaches past the "
              + storage.elementCount()
              + " elements of storage "
              + storage.key());
    }
  }

  long elementCount() {
    long count = 1;
    for (long d : size) {
      count *= d;
    }
    return count;
  }

  TorchDtype dtype() {
    return storage.dtype();
  }

  /**
   * The values in row-major order as float32 (float16, bfloat16 and float64 storages converted).
   *
   * @throws IllegalStateException for an integer or boolean tensor
   */
  float[] toFloats() {
    if (!dtype().floatingPoint()) {
      throw new IllegalStateException(
          "holds " + dtype().name().toLowerCase(java.util.Locale.ROOT) + " values");
    }
    float[] values = new float[Math.toIntExact(elementCount())];
    if (values.length == 0) {
      return values;
    }
    long[] index = new long[size.length];
    long position = offset;
    for (int i = 0; i < values.length; i++) {
      values[i] = storage.floatAt(position);
      // Odometer over the dimensions, last fastest: one add per element, one carry per row.
      for (int d = size.length - 1; d >= 0; d--) {
        index[d]++;
        position += stride[d];
        if (index[d] < size[d]) {
          break;
        }
        position -= index[d] * stride[d];
        index[d] = 0;
      }
    }
    return values;
  }
}
