package org.chexnet.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

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
   * The repository's {@code chexnet} launcher, copied into {@code dir} beside a jar that runs this
   * test's classpath (its manifest lists it): the launcher finds its jar up to date and runs it as
   * it runs the real one.
   */
  static List<String> launcher(Path dir) throws IOException {
    Path jar = dir.resolve("cli-module/target/chexnet.jar");
    Files.createDirectories(jar.getParent());
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Chexnet.class.getName());
    manifest
        .getMainAttributes()
        .put(
            Attributes.Name.CLASS_PATH,
            Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> Path.of(entry).toUri().toString())
                .collect(Collectors.joining(" ")));
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
      // the manifest is the whole jar
    }
    Path script = Files.copy(Path.of("../chexnet"), dir.resolve("chexnet"));
    return List.of("bash", script.toString());
  }

  /** As {@link #run(Path, String, Map, List, List)} with this test's java and classpath. */
  static Result run(Path workDir, String umask, Map<String, String> env, List<String> args)
      throws IOException, InterruptedException {
    return run(workDir, umask, env, javaCommand(), args);
  }

  /**
   * Runs {@code program} with {@code args} in {@code workDir} under {@code umask} (null: this
   * process's), with {@code env} changing this process's environment (a null value removes the
   * variable) and this JVM's java first on the PATH, and waits at most ten minutes.
   */
  static Result run(
      Path workDir, String umask, Map<String, String> env, List<String> program, List<String> args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    if (umask != null) {
      // $0 is the umask, "$@" the command line.
      command.addAll(List.of("bash", "-c", "umask \"$0\" && exec \"$@\"", umask));
    }
    command.addAll(program);
    command.addAll(args);
    Path out = Files.createTempFile("chexnet-out", ".txt");
    Path err = Files.createTempFile("chexnet-err", ".txt");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(workDir.toFile())
              .redirectOutput(out.toFile())
              .redirectError(err.toFile());
      Path javaBin = Path.of(System.getProperty("java.home"), "bin");
      builder.environment().merge("PATH", javaBin.toString(), (path, java) -> java + ":" + path);
      env.forEach(
          (name, value) -> {
            if (value == null) {
              builder.environment().remove(name);
            } else {
              builder.environment().put(name, value);
            }
          });
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
