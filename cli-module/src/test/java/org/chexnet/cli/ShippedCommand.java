package org.chexnet.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The command as shipped, for the integration tests (*IT, after {@code package}): the repository's
 * {@code ./chexnet} launcher and {@code cli-module/target/chexnet.jar} with its manifest class
 * path.
 *
 * <p>Every process gets a PATH whose first {@code mvn} refuses to run and records that it was
 * called: the jar was just packaged, so the launcher must find it up to date and never rebuild it,
 * let alone install into {@code ~/.m2}, during a test.
 */
final class ShippedCommand {
  /** The repository: the integration tests run in cli-module. */
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  static final Path LAUNCHER = ROOT.resolve("chexnet");
  static final Path JAR = ROOT.resolve("cli-module/target/chexnet.jar");

  /** What the launcher prints before it rebuilds the jar. */
  static final String REBUILD_LINE = "Building chexnet";

  private final Path bin;

  /**
   * @param scratch a directory of the test's where the refusing {@code mvn} goes
   */
  ShippedCommand(Path scratch) throws IOException {
    assertTrue(Files.isRegularFile(JAR), JAR + " is packaged before the integration tests");
    bin = Files.createDirectories(scratch.resolve("refusing-maven"));
    Path mvn = bin.resolve("mvn");
    Files.writeString(
        mvn,
        "#!/bin/sh\n"
            + "echo \"$*\" >> '"
            + mavenCalls()
            + "'\n"
            + "echo 'mvn called during an integration test: the launcher tried to rebuild' >&2\n"
            + "exit 1\n");
    Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** Where the refusing mvn records each call's arguments. */
  Path mavenCalls() {
    return bin.resolve("mvn-calls.txt");
  }

  /** PATH for a child process: the refusing mvn, then the running JDK's java, then the rest. */
  String path() {
    return bin
        + ":"
        + Path.of(System.getProperty("java.home"), "bin")
        + ":"
        + System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
  }

  /** {@code launcher ARGS...} in {@code workDir}. */
  Started launch(Path launcher, Path workDir, Map<String, String> env, String... args)
      throws IOException {
    List<String> command = new ArrayList<>(List.of(launcher.toString()));
    command.addAll(List.of(args));
    return start(command, workDir, env);
  }

  /** {@code ./chexnet ARGS...} in {@code workDir}. */
  Started chexnet(Path workDir, String... args) throws IOException {
    return launch(LAUNCHER, workDir, Map.of(), args);
  }

  /** {@code java -jar cli-module/target/chexnet.jar ARGS...} in {@code workDir}. */
  Started javaJar(Path workDir, String... args) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toString()));
    command.addAll(List.of(args));
    return start(command, workDir, Map.of());
  }

  private Started start(List<String> command, Path workDir, Map<String, String> env)
      throws IOException {
    Path output = Files.createTempFile(bin.getParent(), "output", ".txt");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
    builder.environment().put("PATH", path());
    builder.environment().putAll(env);
    return new Started(builder.start(), output);
  }

  /** The launcher did not rebuild: no rebuild line, mvn never called. */
  void assertNoRebuild(Started started) throws IOException {
    String output = started.output();
    assertFalse(
        output.contains(REBUILD_LINE),
        "the launcher rebuilt the jar just packaged; sources newer than it: "
            + newerThanJar()
            + "\n"
            + output);
    assertFalse(Files.exists(mavenCalls()), "mvn was called during an integration test");
  }

  /** What the launcher's staleness check would find newer than the jar (for failure messages). */
  private static List<Path> newerThanJar() throws IOException {
    FileTime jar = Files.getLastModifiedTime(JAR);
    try (Stream<Path> walk = Files.walk(ROOT)) {
      return walk.filter(p -> !ROOT.relativize(p).toString().matches("[^/]+/target/.*"))
          .filter(
              p ->
                  p.toString().contains("/src/main/")
                      || p.getFileName().toString().equals("pom.xml"))
          .filter(
              p -> {
                try {
                  return Files.isRegularFile(p) && Files.getLastModifiedTime(p).compareTo(jar) > 0;
                } catch (IOException e) {
                  return false;
                }
              })
          .limit(10)
          .toList();
    }
  }

  /** A started process and the file its output (stdout and stderr) goes to. */
  record Started(Process process, Path outputFile) {
    String output() throws IOException {
      return Files.readString(outputFile);
    }

    /** Waits for the exit; fails with the output after {@code minutes}. */
    int exitCode(int minutes) throws Exception {
      if (!process.waitFor(minutes, TimeUnit.MINUTES)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor();
        fail("did not end in " + minutes + " minutes:\n" + output());
      }
      return process.exitValue();
    }
  }
}
