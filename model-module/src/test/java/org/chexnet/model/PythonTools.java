package org.chexnet.model;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Pinned Python tools for tests (tf-keras, ...), installed on first use by {@code
 * tools/setup-venv.sh} into a virtual environment kept across runs. A test that needs one fails,
 * saying what is missing, when it cannot be installed or run: never skipped. Shared with other
 * modules' tests through this module's test jar.
 */
public final class PythonTools {
  /** The repository's root: tests run in their module's directory. */
  public static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  /** tensorflow-cpu 2.18.0 and tf-keras 2.18.0, the Keras reference of the parity tests. */
  public static final Path TF_KERAS = ROOT.resolve("tools/requirements-tf-keras.txt");

  private static final Path SETUP = ROOT.resolve("tools/setup-venv.sh");

  private PythonTools() {}

  /**
   * The bin directory of a virtual environment with {@code requirements} installed.
   *
   * @param requirements a pinned requirements file; a relative path is taken from the calling
   *     test's module directory
   */
  public static synchronized Path venvBin(Path requirements) {
    requirements = requirements.toAbsolutePath();
    String command = "bash " + ROOT.relativize(SETUP) + " " + ROOT.relativize(requirements);
    Completed setup = run(List.of("bash", SETUP.toString(), requirements.toString()), 15);
    if (setup.exitCode != 0) {
      fail(
          command
              + " failed (exit "
              + setup.exitCode
              + "): it needs python3 with venv and pip, and PyPI reachable (or the venv already"
              + " in ~/.cache/chexnet/venvs). Its output:\n"
              + setup.output);
    }
    String[] lines = setup.output.strip().split("\n");
    return Path.of(lines[lines.length - 1].strip());
  }

  /**
   * Runs {@code script} with the environment's python and returns what it printed (stdout and
   * stderr); fails the test with that output when the script exits non-zero.
   */
  public static String python(Path venvBin, Path script, String... args) {
    List<String> command = new ArrayList<>(List.of(venvBin.resolve("python").toString()));
    command.add(script.toAbsolutePath().toString());
    command.addAll(List.of(args));
    Completed run = run(command, 10);
    if (run.exitCode != 0) {
      fail(String.join(" ", command) + " failed (exit " + run.exitCode + "):\n" + run.output);
    }
    System.out.print(run.output);
    return run.output;
  }

  private record Completed(int exitCode, String output) {}

  private static Completed run(List<String> command, int timeoutMinutes) {
    Path log = null;
    try {
      // Output into a file, so that a child that hangs cannot hang the read as well.
      log = Files.createTempFile("python-tools-", ".log");
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      boolean finished = process.waitFor(timeoutMinutes, TimeUnit.MINUTES);
      if (!finished) {
        process.destroyForcibly().waitFor();
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      return finished
          ? new Completed(process.exitValue(), output)
          : new Completed(-1, output + "\n(timed out after " + timeoutMinutes + " minutes)");
    } catch (IOException e) {
      return new Completed(-1, "cannot run " + command.get(0) + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Completed(-1, "interrupted");
    } finally {
      if (log != null) {
        log.toFile().delete();
      }
    }
  }
}
