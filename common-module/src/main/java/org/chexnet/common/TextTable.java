package org.chexnet.common;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table for the terminal: a header row, a rule, left-aligned padded columns. */
public final class TextTable {
  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  public TextTable(List<String> header) {
    this.header = List.copyOf(header);
  }

  public void add(List<String> row) {
    if (row.size() != header.size()) {
      throw new IllegalArgumentException(
          "Row of " + row.size() + " cells for " + header.size() + " columns: " + row);
    }
    rows.add(List.copyOf(row));
  }

  public void print(PrintStream out) {
    int[] widths = new int[header.size()];
    for (List<String> row : allRows()) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    printRow(out, header, widths);
    List<String> rule = new ArrayList<>();
    for (int width : widths) {
      rule.add("-".repeat(width));
    }
    printRow(out, rule, widths);
    rows.forEach(row -> printRow(out, row, widths));
  }

  private List<List<String>> allRows() {
    List<List<String>> all = new ArrayList<>(rows);
    all.add(header);
    return all;
  }

  private static void printRow(PrintStream out, List<String> row, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < row.size(); i++) {
      line.append(i == 0 ? "" : "  ").append(row.get(i));
      if (i < row.size() - 1) {
        line.append(" ".repeat(widths[i] - row.get(i).length()));
      }
    }
    out.println(line);
  }

  /** A metric value to 5 significant digits, without an exponent for everyday magnitudes. */
  public static String number(Double value) {
    if (value == null) {
      return "-";
    }
    if (value.isNaN() || value.isInfinite()) {
      return value.toString();
    }
    BigDecimal rounded = new BigDecimal(value).round(new MathContext(5)).stripTrailingZeros();
    double magnitude = Math.abs(value);
    return magnitude != 0 && (magnitude < 1e-4 || magnitude >= 1e9)
        ? String.format("%.4e", value)
        : rounded.toPlainString();
  }
}
