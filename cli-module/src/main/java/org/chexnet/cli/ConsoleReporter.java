package org.chexnet.cli;

import java.io.PrintStream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.chexnet.common.Reporter;

/**
 * The command line's {@link Reporter}, the one look of progress in the project: a bar per task
 * (standard error) with its rate and ETA; messages as lines on standard output.
 */
final class ConsoleReporter implements Reporter {
  private final Reporter lines;

  ConsoleReporter(PrintStream out) {
    this.lines = Reporter.lines(out);
  }

  @Override
  public Task task(String name, long total, Unit unit) {
    ProgressBar bar =
        new ProgressBarBuilder()
            .setTaskName(name)
            .setInitialMax(total)
            .setUnit(
                switch (unit) {
                  case IMAGES -> " img";
                  case FILES -> " files";
                  case TRIALS -> " trials";
                  case BYTES -> " MiB";
                },
                unit == Unit.BYTES ? 1 << 20 : 1)
            .showSpeed()
            .setStyle(ProgressBarStyle.ASCII)
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

  @Override
  public void info(String message) {
    lines.info(message);
  }

  @Override
  public void warn(String message) {
    lines.warn(message);
  }
}
