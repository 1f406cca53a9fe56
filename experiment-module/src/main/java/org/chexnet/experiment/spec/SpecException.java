package org.chexnet.experiment.spec;

import org.chexnet.common.ChexnetException;

/**
 * A spec that cannot be used, with where ({@code file:line:column} or the {@code --set} that caused
 * it) and what was expected.
 */
public final class SpecException extends ChexnetException {
  private static final long serialVersionUID = 1L;

  public SpecException(String message) {
    super(Kind.INVALID_INPUT, message);
  }
}
