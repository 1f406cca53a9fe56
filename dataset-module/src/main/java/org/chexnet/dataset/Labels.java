package org.chexnet.dataset;

import java.util.ArrayList;
import java.util.List;

/** NIH's {@code Finding Labels} text: labels joined by '|', or "No Finding". */
final class Labels {
  static final String NO_FINDING = "No Finding";

  private Labels() {}

  /**
   * @throws IllegalArgumentException on an unknown label
   */
  static float[] parse(String text) {
    float[] labels = new float[Finding.COUNT];
    if (text.equals(NO_FINDING)) {
      return labels;
    }
    for (String label : text.split("\\|", -1)) {
      labels[Finding.fromLabel(label).ordinal()] = 1f;
    }
    return labels;
  }

  static String describe(float[] labels) {
    List<String> present = new ArrayList<>();
    for (Finding finding : Finding.values()) {
      if (labels[finding.ordinal()] != 0f) {
        present.add(finding.label());
      }
    }
    return present.isEmpty() ? NO_FINDING : String.join("|", present);
  }
}
