package org.chexnet.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.util.Optional;

/**
 * What the library throws for a problem the caller can act on, in one line that names the file,
 * line, key or flag and what was expected. The kind decides what a program does with it (the CLI's
 * exit code): fix the input ({@link Kind#INVALID_INPUT}, exit 2) or look at the data or run that
 * failed a check ({@link Kind#CHECK_FAILED}, exit 1). Anything else thrown is a bug or an I/O
 * failure.
 */
public class ChexnetException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public enum Kind {
    /** A spec, option, path or file the caller must fix; nothing was started. */
    INVALID_INPUT,
    /** The data or the run failed a check (it diverged, the data changed under it). */
    CHECK_FAILED
  }

  private final Kind kind;

  public ChexnetException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public ChexnetException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public static ChexnetException invalidInput(String message) {
    return new ChexnetException(Kind.INVALID_INPUT, message);
  }

  public static ChexnetException checkFailed(String message) {
    return new ChexnetException(Kind.CHECK_FAILED, message);
  }

  public Kind kind() {
    return kind;
  }

  /**
   * What a caller can tell its user about {@code problem}: itself when it is one of ours; a path
   * that is missing, not a directory or not readable (a {@link FileSystemException}, which names
   * it) as input to fix; another I/O failure with a message as work that could not finish. Empty
   * for anything else, which can only be a bug.
   */
  public static Optional<ChexnetException> explain(Throwable problem) {
    Throwable cause = problem instanceof UncheckedIOException u ? u.getCause() : problem;
    if (cause instanceof ChexnetException c) {
      return Optional.of(c);
    }
    if (cause instanceof FileSystemException f) {
      return Optional.of(
          new ChexnetException(
              Kind.INVALID_INPUT,
              f.getReason() != null ? f.getMessage() : f.getFile() + ": " + InputFiles.reason(f),
              f));
    }
    if (cause instanceof IOException io && io.getMessage() != null) {
      return Optional.of(new ChexnetException(Kind.CHECK_FAILED, io.getMessage(), io));
    }
    return Optional.empty();
  }
}
