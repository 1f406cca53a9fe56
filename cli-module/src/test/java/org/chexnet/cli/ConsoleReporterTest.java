package org.chexnet.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.chexnet.common.Reporter;
import org.junit.jupiter.api.Test;

/** Progress that tells the truth on a terminal (LinesReporterTest: in a log). */
class ConsoleReporterTest {
  private static final Pattern RUNNING =
      Pattern.compile("Epoch 1/3 +(\\d+)% (\\d+)/100 img, ([0-9.]+) img/s, ETA ([0-9.]+) s");

  @Test
  void aTerminalGetsABarRedrawnInPlaceWithARealRate() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Reporter reporter =
        new ConsoleReporter(new PrintStream(printed, true, StandardCharsets.UTF_8), true);
    try (Reporter.Task epoch = reporter.task("Epoch 2/3", 40, Reporter.Unit.IMAGES)) {
      for (int i = 0; i < 40; i++) {
        Thread.sleep(25); // long enough for redraws and a measurable rate
        epoch.step();
      }
      epoch.message("loss 0.5");
    }
    String screen = printed.toString(StandardCharsets.UTF_8);
    assertTrue(screen.contains("\r["), screen);
    assertFalse(screen.contains("?"), screen);
    String last = screen.substring(screen.lastIndexOf('\r') + 1).strip();
    assertTrue(
        last.matches("Epoch 2/3: 40 img in [0-9.]+ s \\([0-9.]+ img/s\\), loss 0\\.5"), last);
  }
}
