package org.chexnet.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Predictions matched to their labels whether images are named by path or by file name. */
class ImageTableTest {
  private static final List<String> CLASSES = List.of("Edema", "Pleural Effusion");

  @TempDir Path dir;

  private ImageTable predictions(String... rows) throws Exception {
    Path csv = dir.resolve("predictions.csv");
    Files.writeString(
        csv, "Image Index,prob_Edema,prob_Pleural Effusion\n" + String.join("\n", rows) + "\n");
    return ImageTable.readPredictions(csv, CLASSES);
  }

  /** Labels as a dataset names its images, e.g. CheXpert's paths under the dataset directory. */
  private static ImageTable labels(List<String> images, float... values) {
    return new ImageTable(Path.of("dataset"), images, values, new int[images.size()]);
  }

  @Test
  void pathsWhoseFileNamesRepeatStayPathsAndMatchByPath() throws Exception {
    ImageTable table =
        predictions(
            "train/patient00002/study1/view1_frontal.jpg,0.1,0.2",
            "train/patient00001/study1/view1_frontal.jpg,0.3,0.4");
    assertEquals(
        List.of(
            "train/patient00002/study1/view1_frontal.jpg",
            "train/patient00001/study1/view1_frontal.jpg"),
        table.images());
    PredictionSet set =
        table.withLabels(
            labels(
                List.of(
                    "train/patient00001/study1/view1_frontal.jpg",
                    "train/patient00002/study1/view1_frontal.jpg"),
                1f,
                0f,
                0f,
                Float.NaN),
            false);
    assertArrayEquals(new float[] {0f, Float.NaN, 1f, 0f}, set.labels());
  }

  @Test
  void aPathMatchesALabelNamedByItsFileNameAndTheReverse() throws Exception {
    // NIH: predictions under a directory, labels by file name.
    PredictionSet nih =
        predictions("images/00000001_000.png,0.1,0.2")
            .withLabels(
                labels(List.of("00000001_000.png", "00000002_000.png"), 1f, 0f, 0f, 1f), false);
    assertEquals(List.of("00000001_000.png"), nih.imageIndexes());
    assertArrayEquals(new float[] {1f, 0f}, nih.labels());
    // One CheXpert image: its file name is unique, the dataset names it by path.
    PredictionSet chexpert =
        predictions("train/patient00001/study1/view1_frontal.jpg,0.1,0.2")
            .withLabels(
                labels(List.of("train/patient00001/study1/view1_frontal.jpg"), 0f, 1f), true);
    assertArrayEquals(new float[] {0f, 1f}, chexpert.labels());
  }

  @Test
  void aFileNameTwoLabelsShareMatchesNeither() throws Exception {
    ImageTable table = predictions("view1_frontal.jpg,0.1,0.2");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                table.withLabels(
                    labels(
                        List.of(
                            "train/patient00001/study1/view1_frontal.jpg",
                            "train/patient00002/study1/view1_frontal.jpg"),
                        0f,
                        1f,
                        1f,
                        0f),
                    false));
    assertTrue(
        e.getMessage().contains("1 predicted image(s) have no labels in dataset"), e.getMessage());
  }
}
