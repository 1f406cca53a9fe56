package org.chexnet.cli;

/**
 * A problem the user can fix (a setting, a missing directory): reported as one line, without a
 * stack trace.
 */
public final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }
}
