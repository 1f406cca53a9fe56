package org.chexnet.common;

import java.io.PrintStream;

/**
 * Where the library's progress and messages go; it never prints on its own. The command line draws
 * progress bars on a terminal and plain lines elsewhere; {@link #lines} prints plain lines; {@link
 * #silent} drops everything. Implementations are thread-safe: tasks run on worker threads.
 */
public interface Reporter {

  /** What one step of a task counts. */
  enum Unit {
    IMAGES,
    FILES,
    TRIALS,
    BYTES
  }

  /**
   * Starts a task of {@code total} steps (negative: not known yet); close it when done.
   *
   * @param name what is being done, e.g. "Epoch 2/10" or a file name
   */
  Task task(String name, long total, Unit unit);

  /** A line for the user: what is done, with what, where results go (may span lines). */
  void info(String message);

  /** Something the user should look at though the work goes on. */
  void warn(String message);

  /** Progress of one task. */
  interface Task extends AutoCloseable {
    void step(long steps);

    default void step() {
      step(1);
    }

    void stepTo(long done);

    /** The total, when it is learned late (a download's length). */
    void total(long total);

    /** A short status shown with the progress, e.g. the running loss. */
    void message(String message);

    @Override
    void close();
  }

  /** Progress and messages as plain lines on {@code out}: {@link LinesReporter}. */
  static Reporter lines(PrintStream out) {
    return new LinesReporter(out);
  }

  /** Drops progress and messages. */
  static Reporter silent() {
    return new Reporter() {
      @Override
      public Task task(String name, long total, Unit unit) {
        return NO_PROGRESS;
      }

      @Override
      public void info(String message) {}

      @Override
      public void warn(String message) {}
    };
  }

  /** A task that shows nothing. */
  Task NO_PROGRESS =
      new Task() {
        @Override
        public void step(long steps) {}

        @Override
        public void stepTo(long done) {}

        @Override
        public void total(long total) {}

        @Override
        public void message(String message) {}

        @Override
        public void close() {}
      };
}
