package org.chexnet.dataset;

import java.util.Arrays;
import java.util.List;

/** The 14 ChestX-ray14 findings in CheXNet's output order; {@link #label()} is NIH's spelling. */
public enum Finding {
  ATELECTASIS("Atelectasis"),
  CARDIOMEGALY("Cardiomegaly"),
  EFFUSION("Effusion"),
  INFILTRATION("Infiltration"),
  MASS("Mass"),
  NODULE("Nodule"),
  PNEUMONIA("Pneumonia"),
  PNEUMOTHORAX("Pneumothorax"),
  CONSOLIDATION("Consolidation"),
  EDEMA("Edema"),
  EMPHYSEMA("Emphysema"),
  FIBROSIS("Fibrosis"),
  PLEURAL_THICKENING("Pleural_Thickening"),
  HERNIA("Hernia");

  public static final int COUNT = 14;

  private static final List<String> LABELS = Arrays.stream(values()).map(Finding::label).toList();

  private final String label;

  Finding(String label) {
    this.label = label;
  }

  /** NIH's spelling, as used in {@code Finding Labels} of Data_Entry_2017*.csv. */
  public String label() {
    return label;
  }

  /**
   * @throws IllegalArgumentException naming the unknown label and the valid ones
   */
  public static Finding fromLabel(String nihLabel) {
    for (Finding finding : values()) {
      if (finding.label.equals(nihLabel)) {
        return finding;
      }
    }
    throw new IllegalArgumentException(
        "unknown finding label '" + nihLabel + "', expected one of " + LABELS);
  }

  /** The 14 labels in CheXNet order. */
  public static List<String> labels() {
    return LABELS;
  }
}
