package org.chexnet.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Pattern;

/**
 * A test hook at every step of a durable write ({@link AtomicFiles}, {@link FileTrees#delete}, a
 * CSV log's row): the crash tests kill a process with SIGKILL at a chosen step, to prove that a
 * kill at any instant, inside a write included, leaves state a run resumes from to the same result.
 *
 * <p>Off unless a system property below is set (only tests set them): then each call is one read of
 * a static field.
 */
public final class CrashPoints {
  /**
   * {@code N} kills the process at its Nth step; {@code N:REGEX} at its Nth step whose description
   * ({@code "step /absolute/path"}) REGEX is found in.
   */
  public static final String KILL_AT = "chexnet.test.kill-at";

  /** A file each step reached is appended to, one {@code "N step path"} line per step. */
  public static final String LOG = "chexnet.test.step-log";

  private static final Target TARGET = Target.parse(System.getProperty(KILL_AT));
  private static final String LOG_FILE = System.getProperty(LOG);
  private static final boolean ON = TARGET != null || LOG_FILE != null;
  private static long steps;
  private static long matches;

  private CrashPoints() {}

  /**
   * A durable write reached {@code step} on {@code path}: the state it leaves on disk is one a
   * crash can leave.
   */
  public static void reached(String step, Path path) {
    if (ON) {
      record(step + " " + path.toAbsolutePath().normalize());
    }
  }

  private static synchronized void record(String description) {
    steps++;
    if (LOG_FILE != null) {
      try {
        Files.writeString(
            Path.of(LOG_FILE),
            steps + " " + description + "\n",
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (TARGET != null
        && TARGET.pattern().matcher(description).find()
        && ++matches == TARGET.nth()) {
      killThisProcess();
    }
  }

  /** SIGKILL, as {@code kill -9} from outside: no shutdown hook, no finally block runs. */
  private static void killThisProcess() {
    try {
      new ProcessBuilder("sh", "-c", "kill -9 " + ProcessHandle.current().pid()).start().waitFor();
      while (true) {
        Thread.sleep(1000); // until the signal lands; nothing more is written
      }
    } catch (IOException | InterruptedException e) {
      Runtime.getRuntime().halt(137);
    }
  }

  private record Target(long nth, Pattern pattern) {
    static Target parse(String value) {
      if (value == null || value.isBlank()) {
        return null;
      }
      int colon = value.indexOf(':');
      return colon < 0
          ? new Target(Long.parseLong(value.strip()), Pattern.compile(""))
          : new Target(
              Long.parseLong(value.substring(0, colon).strip()),
              Pattern.compile(value.substring(colon + 1)));
    }
  }
}
