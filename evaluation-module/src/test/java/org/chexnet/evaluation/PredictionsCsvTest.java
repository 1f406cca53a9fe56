package org.chexnet.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictionsCsvTest {

  @TempDir Path dir;

  @Test
  void writesHeaderAndRowsThatParseBack() throws IOException {
    Path file = dir.resolve("predictions.csv");
    List<String> classes = List.of("Atelectasis", "Pleural_Thickening", "Hernia");
    List<String> images = List.of("00000001_000.png", "00000003_001.png");
    float[] probabilities = {0.1234567f, 0.5f, 1e-7f, 0.999999f, 0f, 0.25f};
    PredictionsCsv.write(file, classes, images, probabilities);

    List<String> lines = Files.readAllLines(file);
    assertEquals("Image Index,prob_Atelectasis,prob_Pleural_Thickening,prob_Hernia", lines.get(0));
    assertEquals(3, lines.size());
    for (int row = 0; row < images.size(); row++) {
      String[] cells = lines.get(row + 1).split(",");
      assertEquals(images.get(row), cells[0]);
      float[] parsed = new float[classes.size()];
      for (int c = 0; c < parsed.length; c++) {
        parsed[c] = Float.parseFloat(cells[c + 1]);
      }
      float[] expected = {
        probabilities[row * 3], probabilities[row * 3 + 1], probabilities[row * 3 + 2]
      };
      assertArrayEquals(expected, parsed, 5e-7f);
    }
    assertEquals("00000001_000.png,0.123457,0.500000,0.000000", lines.get(1));
    assertEquals(List.of("predictions.csv"), EvaluationReportTest.filesIn(dir));
  }

  @Test
  void quotesAnImageIndexContainingAComma() throws IOException {
    Path file = dir.resolve("predictions.csv");
    PredictionsCsv.write(file, List.of("Edema"), List.of("a,b.png"), new float[] {0.5f});
    assertEquals("\"a,b.png\",0.500000", Files.readAllLines(file).get(1));
  }

  @Test
  void rejectsProbabilitiesOfTheWrongSize() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            PredictionsCsv.write(
                dir.resolve("p.csv"), List.of("A", "B"), List.of("x.png"), new float[3]));
  }
}
