package org.chexnet.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tracking server that accepts connections and never answers (hung, or behind a proxy that
 * swallows requests): calls give up after MLFLOW_HTTP_REQUEST_TIMEOUT, and a mirrored run ends on
 * time, complete locally, with the command that copies it later.
 */
class UnansweringServerTest {
  private static final Map<String, String> TWO_SECONDS = Map.of(MlflowServer.REQUEST_TIMEOUT, "2");
  // Far below the 30 minutes a run waited for its mirror, far above the 2 s timeout.
  private static final Duration BOUND = Duration.ofSeconds(40);

  @TempDir Path temp;
  private ServerSocket listener;
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();

  @BeforeEach
  void listen() throws IOException {
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor =
        new Thread(
            () -> {
              try {
                while (true) {
                  accepted.add(listener.accept()); // held open, never read nor answered
                }
              } catch (IOException closed) {
                // The test is over.
              }
            },
            "silent-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  @AfterEach
  void close() throws IOException {
    listener.close();
    for (Socket socket : accepted) {
      socket.close();
    }
  }

  private URI uri() {
    return URI.create("http://127.0.0.1:" + listener.getLocalPort());
  }

  @Test
  void aCallGivesUpAfterTheRequestTimeout() {
    try (MlflowServer server = MlflowServer.connect(uri(), TWO_SECONDS)) {
      RuntimeException failure =
          assertTimeoutPreemptively(
              BOUND,
              () -> assertThrows(RuntimeException.class, () -> server.listRuns(Optional.empty())));
      String line = MlflowServer.describe(failure);
      assertTrue(line.contains("timed out"), line);
      assertEquals(1, accepted.size(), "one attempt, no retries");
    }
  }

  @Test
  void aMirroredRunEndsOnTimeCompleteLocally() throws Exception {
    Tracking tracking = Tracking.open(temp.resolve("mlruns"), Optional.of(uri()), TWO_SECONDS);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream err = System.err;
    Run run;
    try {
      System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
      run =
          assertTimeoutPreemptively(
              BOUND,
              () -> {
                Run started = tracking.startRun("silent", "unanswered");
                RemoteTrackingTest.logTraining(started, 0, 2);
                started.end(RunStatus.FINISHED);
                return started;
              });
    } finally {
      System.setErr(err);
    }
    assertEquals("FINISHED", tracking.local().readRun(run.id()).status());
    String output = log.toString(StandardCharsets.UTF_8);
    assertTrue(output.contains("timed out"), output);
    assertTrue(output.contains("chexnet runs push " + run.id() + " --to " + uri()), output);
  }

  @Test
  void aTimeoutThatIsNotAPositiveNumberIsRefused() {
    for (String bad : List.of("soon", "0", "-5")) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> MlflowServer.connect(uri(), Map.of(MlflowServer.REQUEST_TIMEOUT, bad)));
      assertTrue(e.getMessage().contains(MlflowServer.REQUEST_TIMEOUT), e.getMessage());
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
  }
}
