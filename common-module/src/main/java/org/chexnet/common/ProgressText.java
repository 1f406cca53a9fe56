package org.chexnet.common;

import java.time.Duration;
import java.util.Locale;

/**
 * The words of a task's progress, the same on a terminal's bar and in a log's plain lines: done of
 * total, the rate measured since the task started (to the millisecond, so a task of half a second
 * has one), the time left at that rate while running, and the time taken once done.
 */
public final class ProgressText {
  /** Below this a rate would be noise: shown as measuring. */
  private static final Duration MEASURABLE = Duration.ofMillis(100);

  private ProgressText() {}

  public static String running(
      String name, long done, long total, Reporter.Unit unit, Duration elapsed, String message) {
    StringBuilder text = new StringBuilder(name);
    if (total > 0) {
      text.append(String.format(Locale.ROOT, " %3d%%", Math.min(100, done * 100 / total)));
    }
    text.append(' ').append(amount(done, unit));
    if (total > 0) {
      text.append('/').append(amount(total, unit));
    }
    text.append(' ').append(name(unit));
    double rate = rate(done, elapsed);
    if (Double.isNaN(rate)) {
      text.append(", measuring the rate");
    } else {
      text.append(", ").append(rate(rate, unit));
      if (total > 0 && done < total && rate > 0) {
        long secondsLeft = (long) Math.ceil((total - done) / rate);
        text.append(", ETA ").append(clock(Duration.ofSeconds(secondsLeft)));
      }
    }
    return withMessage(text, message);
  }

  public static String finished(
      String name, long done, Reporter.Unit unit, Duration elapsed, String message) {
    StringBuilder text =
        new StringBuilder(name)
            .append(": ")
            .append(amount(done, unit))
            .append(' ')
            .append(name(unit))
            .append(" in ")
            .append(clock(elapsed));
    double rate = rate(done, elapsed);
    if (!Double.isNaN(rate)) {
      text.append(" (").append(rate(rate, unit)).append(')');
    }
    return withMessage(text, message);
  }

  /** Steps per second, NaN while too little time passed to tell. */
  private static double rate(long done, Duration elapsed) {
    if (done <= 0 || elapsed.compareTo(MEASURABLE) < 0) {
      return Double.NaN;
    }
    return done / (elapsed.toNanos() / 1e9);
  }

  private static String rate(double stepsPerSecond, Reporter.Unit unit) {
    double perSecond = unit == Reporter.Unit.BYTES ? stepsPerSecond / (1 << 20) : stepsPerSecond;
    return String.format(
        Locale.ROOT, perSecond < 10 ? "%.2f %s/s" : "%.1f %s/s", perSecond, name(unit));
  }

  private static String amount(long steps, Reporter.Unit unit) {
    return unit == Reporter.Unit.BYTES
        ? String.format(Locale.ROOT, "%.1f", steps / (double) (1 << 20))
        : Long.toString(steps);
  }

  private static String name(Reporter.Unit unit) {
    return switch (unit) {
      case IMAGES -> "img";
      case FILES -> "files";
      case TRIALS -> "trials";
      case BYTES -> "MiB";
    };
  }

  /** h:mm:ss, or s.s for under a minute. */
  public static String clock(Duration duration) {
    long seconds = duration.toSeconds();
    if (seconds < 60) {
      return String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }
    return String.format(
        Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
  }

  private static String withMessage(StringBuilder text, String message) {
    if (message != null && !message.isBlank()) {
      text.append(", ").append(message);
    }
    return text.toString();
  }
}
