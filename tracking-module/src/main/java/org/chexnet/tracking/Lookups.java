package org.chexnet.tracking;

import java.io.IOException;
import org.chexnet.common.ChexnetException;
import org.mlflow.tracking.MlflowClientException;

/**
 * Reads from a run store or an MLflow server whose "no such run", bad URI or refused server call is
 * the caller's input to fix: reported as one line ({@link ChexnetException.Kind#INVALID_INPUT}).
 */
public final class Lookups {
  private Lookups() {}

  /** A read that may throw what {@link #asInput} turns into one line. */
  public interface Lookup<T> {
    T get() throws IOException;
  }

  /**
   * Runs {@code lookup}; its IllegalArgumentException (no such run, bad URI) or failed server call
   * (unreachable, an error answer) becomes a {@link ChexnetException}.
   */
  public static <T> T asInput(Lookup<T> lookup) throws IOException {
    try {
      return lookup.get();
    } catch (IllegalArgumentException e) {
      throw ChexnetException.invalidInput(e.getMessage());
    } catch (MlflowClientException e) {
      throw ChexnetException.invalidInput("MLflow server: " + MlflowServer.describe(e));
    }
  }
}
