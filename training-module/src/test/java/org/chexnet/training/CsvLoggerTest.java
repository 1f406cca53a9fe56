package org.chexnet.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.chexnet.training.listeners.CsvLogger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvLoggerTest {
  private static TrainableModel model;

  @TempDir Path dir;

  @BeforeAll
  static void createModel() {
    model = TinyNets.model(13);
  }

  @AfterAll
  static void closeModel() {
    model.close();
  }

  private static Map<String, Double> logs(Object... keyValues) {
    Map<String, Double> logs = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      logs.put((String) keyValues[i], (Double) keyValues[i + 1]);
    }
    return logs;
  }

  /**
   * One training run: onTrainBegin, the epochs, onTrainEnd; checks after each epoch that its row
   * was flushed.
   */
  private static void train(CsvLogger logger, Path file, List<Map<String, Double>> epochLogs)
      throws Exception {
    ScriptedEpochs epochs = new ScriptedEpochs(model, epochLogs.size());
    epochs.trainBegin(logger);
    long lines = Files.exists(file) ? Files.readAllLines(file).size() : 0;
    for (Map<String, Double> logs : epochLogs) {
      epochs.epoch(logs, logger);
      long now = Files.readAllLines(file).size();
      assertEquals(true, now > lines, "each epoch's row is flushed before the run ends");
      lines = now;
    }
    epochs.trainEnd(logger);
  }

  @Test
  void headerIsEpochThenTheSortedKeysAndMissingValuesAreNa() throws Exception {
    Path file = dir.resolve("logs/sub/training.csv");
    train(
        new CsvLogger(file, ",", false),
        file,
        List.of(
            logs("val_loss", 0.5, "loss", 0.75, "learning_rate", 0.001, "val_mean_auroc", 0.625),
            logs("loss", 0.5, "learning_rate", 0.001, "val_mean_auroc", 0.7), // val_loss missing
            logs(
                "val_loss",
                0.25,
                "loss",
                0.125,
                "learning_rate",
                0.0001,
                "val_mean_auroc",
                0.8,
                "extra",
                1.0)));
    assertEquals(
        List.of(
            "epoch,learning_rate,loss,val_loss,val_mean_auroc",
            "0,0.001,0.75,0.5,0.625",
            "1,0.001,0.5,NA,0.7",
            // Keys are fixed by the first epoch, as Keras does: a key that appears later is not a
            // column.
            "2," + 0.0001 + ",0.125,0.25,0.8"),
        Files.readAllLines(file));
  }

  @Test
  void customSeparator() throws Exception {
    Path file = dir.resolve("training.tsv");
    train(new CsvLogger(file, "\t", false), file, List.of(logs("b", 2.0, "a", 1.0)));
    assertEquals(List.of("epoch\ta\tb", "0\t1.0\t2.0"), Files.readAllLines(file));
  }

  @Test
  void appendWritesTheHeaderOnlyIntoAnEmptyFileAndAppendsRows() throws Exception {
    Path file = dir.resolve("training.csv");
    train(new CsvLogger(file, ",", true), file, List.of(logs("loss", 0.5), logs("loss", 0.25)));
    train(new CsvLogger(file, ",", true), file, List.of(logs("loss", 0.125)));
    assertEquals(List.of("epoch,loss", "0,0.5", "1,0.25", "0,0.125"), Files.readAllLines(file));

    Path empty = dir.resolve("empty.csv");
    Files.createFile(empty);
    train(new CsvLogger(empty, ",", true), empty, List.of(logs("loss", 0.5)));
    assertEquals(List.of("epoch,loss", "0,0.5"), Files.readAllLines(empty));
  }

  @Test
  void withoutAppendAnExistingFileIsTruncated() throws Exception {
    Path file = dir.resolve("training.csv");
    Files.writeString(file, "epoch,old\n0,1\n1,2\n2,3\n3,4\n4,5\n");
    train(new CsvLogger(file, ",", false), file, List.of(logs("loss", 0.5)));
    assertEquals(List.of("epoch,loss", "0,0.5"), Files.readAllLines(file));
  }
}
