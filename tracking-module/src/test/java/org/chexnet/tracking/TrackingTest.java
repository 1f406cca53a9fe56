package org.chexnet.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which local store and which server a tracking URI and the environment select. */
class TrackingTest {
  @TempDir Path work;

  @Test
  void localDirectoryAloneHasNoServer() {
    Tracking tracking = Tracking.fromUri("mlruns", work, Map.of());
    assertEquals(work.resolve("mlruns"), tracking.local().root());
    assertEquals(Optional.empty(), tracking.remote());
  }

  @Test
  void serverUriKeepsTheLocalStoreInMlruns() {
    Tracking tracking = Tracking.fromUri("https://dagshub.com/me/chexnet.mlflow", work, Map.of());
    assertEquals(work.resolve("mlruns"), tracking.local().root());
    assertEquals(
        Optional.of(URI.create("https://dagshub.com/me/chexnet.mlflow")), tracking.remote());
  }

  @Test
  void environmentServerIsAddedToALocalDirectory() {
    Tracking tracking =
        Tracking.fromUri(
            "runs/local", work, Map.of(Tracking.TRACKING_URI_ENV, "http://127.0.0.1:5000"));
    assertEquals(work.resolve("runs/local"), tracking.local().root());
    assertEquals(Optional.of(URI.create("http://127.0.0.1:5000")), tracking.remote());

    Tracking fileUri =
        Tracking.fromUri(
            work.resolve("x").toUri().toString(),
            work,
            Map.of(Tracking.TRACKING_URI_ENV, "file:///elsewhere"));
    assertEquals(work.resolve("x"), fileUri.local().root());
    assertEquals(Optional.empty(), fileUri.remote());
  }

  @Test
  void halfSetBasicCredentialsStopBeforeAnyRun() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Tracking.fromUri(
                    "http://127.0.0.1:5000", work, Map.of(MlflowServer.USERNAME, "me")));
    assertTrue(error.getMessage().contains(MlflowServer.PASSWORD), error.getMessage());
  }
}
