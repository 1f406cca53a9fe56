package org.chexnet.dataset;

import java.util.Arrays;
import java.util.Objects;

/**
 * One row of NIH's Data_Entry_2017_v2020.csv (or the older Data_Entry_2017.csv). {@code labels}
 * holds 14 zero/one values in {@link Finding} order and is shared, not copied: treat it as
 * read-only.
 */
public record DataEntry(
    String imageIndex,
    float[] labels,
    int followUp,
    int patientId,
    int age,
    String sex,
    String viewPosition,
    int originalWidth,
    int originalHeight,
    double pixelSpacingX,
    double pixelSpacingY) {

  public DataEntry {
    if (labels.length != Finding.COUNT) {
      throw new IllegalArgumentException(
          imageIndex + ": expected " + Finding.COUNT + " labels, got " + labels.length);
    }
  }

  public LabeledImage toLabeledImage() {
    return new LabeledImage(imageIndex, patientId, labels.clone());
  }

  /** The {@code Finding Labels} text as NIH writes it. */
  public String findingLabels() {
    return Labels.describe(labels);
  }

  // Records compare arrays by identity; labels are values here.
  @Override
  public boolean equals(Object other) {
    return other instanceof DataEntry that
        && imageIndex.equals(that.imageIndex)
        && Arrays.equals(labels, that.labels)
        && followUp == that.followUp
        && patientId == that.patientId
        && age == that.age
        && sex.equals(that.sex)
        && viewPosition.equals(that.viewPosition)
        && originalWidth == that.originalWidth
        && originalHeight == that.originalHeight
        && Double.compare(pixelSpacingX, that.pixelSpacingX) == 0
        && Double.compare(pixelSpacingY, that.pixelSpacingY) == 0;
  }

  @Override
  public int hashCode() {
    return 31
            * Objects.hash(
                imageIndex,
                followUp,
                patientId,
                age,
                sex,
                viewPosition,
                originalWidth,
                originalHeight,
                pixelSpacingX,
                pixelSpacingY)
        + Arrays.hashCode(labels);
  }

  @Override
  public String toString() {
    return "DataEntry["
        + imageIndex
        + ", "
        + findingLabels()
        + ", follow-up "
        + followUp
        + ", patient "
        + patientId
        + ", "
        + age
        + " "
        + sex
        + " "
        + viewPosition
        + ", "
        + originalWidth
        + "x"
        + originalHeight
        + ", spacing "
        + pixelSpacingX
        + "x"
        + pixelSpacingY
        + "]";
  }
}
