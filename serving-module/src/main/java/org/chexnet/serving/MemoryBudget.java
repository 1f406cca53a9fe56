package org.chexnet.serving;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Heap bytes that requests may hold at once, shared by the whole server: a request reserves what
 * its body and its decoded pixels will take before allocating them, waits briefly when others hold
 * the budget, and is refused (503, or 413 when it alone is larger than the budget) rather than
 * running the JVM out of memory. Waiters are served in arrival order, so a large image is not
 * starved by small ones.
 */
final class MemoryBudget {
  private static final long UNIT = 1024; // permits are KiB: a budget up to 2 TiB fits an int

  private final long capacityBytes;
  private final Duration wait;
  private final Semaphore permits;

  MemoryBudget(long capacityBytes, Duration wait) {
    if (capacityBytes < UNIT) {
      throw new IllegalArgumentException(
          "the memory budget must be at least " + UNIT + " bytes, got " + capacityBytes);
    }
    this.capacityBytes = capacityBytes;
    this.wait = wait;
    this.permits = new Semaphore(units(capacityBytes), true);
  }

  /** A reservation of {@code bytes}, released by {@code close()}. */
  final class Reservation implements AutoCloseable {
    private final int units;
    private boolean released;

    private Reservation(int units) {
      this.units = units;
    }

    @Override
    public void close() {
      if (!released) {
        released = true;
        permits.release(units);
      }
    }
  }

  /**
   * @param what the thing that needs the memory, for the error message ("decoding the 8192 x 8192
   *     16-bit RGBA image")
   * @throws ApiException 413 when {@code bytes} alone exceed the budget; 503 with Retry-After when
   *     the budget stays taken for the whole wait
   */
  Reservation reserve(long bytes, String what) {
    if (bytes > capacityBytes) {
      throw new ApiException(
          413,
          what
              + " needs "
              + mebibytes(bytes)
              + ", more than the server's memory budget of "
              + mebibytes(capacityBytes));
    }
    int units = Math.max(1, units(bytes));
    try {
      if (!permits.tryAcquire(units, wait.toMillis(), TimeUnit.MILLISECONDS)) {
        throw ApiException.busy(
            "the server is busy: "
                + what
                + " needs "
                + mebibytes(bytes)
                + " of its memory budget, held by other requests; retry later");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.busy("interrupted while waiting for memory");
    }
    return new Reservation(units);
  }

  private static int units(long bytes) {
    return (int) Math.min(Integer.MAX_VALUE, (bytes + UNIT - 1) / UNIT);
  }

  static String mebibytes(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }
}
