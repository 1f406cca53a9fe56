package org.chexnet.dataset;

import java.util.Locale;

/** An image's projection, normalised across datasets. */
public enum View {
  /** Postero-anterior. */
  PA,
  /** Antero-posterior, erect or supine. */
  AP,
  /** Lateral, left or right (MIMIC's LL and cross-table laterals too). */
  LATERAL,
  /** Oblique, decubitus, lordotic, rib views and the like. */
  OTHER,
  /** Not recorded. */
  UNKNOWN;

  /**
   * @throws IllegalArgumentException naming the valid views
   */
  public static View parse(String view) {
    try {
      return valueOf(view.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown view '" + view + "', expected one of PA, AP, LATERAL, OTHER, UNKNOWN");
    }
  }
}
