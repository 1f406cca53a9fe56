package org.chexnet.dataset;

import java.util.Arrays;

/**
 * One image with its 14 labels (0f or 1f, in {@link Finding} order). The array is shared, not
 * copied: treat it as read-only.
 */
public record LabeledImage(String imageIndex, int patientId, float[] labels) {

  public LabeledImage {
    if (labels.length != Finding.COUNT) {
      throw new IllegalArgumentException(
          imageIndex + ": expected " + Finding.COUNT + " labels, got " + labels.length);
    }
  }

  // Records compare arrays by identity; labels are values here.
  @Override
  public boolean equals(Object other) {
    return other instanceof LabeledImage that
        && imageIndex.equals(that.imageIndex)
        && patientId == that.patientId
        && Arrays.equals(labels, that.labels);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * imageIndex.hashCode() + patientId) + Arrays.hashCode(labels);
  }

  @Override
  public String toString() {
    return "LabeledImage["
        + imageIndex
        + ", patient "
        + patientId
        + ", "
        + Labels.describe(labels)
        + "]";
  }
}
