package org.chexnet.model.imports;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * One weight tensor as the source file holds it, named as there, with the layout that turns it into
 * our graph's (Keras') layout. Values are read only once every tensor has been checked.
 */
record SourceTensor(
    String name, long[] shape, Layout layout, Supplier<float[]> values, String problem) {

  /** A usable tensor. */
  SourceTensor(String name, long[] shape, Layout layout, Supplier<float[]> values) {
    this(name, shape, layout, values, null);
  }

  /** How a source tensor's dimensions map onto Keras'. */
  enum Layout {
    /** Same layout (vectors; every tensor of a Keras file). */
    SAME,
    /** A PyTorch convolution kernel [out, in, h, w], Keras' is [h, w, in, out]. */
    CONV_OIHW,
    /** A PyTorch Linear weight [out, in], Keras' Dense kernel is [in, out]. */
    LINEAR_OUT_IN;

    long[] kerasShape(long[] shape) {
      return switch (this) {
        case SAME -> shape;
        case CONV_OIHW ->
            shape.length == 4 ? new long[] {shape[2], shape[3], shape[1], shape[0]} : shape;
        case LINEAR_OUT_IN -> shape.length == 2 ? new long[] {shape[1], shape[0]} : shape;
      };
    }

    /** The source shape a Keras shape corresponds to, for messages in the file's terms. */
    long[] sourceShape(long[] kerasShape) {
      return switch (this) {
        case SAME -> kerasShape;
        case CONV_OIHW -> new long[] {kerasShape[3], kerasShape[2], kerasShape[0], kerasShape[1]};
        case LINEAR_OUT_IN -> new long[] {kerasShape[1], kerasShape[0]};
      };
    }

    /** Row-major values in the source layout, rearranged row-major in Keras'. */
    float[] toKeras(float[] values, long[] shape) {
      switch (this) {
        case SAME:
          return values;
        case CONV_OIHW:
          {
            int out = (int) shape[0];
            int in = (int) shape[1];
            int h = (int) shape[2];
            int w = (int) shape[3];
            float[] hwio = new float[values.length];
            for (int o = 0; o < out; o++) {
              for (int i = 0; i < in; i++) {
                for (int y = 0; y < h; y++) {
                  for (int x = 0; x < w; x++) {
                    hwio[((y * w + x) * in + i) * out + o] = values[((o * in + i) * h + y) * w + x];
                  }
                }
              }
            }
            return hwio;
          }
        case LINEAR_OUT_IN:
          {
            int out = (int) shape[0];
            int in = (int) shape[1];
            float[] transposed = new float[values.length];
            for (int o = 0; o < out; o++) {
              for (int i = 0; i < in; i++) {
                transposed[i * out + o] = values[o * in + i];
              }
            }
            return transposed;
          }
        default:
          throw new AssertionError(this);
      }
    }
  }

  long[] kerasShape() {
    return layout.kerasShape(shape);
  }

  /** The values in Keras' layout. */
  float[] kerasValues() {
    return layout.toKeras(values.get(), shape);
  }

  @Override
  public String toString() {
    return name + " " + Arrays.toString(shape);
  }
}
