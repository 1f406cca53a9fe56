package org.chexnet.evaluation;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs a Python script of src/test/python in the pinned scikit-learn environment (installed on
 * first use by tools/setup-venv.sh from bench/requirements-sklearn.txt) on input the test wrote,
 * and returns the JSON it wrote. Without python3 (with venv and pip) and PyPI the test fails,
 * saying so: the reference numbers come from the test run itself.
 */
public final class ScikitLearnReference {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path REQUIREMENTS = ROOT.resolve("bench/requirements-sklearn.txt");
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(com.fasterxml.jackson.core.JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS);
  private static Path python;

  private ScikitLearnReference() {}

  /**
   * @param script a file of evaluation-module/src/test/python
   * @param input written as JSON for the script's first argument
   */
  public static JsonNode run(String script, Object input, Path workDir) throws IOException {
    Path in = workDir.resolve("reference-input.json");
    Path out = workDir.resolve("reference-output.json");
    JSON.writeValue(in.toFile(), input);
    Path scriptPath = Path.of("src/test/python", script).toAbsolutePath();
    String output =
        run(
            new ProcessBuilder(
                python().toString(), scriptPath.toString(), in.toString(), out.toString()));
    if (!Files.exists(out)) {
      fail(script + " wrote no output:\n" + output);
    }
    return JSON.readTree(out.toFile());
  }

  private static synchronized Path python() {
    if (python == null) {
      String printed =
          run(
              new ProcessBuilder(
                  "bash", ROOT.resolve("tools/setup-venv.sh").toString(), REQUIREMENTS.toString()));
      String[] lines = printed.strip().split("\n");
      python = Path.of(lines[lines.length - 1].strip(), "python");
    }
    return python;
  }

  /** The command's output; the test fails with it when the command does not succeed. */
  private static String run(ProcessBuilder command) {
    try {
      // Merged, so that a failure shows everything; the venv script prints its path last.
      Process process = command.redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(15, TimeUnit.MINUTES) || process.exitValue() != 0) {
        fail(
            String.join(" ", command.command())
                + " failed (the scikit-learn reference needs python3 with venv and pip, and"
                + " PyPI):\n"
                + output);
      }
      return output;
    } catch (IOException e) {
      return fail(
          "cannot run "
              + command.command().get(0)
              + " (the scikit-learn reference needs python3 with venv and pip): "
              + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail("interrupted");
    }
  }
}
