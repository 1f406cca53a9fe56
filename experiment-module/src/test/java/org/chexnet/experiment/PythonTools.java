package org.chexnet.experiment;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Pinned Python tools for tests, installed on first use by {@code tools/setup-venv.sh} into a
 * virtual environment kept across runs. Without python3 and PyPI the calling test fails, saying so:
 * the suite never skips for want of a tool.
 */
public final class PythonTools {
  private static final Path SETUP = Path.of("..", "tools", "setup-venv.sh").toAbsolutePath();

  private PythonTools() {}

  /** The bin directory of a virtual environment with {@code requirements} installed. */
  public static synchronized Path venvBin(Path requirements) {
    String why;
    try {
      Process setup =
          new ProcessBuilder("bash", SETUP.toString(), requirements.toAbsolutePath().toString())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      String printed = new String(setup.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (setup.waitFor(15, TimeUnit.MINUTES) && setup.exitValue() == 0) {
        String[] lines = printed.strip().split("\n");
        return Path.of(lines[lines.length - 1].strip());
      }
      why = SETUP + " " + requirements + " failed";
    } catch (IOException e) {
      why = "cannot run " + SETUP + ": " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      why = "interrupted";
    }
    return fail(why + " (needs python3 with venv and pip, and PyPI)");
  }
}
