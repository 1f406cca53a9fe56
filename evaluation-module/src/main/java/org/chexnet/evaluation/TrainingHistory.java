package org.chexnet.evaluation;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Per-epoch metrics from a Keras CSVLogger file (history.csv: {@code
 * epoch,learning_rate,loss,val_loss,val_mean_auroc}), any columns after {@code epoch}.
 *
 * @param epochs the epoch column
 * @param columns every other column by name, in file order; NaN where the logger wrote NA or
 *     nothing
 */
public record TrainingHistory(double[] epochs, Map<String, double[]> columns) {

  /** A comma-separated history, CSVLogger's default. */
  public static TrainingHistory read(Path csv) throws IOException {
    return read(csv, ',');
  }

  /**
   * @param separator the CSVLogger's separator
   * @throws IllegalArgumentException "file:line: ..." on a missing epoch column, a row of the wrong
   *     width or a value that is not a number
   */
  public static TrainingHistory read(Path csv, char separator) throws IOException {
    CSVFormat format =
        CSVFormat.DEFAULT.builder().setDelimiter(separator).setIgnoreEmptyLines(false).build();
    List<String> header = null;
    List<double[]> rows = new ArrayList<>();
    try (Reader reader = Files.newBufferedReader(csv, StandardCharsets.UTF_8);
        CSVParser parser = format.parse(reader)) {
      for (CSVRecord record : parser) {
        String where = csv + ":" + record.getRecordNumber() + ": ";
        if (header == null) {
          header = record.toList();
          if (!header.get(0).equals("epoch")) {
            throw new IllegalArgumentException(
                where
                    + "expected a header starting with 'epoch', got '"
                    + String.join(",", header)
                    + "'");
          }
        } else if (!(record.size() == 1 && record.get(0).isBlank())) {
          if (record.size() != header.size()) {
            throw new IllegalArgumentException(
                where + "expected " + header.size() + " fields, got " + record.size());
          }
          double[] row = new double[header.size()];
          for (int i = 0; i < row.length; i++) {
            row[i] = number(where, header.get(i), record.get(i));
          }
          rows.add(row);
        }
      }
    } catch (UncheckedIOException e) {
      // commons-csv reports malformed CSV (e.g. an unclosed quote) this way.
      throw new IOException(csv + ": not valid CSV: " + e.getCause().getMessage(), e.getCause());
    }
    if (header == null) {
      throw new IllegalArgumentException(csv + ":1: empty file, expected a header 'epoch,...'");
    }
    double[] epochs = rows.stream().mapToDouble(row -> row[0]).toArray();
    Map<String, double[]> columns = new LinkedHashMap<>();
    for (int i = 1; i < header.size(); i++) {
      int column = i;
      columns.put(header.get(i), rows.stream().mapToDouble(row -> row[column]).toArray());
    }
    return new TrainingHistory(epochs, columns);
  }

  private static double number(String where, String column, String value) {
    String text = value.trim();
    if (text.isEmpty() || text.equals("NA") || text.equalsIgnoreCase("nan")) {
      return Double.NaN;
    }
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          where + "expected a number for " + column + ", got '" + value + "'");
    }
  }
}
