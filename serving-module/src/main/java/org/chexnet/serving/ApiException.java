package org.chexnet.serving;

import java.time.Duration;
import java.util.Optional;

/**
 * A request the server refuses, answered as {@code {"error": message, "status": status}}, with a
 * {@code Retry-After} header when trying again later can succeed.
 */
public final class ApiException extends RuntimeException {
  /** What a busy server tells a client to wait before trying again. */
  static final Duration RETRY_AFTER = Duration.ofSeconds(2);

  private final int status;
  private final Duration retryAfter;

  public ApiException(int status, String message) {
    this(status, message, null);
  }

  private ApiException(int status, String message, Duration retryAfter) {
    super(message);
    this.status = status;
    this.retryAfter = retryAfter;
  }

  /** 503 with Retry-After: the server is at a limit now, not broken. */
  static ApiException busy(String message) {
    return new ApiException(503, message, RETRY_AFTER);
  }

  public int status() {
    return status;
  }

  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
