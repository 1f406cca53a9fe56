package org.chexnet.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.chexnet.common.AtomicFiles;
import org.tensorflow.Session;

/**
 * Saves and restores every variable of a session (weights, batch-norm statistics, optimizer slots,
 * step, learning rate) as a TensorFlow checkpoint in a directory of its own.
 *
 * <p>A save writes into a sibling temporary directory and then swaps it in, so a crash in the
 * middle leaves the previous checkpoint intact, never a half-written one.
 */
public final class Checkpoints {
  /** File prefix of the TensorFlow checkpoint inside a checkpoint directory. */
  static final String PREFIX = "variables";

  private Checkpoints() {}

  public static void save(Session session, Path directory) throws IOException {
    AtomicFiles.replaceDirectory(
        directory, staging -> session.save(staging.resolve(PREFIX).toString()));
  }

  public static void restore(Session session, Path directory) throws IOException {
    Path index = directory.resolve(PREFIX + ".index");
    if (!Files.isRegularFile(index)) {
      // A run whose checkpoint is gone must fail loudly, never continue from random weights.
      Path retired = AtomicFiles.retired(directory);
      if (Files.isRegularFile(retired.resolve(PREFIX + ".index"))) {
        directory =
            retired; // a crash between the two moves of save(): the previous checkpoint is complete
      } else {
        throw new IOException(
            "no checkpoint in " + directory + " (expected " + index.getFileName() + ")");
      }
    }
    session.restore(directory.resolve(PREFIX).toString());
  }
}
