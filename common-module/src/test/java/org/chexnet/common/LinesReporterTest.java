package org.chexnet.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Progress that tells the truth in a log. */
class LinesReporterTest {
  private static final Pattern RUNNING =
      Pattern.compile("Epoch 1/3 +(\\d+)% (\\d+)/100 img, ([0-9.]+) img/s, ETA ([0-9.]+) s");

  @Test
  void aLogGetsWholeLinesWithTheMeasuredRateAndTimeLeft() {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    AtomicLong now = new AtomicLong(0);
    Reporter reporter =
        new LinesReporter(new PrintStream(printed, true, StandardCharsets.UTF_8), now::get);
    try (Reporter.Task epoch = reporter.task("Epoch 1/3", 100, Reporter.Unit.IMAGES)) {
      for (int i = 0; i < 100; i++) {
        now.addAndGet(250_000_000L); // 4 images a second
        epoch.step();
      }
    }
    String log = printed.toString(StandardCharsets.UTF_8);
    assertFalse(log.contains("\r"), log);
    List<String> lines = log.strip().lines().toList();
    // Every tenth of the task (2.5 s apart, above the 2 s floor), then the end.
    assertEquals(10, lines.size(), log);
    for (String line : lines.subList(0, lines.size() - 1)) {
      Matcher m = RUNNING.matcher(line);
      assertTrue(m.matches(), line);
      int done = Integer.parseInt(m.group(2));
      assertEquals(done, Integer.parseInt(m.group(1)), line);
      assertEquals("4.00", m.group(3), line);
      assertEquals((100 - done) / 4.0, Double.parseDouble(m.group(4)), 1.0, line);
    }
    assertEquals("Epoch 1/3: 100 img in 25.0 s (4.00 img/s)", lines.get(lines.size() - 1));
  }

  @Test
  void aSlowTaskStillPrintsEveryHalfMinute() {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    AtomicLong now = new AtomicLong(0);
    Reporter reporter =
        new LinesReporter(new PrintStream(printed, true, StandardCharsets.UTF_8), now::get);
    try (Reporter.Task download = reporter.task("weights.h5", 1000, Reporter.Unit.IMAGES)) {
      for (int i = 0; i < 20; i++) {
        now.addAndGet(10_000_000_000L); // one step every 10 s: 2% a minute
        download.step();
      }
    }
    List<String> lines = printed.toString(StandardCharsets.UTF_8).strip().lines().toList();
    assertEquals(7, lines.size(), String.join("\n", lines)); // at 30, 60, ... 180 s, then the end
    assertTrue(lines.get(0).startsWith("weights.h5   0% 3/1000 img, 0.10 img/s"), lines.get(0));
  }
}
