package org.chexnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.chexnet.common.Version;
import org.junit.jupiter.api.Test;
import org.tensorflow.TensorFlow;
import picocli.CommandLine;

/** Every command's -V and --help, walked through the picocli tree. */
class VersionAndHelpTest {
  private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern EXAMPLE = Pattern.compile("experiments/[\\w./-]+\\.yaml");

  private record Printed(int exit, String out, String err) {}

  /** Runs in this JVM, capturing picocli's own warnings (printed on System.err) too. */
  private static Printed run(List<String> args) {
    PrintStream systemErr = System.err;
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    try {
      CommandLine cli = Chexnet.commandLine();
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      cli.setOut(new PrintWriter(out, true));
      cli.setErr(new PrintWriter(err, true));
      int exit = cli.execute(args.toArray(String[]::new));
      return new Printed(exit, out.toString(), err + stderr.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(systemErr);
    }
  }

  /** Every command and group as the words that invoke it, e.g. [data, verify]. */
  private static List<List<String>> commands() {
    List<List<String>> all = new ArrayList<>();
    collect(Chexnet.commandLine(), new ArrayList<>(), all);
    return all;
  }

  private static void collect(CommandLine command, List<String> words, List<List<String>> into) {
    into.add(List.copyOf(words));
    command
        .getSubcommands()
        .forEach(
            (name, sub) -> {
              if (!name.equals("help")) {
                List<String> deeper = new ArrayList<>(words);
                deeper.add(name);
                collect(sub, deeper, into);
              }
            });
  }

  /** What the build should have recorded: HEAD's commit, or "unknown" outside a git checkout. */
  private static void assertIsTheBuildsCommit(String commit) throws Exception {
    if (!Files.exists(REPOSITORY.resolve(".git"))) {
      assertEquals("unknown", commit);
      return;
    }
    assertTrue(commit.matches("[0-9a-f]{40}"), commit);
    Process git =
        new ProcessBuilder("git", "cat-file", "-t", commit)
            .directory(REPOSITORY.toFile())
            .redirectErrorStream(true)
            .start();
    assertTrue(git.waitFor(30, TimeUnit.SECONDS));
    String type = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertEquals("commit", type, "git cat-file -t " + commit);
    if (Files.isDirectory(REPOSITORY.resolve(".git"))) {
      // A plain clone (in a linked worktree the build reads the main checkout's HEAD).
      Process head =
          new ProcessBuilder("git", "rev-parse", "HEAD").directory(REPOSITORY.toFile()).start();
      assertTrue(head.waitFor(30, TimeUnit.SECONDS));
      assertEquals(
          new String(head.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip(), commit);
    }
  }

  @Test
  void everyCommandPrintsTheVersionsAndTheBuildsCommit() throws Exception {
    assertIsTheBuildsCommit(Version.commit());
    List<String> expected =
        List.of(
            "chexnet " + Version.current() + " (commit " + Version.commit() + ")",
            "TensorFlow " + TensorFlow.version(),
            "Java " + System.getProperty("java.version"));
    for (List<String> command : commands()) {
      for (String flag : List.of("-V", "--version")) {
        List<String> args = new ArrayList<>(command);
        args.add(flag);
        Printed printed = run(args);
        assertEquals(0, printed.exit(), args + ": " + printed.err());
        assertEquals(expected, printed.out().strip().lines().toList(), args.toString());
      }
    }
  }

  @Test
  void everyHelpIsWithoutWarningsNamesExamplesThatExistAndListsTheExitCodes() {
    for (List<String> command : commands()) {
      List<String> args = new ArrayList<>(command);
      args.add("--help");
      Printed printed = run(args);
      assertEquals(0, printed.exit(), args.toString());
      assertEquals("", printed.err(), args + " printed warnings");
      assertTrue(printed.out().contains("Exit codes:"), args + "\n" + printed.out());
      Chexnet.EXIT_CODES.forEach(
          (code, meaning) ->
              assertTrue(
                  printed.out().matches("(?s).*\\n +" + code + " +" + meaning.split(" ")[0] + ".*"),
                  args + ": exit code " + code + "\n" + printed.out()));
      Matcher example = EXAMPLE.matcher(printed.out());
      while (example.find()) {
        assertTrue(
            Files.isRegularFile(REPOSITORY.resolve(example.group())),
            args + " names " + example.group() + ", which does not exist");
      }
    }
  }
}
