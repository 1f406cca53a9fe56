package org.chexnet.experiment.spec;

import org.chexnet.common.ChexnetException;

/**
 * A spec that cannot be used, with where ({@code file:line:column} or the {@code --set} that caused
 * it) and what was expected. The message says it all; {@link #file}, {@link #line}, {@link #column}
 * and {@link #key} give the place to a program.
 */
public final class SpecException extends ChexnetException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final int line;
  private final int column;
  private final String key;

  /** A problem the message alone places (a {@code --set}, a sweep's trial). */
  public SpecException(String message) {
    this(null, null, message);
  }

  /**
   * A problem at {@code at}, which starts the message.
   *
   * @param at where the problem stands; null when unknown
   * @param key the key at fault ({@code train.optimizer.lr}, {@code train.callbacks[1].type}); null
   *     when none
   */
  public SpecException(YamlTree.Location at, String key, String problem) {
    super(Kind.INVALID_INPUT, at == null ? problem : at + ": " + problem);
    this.file = at != null && at.inFile() ? at.source() : null;
    this.line = at == null ? -1 : at.line();
    this.column = at == null ? -1 : at.column();
    this.key = key;
  }

  /**
   * The spec file as named; null when the problem is not in a file (a {@code --set}) or unknown.
   */
  public String file() {
    return file;
  }

  /** 1-based line in the text at fault; -1 when unknown. */
  public int line() {
    return line;
  }

  /** 1-based column in the text at fault; -1 when unknown. */
  public int column() {
    return column;
  }

  /** The key at fault, as a path ({@code train.optimizer.lr}); null when none or unknown. */
  public String key() {
    return key;
  }
}
