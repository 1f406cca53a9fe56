package org.chexnet.serving;

/** A request the server refuses, answered as {@code {"error": message, "status": status}}. */
public final class ApiException extends RuntimeException {
  private final int status;

  public ApiException(int status, String message) {
    super(message);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
