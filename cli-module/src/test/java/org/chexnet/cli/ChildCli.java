package org.chexnet.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The chexnet command in a JVM of its own, as a user starts it: its real main (exit codes through
 * {@code System.exit}), its own standard output and error, TensorFlow's native logging, a umask.
 * The classpath is this test's: the jar is built after the tests.
 */
final class ChildCli {
  private ChildCli() {}

  /** How the command ended and what it printed on each stream. */
  record Result(int exit, String out, String err) {
    String all() {
      return out + err;
    }
  }

  /** The java command line that runs the CLI with this test's classpath. */
  static List<String> javaCommand() {
    return List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp",
        System.getProperty("java.class.path"),
        Chexnet.class.getName());
  }

  /**
   * Runs {@code args} in {@code workDir} under {@code umask} (null: this process's), with {@code
   * env} added to this process's environment, and waits at most ten minutes.
   */
  static Result run(Path workDir, String umask, Map<String, String> env, List<String> args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    if (umask != null) {
      // $0 is the umask, "$@" the java command line.
      command.addAll(List.of("bash", "-c", "umask \"$0\" && exec \"$@\"", umask));
    }
    command.addAll(javaCommand());
    command.addAll(args);
    Path out = Files.createTempFile("chexnet-out", ".txt");
    Path err = Files.createTempFile("chexnet-err", ".txt");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(workDir.toFile())
              .redirectOutput(out.toFile())
              .redirectError(err.toFile());
      builder.environment().putAll(env);
      Process process = builder.start();
      if (!process.waitFor(10, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException("chexnet " + args + " did not end in 10 minutes");
      }
      return new Result(
          process.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
