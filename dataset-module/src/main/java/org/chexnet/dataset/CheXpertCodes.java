package org.chexnet.dataset;

import java.util.List;

/**
 * The CheXpert labeler's codes, in CheXpert's CSVs and MIMIC-CXR-JPG's chexpert and negbio files:
 * {@code 1.0} positive, {@code 0.0} negative, {@code -1.0} uncertain, blank not mentioned (the
 * integer spellings a spreadsheet round trip leaves are read too).
 */
final class CheXpertCodes {
  private CheXpertCodes() {}

  /**
   * The columns of {@code findings}, in their order.
   *
   * @throws IllegalArgumentException naming a finding the header lacks
   */
  static int[] columns(MetadataCsv csv, List<String> findings) {
    int[] columns = new int[findings.size()];
    for (int f = 0; f < columns.length; f++) {
      columns[f] = csv.column(findings.get(f));
    }
    return columns;
  }

  /**
   * The current row's {@link LabelState} codes in {@code columns}.
   *
   * @throws IllegalArgumentException "file:line: column 'X': unknown label code ..."
   */
  static byte[] states(MetadataCsv csv, int[] columns) {
    byte[] states = new byte[columns.length];
    for (int f = 0; f < columns.length; f++) {
      states[f] = state(csv, columns[f]);
    }
    return states;
  }

  /**
   * @throws IllegalArgumentException "file:line: column 'X': unknown label code ..."
   */
  private static byte state(MetadataCsv csv, int column) {
    String code = csv.get(column);
    LabelState state =
        switch (code) {
          case "1.0", "1" -> LabelState.POSITIVE;
          case "0.0", "0" -> LabelState.NEGATIVE;
          case "-1.0", "-1" -> LabelState.UNCERTAIN;
          case "" -> LabelState.MISSING;
          default ->
              throw csv.error(
                  column,
                  "unknown label code '"
                      + code
                      + "'; expected 1.0, 0.0, -1.0 (uncertain) or blank");
        };
    return state.code();
  }
}
