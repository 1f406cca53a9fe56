package org.chexnet.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressState;
import org.chexnet.common.Reporter;

/**
 * The command line's {@link Reporter}, the one look of progress in the project. On a terminal a bar
 * per task, redrawn in place, with its rate and time left ({@link ProgressText}); elsewhere (a
 * file, a pipe, CI, nohup) plain lines, one every tenth of the task or half a minute, so a log
 * reads line by line instead of holding carriage returns. Messages are lines on the same stream.
 */
final class ConsoleReporter implements Reporter {
  /** A plain line when this share more of the task is done... */
  static final double LINE_EVERY_SHARE = 0.1;

  /** ...or this long passed since the last line... */
  static final Duration LINE_AT_LEAST_EVERY = Duration.ofSeconds(30);

  /** ...but not sooner than this after it: a task of a second prints only its end. */
  static final Duration LINE_AT_MOST_EVERY = Duration.ofSeconds(2);

  private static final int BAR_WIDTH = 20;

  private final PrintStream out;
  private final Reporter lines;
  private final boolean terminal;
  private final LongSupplier nanoTime;

  /** Bars when this process has a terminal (standard input and output), else plain lines. */
  ConsoleReporter(PrintStream out) {
    this(out, System.console() != null, System::nanoTime);
  }

  ConsoleReporter(PrintStream out, boolean terminal, LongSupplier nanoTime) {
    this.out = out;
    this.lines = Reporter.lines(out);
    this.terminal = terminal;
    this.nanoTime = nanoTime;
  }

  @Override
  public Task task(String name, long total, Unit unit) {
    return terminal ? bar(name, total, unit) : new PlainLines(name, total, unit);
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

  /** Progress as whole lines. */
  private final class PlainLines implements Task {
    private final String name;
    private final Unit unit;
    private final long started = nanoTime.getAsLong();
    private long total;
    private long done;
    private String message;
    private long lastLine = started;
    private long doneAtLastLine;
    private boolean closed;

    PlainLines(String name, long total, Unit unit) {
      this.name = name;
      this.total = total;
      this.unit = unit;
    }

    @Override
    public synchronized void step(long steps) {
      done += steps;
      maybePrint();
    }

    @Override
    public synchronized void stepTo(long done) {
      this.done = done;
      maybePrint();
    }

    @Override
    public synchronized void total(long total) {
      this.total = total;
    }

    @Override
    public synchronized void message(String message) {
      this.message = message;
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        out.println(ProgressText.finished(name, done, unit, since(started), message));
      }
    }

    private void maybePrint() {
      long now = nanoTime.getAsLong();
      Duration sinceLast = Duration.ofNanos(now - lastLine);
      // The end is close()'s line.
      if (closed || total > 0 && done >= total || sinceLast.compareTo(LINE_AT_MOST_EVERY) < 0) {
        return;
      }
      boolean share = total > 0 && done - doneAtLastLine >= total * LINE_EVERY_SHARE;
      if (share || sinceLast.compareTo(LINE_AT_LEAST_EVERY) >= 0) {
        out.println(ProgressText.running(name, done, total, unit, since(started), message));
        lastLine = now;
        doneAtLastLine = done;
      }
    }

    private Duration since(long start) {
      return Duration.ofNanos(nanoTime.getAsLong() - start);
    }
  }
}
