package org.chexnet.common;

import java.io.PrintStream;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Progress and messages as whole lines, for a log, a pipe, CI or nohup: a task's line every tenth
 * of it or half a minute, with its measured rate and time left ({@link ProgressText}), and one when
 * it ends; so a log reads line by line instead of holding carriage returns. Warnings are prefixed
 * "WARNING: ".
 */
public final class LinesReporter implements Reporter {
  /** A line when this share more of the task is done... */
  static final double LINE_EVERY_SHARE = 0.1;

  /** ...or this long passed since the last line... */
  static final Duration LINE_AT_LEAST_EVERY = Duration.ofSeconds(30);

  /** ...but not sooner than this after it: a task of a second prints only its end. */
  static final Duration LINE_AT_MOST_EVERY = Duration.ofSeconds(2);

  private final PrintStream out;
  private final LongSupplier nanoTime;

  public LinesReporter(PrintStream out) {
    this(out, System::nanoTime);
  }

  /**
   * @param nanoTime the clock rates and line spacing are measured with
   */
  public LinesReporter(PrintStream out, LongSupplier nanoTime) {
    this.out = out;
    this.nanoTime = nanoTime;
  }

  @Override
  public Task task(String name, long total, Unit unit) {
    return new LinesTask(name, total, unit);
  }

  @Override
  public void info(String message) {
    out.println(message);
  }

  @Override
  public void warn(String message) {
    out.println("WARNING: " + message);
  }

  private final class LinesTask implements Task {
    private final String name;
    private final Unit unit;
    private final long started = nanoTime.getAsLong();
    private long total;
    private long done;
    private String message;
    private long lastLine = started;
    private long doneAtLastLine;
    private boolean closed;

    LinesTask(String name, long total, Unit unit) {
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
        out.println(ProgressText.finished(name, done, unit, sinceStart(), message));
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
        out.println(ProgressText.running(name, done, total, unit, sinceStart(), message));
        lastLine = now;
        doneAtLastLine = done;
      }
    }

    private Duration sinceStart() {
      return Duration.ofNanos(nanoTime.getAsLong() - started);
    }
  }
}
