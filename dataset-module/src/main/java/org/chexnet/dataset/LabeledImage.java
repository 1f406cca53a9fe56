package org.chexnet.dataset;

import java.util.Arrays;

/**
 * One image with its labels (0f or 1f, in its dataset's findings order: {@link Finding} order for
 * ChestX-ray14) and, where some labels are unknown, a mask: 1f where the label counts, 0f where it
 * is masked out of the loss and out of that class's AUROC (an ignored uncertain or missing label,
 * or a finding another source of a multi-source run lacks). Arrays are shared, not copied: treat
 * them as read-only.
 *
 * @param mask null when every label is known
 */
public record LabeledImage(String imageIndex, int patientId, float[] labels, float[] mask) {

  public LabeledImage {
    if (labels.length == 0) {
      throw new IllegalArgumentException(imageIndex + ": no labels");
    }
    if (mask != null && mask.length != labels.length) {
      throw new IllegalArgumentException(
          imageIndex + ": " + labels.length + " labels but a mask of " + mask.length);
    }
  }

  /** An image whose labels are all known. */
  public LabeledImage(String imageIndex, int patientId, float[] labels) {
    this(imageIndex, patientId, labels, null);
  }

  /** Whether the label of {@code finding} counts (not masked). */
  public boolean known(int finding) {
    return mask == null || mask[finding] != 0f;
  }

  // Records compare arrays by identity; labels are values here.
  @Override
  public boolean equals(Object other) {
    return other instanceof LabeledImage that
        && imageIndex.equals(that.imageIndex)
        && patientId == that.patientId
        && Arrays.equals(labels, that.labels)
        && Arrays.equals(mask, that.mask);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * (31 * imageIndex.hashCode() + patientId) + Arrays.hashCode(labels))
        + Arrays.hashCode(mask);
  }

  @Override
  public String toString() {
    String described =
        labels.length == Finding.COUNT && mask == null
            ? Labels.describe(labels)
            : Arrays.toString(labels) + (mask == null ? "" : " mask " + Arrays.toString(mask));
    return "LabeledImage[" + imageIndex + ", patient " + patientId + ", " + described + "]";
  }
}
