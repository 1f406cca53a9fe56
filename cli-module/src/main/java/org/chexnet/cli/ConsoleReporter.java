package org.chexnet.cli;

import java.io.PrintStream;
import java.time.Duration;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressState;
import org.chexnet.common.LinesReporter;
import org.chexnet.common.ProgressText;
import org.chexnet.common.Reporter;

/**
 * The command line's {@link Reporter}: on a terminal a bar per task, redrawn in place, with the
 * same words as a log's lines ({@link ProgressText}); elsewhere (a file, a pipe, CI, nohup) {@link
 * LinesReporter}'s plain lines. Messages are lines on the same stream.
 */
final class ConsoleReporter implements Reporter {
  private static final int BAR_WIDTH = 20;

  private final PrintStream out;
  private final Reporter lines;
  private final boolean terminal;

  /** Bars when this process has a terminal (standard input and output), else plain lines. */
  ConsoleReporter(PrintStream out) {
    this(out, System.console() != null);
  }

  ConsoleReporter(PrintStream out, boolean terminal) {
    this.out = out;
    this.lines = new LinesReporter(out);
    this.terminal = terminal;
  }

  @Override
  public Task task(String name, long total, Unit unit) {
    return terminal ? bar(name, total, unit) : lines.task(name, total, unit);
  }

  @Override
  public void info(String message) {
    lines.info(message);
  }

  @Override
  public void warn(String message) {
    lines.warn(message);
  }

  private Task bar(String name, long total, Unit unit) {
    ProgressBar bar =
        new ProgressBarBuilder()
            .setTaskName(name)
            .setInitialMax(total)
            .setConsumer(new ConsoleProgressBarConsumer(out))
            .setRenderer((state, width) -> fit(render(state, name, unit), width))
            .setUpdateIntervalMillis(250)
            .build();
    return new Task() {
      @Override
      public void step(long steps) {
        bar.stepBy(steps);
      }

      @Override
      public void stepTo(long done) {
        bar.stepTo(done);
      }

      @Override
      public void total(long total) {
        bar.maxHint(total);
      }

      @Override
      public void message(String message) {
        bar.setExtraMessage(message);
      }

      @Override
      public void close() {
        bar.close();
      }
    };
  }

  private static String render(ProgressState state, String name, Unit unit) {
    long total = state.isIndefinite() ? -1 : state.getMax();
    Duration elapsed = state.getTotalElapsed();
    if (!state.isAlive()) {
      return ProgressText.finished(
          name, state.getCurrent(), unit, elapsed, state.getExtraMessage());
    }
    String text =
        ProgressText.running(
            name, state.getCurrent(), total, unit, elapsed, state.getExtraMessage());
    if (total <= 0) {
      return text;
    }
    int filled = (int) Math.min(BAR_WIDTH, state.getCurrent() * BAR_WIDTH / total);
    return "[" + "=".repeat(filled) + " ".repeat(BAR_WIDTH - filled) + "] " + text;
  }

  /** A line longer than the terminal would wrap, and the next redraw would start a new one. */
  private static String fit(String line, int width) {
    return width > 1 && line.length() >= width ? line.substring(0, width - 1) : line;
  }
}
