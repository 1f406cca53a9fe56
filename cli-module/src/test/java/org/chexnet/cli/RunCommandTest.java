package org.chexnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.chexnet.experiment.TinySpecs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `chexnet run`'s answer to a spec it cannot use. */
class RunCommandTest {
  private static final String SPEC =
      TinySpecs.dataAndModel("tiny")
          + """
      train:
        epochs: 2
        batch_size: 16
        horizontal_flip: false
        callbacks:
          - type: model_checkpoint
          - type: csv_logger
          - type: mlflow_logger
            log_every_n_batches: 2
      """;

  @Test
  void malformedSpecFailsBeforeAnythingIsWritten(@TempDir Path work) throws Exception {
    Path data = work.resolve("data");
    Path mlruns = work.resolve("mlruns");
    Path spec = work.resolve("bad.yaml");
    Files.writeString(
        spec,
        SPEC.replace("root: data/tiny", "root: " + data)
            .replace("batch_size: 16", "batch_size: sixteen")
            .concat("tracking:\n  uri: " + mlruns + "\n"));
    StringWriter err = new StringWriter();
    CommandLine cli = Chexnet.commandLine();
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute("run", spec.toString());
    assertEquals(Chexnet.USAGE_ERROR, exit);
    assertEquals(
        "error: " + spec + ":14:15: train.batch_size must be a positive integer, got \"sixteen\"",
        err.toString().trim());
    assertFalse(Files.exists(data));
    assertFalse(Files.exists(mlruns));
  }
}
