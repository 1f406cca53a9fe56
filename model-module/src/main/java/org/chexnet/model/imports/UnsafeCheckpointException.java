package org.chexnet.model.imports;

import java.io.IOException;
import java.nio.file.Path;

/** A checkpoint whose pickle names a Python global it has no need of: refused unread. */
public final class UnsafeCheckpointException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String global;

  UnsafeCheckpointException(Path file, String global, String reason) {
    super(file + ": " + reason);
    this.global = global;
  }

  /** The refused global, {@code module.name}. */
  public String global() {
    return global;
  }
}
