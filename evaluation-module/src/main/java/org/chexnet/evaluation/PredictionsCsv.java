package org.chexnet.evaluation;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.chexnet.common.AtomicFiles;

/**
 * Per-image predictions in the layout other CheXNet reproductions use, so they can be compared row
 * by row: header {@code Image Index,prob_Atelectasis,...,prob_Hernia}.
 */
public final class PredictionsCsv {

  private PredictionsCsv() {}

  /**
   * @param probabilities row-major [imageIndexes.size() x classNames.size()]
   */
  public static void write(
      Path file, List<String> classNames, List<String> imageIndexes, float[] probabilities)
      throws IOException {
    int classes = classNames.size();
    long expected = (long) imageIndexes.size() * classes;
    if (probabilities.length != expected) {
      throw new IllegalArgumentException(
          "expected "
              + imageIndexes.size()
              + " x "
              + classes
              + " = "
              + expected
              + " probabilities, got "
              + probabilities.length);
    }
    StringBuilder csv = new StringBuilder("Image Index");
    classNames.forEach(name -> csv.append(",prob_").append(name));
    csv.append('\n');
    for (int row = 0; row < imageIndexes.size(); row++) {
      csv.append(quoted(imageIndexes.get(row)));
      for (int c = 0; c < classes; c++) {
        csv.append(String.format(Locale.ROOT, ",%.6f", probabilities[row * classes + c]));
      }
      csv.append('\n');
    }
    AtomicFiles.write(file, csv.toString());
  }

  /** RFC 4180 quoting, so an unusual file name cannot shift the columns. */
  private static String quoted(String cell) {
    if (cell.contains(",") || cell.contains("\"") || cell.contains("\n") || cell.contains("\r")) {
      return '"' + cell.replace("\"", "\"\"") + '"';
    }
    return cell;
  }
}
