package org.chexnet.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

class PythonToolsTest {
  @TempDir Path dir;

  @Test
  void aToolThatCannotBeSetUpFailsTheTestSayingWhatIsNeeded() {
    AssertionFailedError e =
        assertThrows(
            AssertionFailedError.class,
            () -> PythonTools.venvBin(dir.resolve("absent/requirements-nothing.txt")));
    assertTrue(
        e.getMessage().contains("tools/setup-venv.sh")
            && e.getMessage().contains("requirements-nothing.txt")
            && e.getMessage().contains("python3 with venv and pip"),
        e.getMessage());
  }
}
