package org.chexnet.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs each example's main as a user would, in a JVM of its own in a fresh directory, and checks
 * what it prints against what the run recorded.
 */
class ExamplesTest {
  private static final Path QUICKSTART =
      Path.of("..", "experiments", "quickstart.yaml").toAbsolutePath().normalize();

  @Test
  void quickstartPrintsItsTestAurocAndEvaluatePrintsTheSameFromItsPredictions(@TempDir Path work)
      throws Exception {
    // Two epochs keep CI short; the full quickstart's AUROC bar is QuickstartTest's.
    String run = main(work, QuickstartAuroc.class, QUICKSTART.toString(), "train.epochs=2");
    Matcher printed = Pattern.compile("Run (\\w+) in (\\S+)").matcher(run);
    assertTrue(printed.find(), run);
    Path runDirectory = Path.of(printed.group(2));
    String recorded = Files.readAllLines(runDirectory.resolve("metrics/test_mean_auroc")).get(0);
    double meanAuroc = Double.parseDouble(recorded.split(" ")[1]);
    assertEquals(meanAuroc, number(run, "Test mean AUROC: (\\S+)"), 1e-6, run);

    String table =
        main(
            work,
            EvaluatePredictions.class,
            runDirectory.resolve("artifacts/predictions.csv").toString(),
            work.resolve("data/quickstart/Data_Entry_2017_v2020.csv").toString(),
            work.resolve("evaluation").toString());
    assertEquals(1 + 14 + 1 + 1, table.lines().count(), table);
    assertTrue(table.contains("Pneumonia"), table);
    assertEquals(meanAuroc, number(table, "Mean\\s+(\\S+)"), 1e-4, table);
    String ece = Files.readAllLines(runDirectory.resolve("metrics/test_mean_ece")).get(0);
    assertEquals(
        Double.parseDouble(ece.split(" ")[1]), number(table, "mean ECE ([0-9.]+)"), 2e-4, table);
    assertTrue(Files.isRegularFile(work.resolve("evaluation/report.html")));
    assertTrue(Files.isRegularFile(work.resolve("evaluation/model-card.md")));
  }

  /** Standard output of {@code type}'s main run in {@code work}; fails on a non-zero exit. */
  private static String main(Path work, Class<?> type, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                type.getName()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(work, "stdout", ".txt");
    Path err = Files.createTempFile(work, "stderr", ".txt");
    Process process =
        new ProcessBuilder(command)
            .directory(work.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    assertTrue(process.waitFor(10, TimeUnit.MINUTES), type.getSimpleName() + " did not end");
    assertEquals(0, process.exitValue(), Files.readString(err));
    return Files.readString(out);
  }

  private static double number(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertTrue(m.find(), text);
    return Double.parseDouble(m.group(1));
  }
}
