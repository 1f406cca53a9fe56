package org.chexnet.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests an attacker sends rather than a browser: uploads that stall half-way, multipart bodies
 * that are not multipart, lines that are not HTTP. Each gets a JSON error without internals, and
 * the server keeps answering everyone else.
 */
class HostileClientsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int STALLED = 300;

  @TempDir static Path dir;
  private static ServingServer server;

  @BeforeAll
  static void start() throws Exception {
    TinyServedModel model = TinyServedModel.export(dir.resolve("artifacts"));
    server = model.serve(new ServingServer.Options("127.0.0.1", 0, 20L << 20, 8, Duration.ZERO));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void uploadsThatStallHalfWayNeitherBlockOthersNorLeakInternals() throws Exception {
    List<Socket> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < STALLED; i++) {
        // Headers announcing 10 MB, then 4 bytes of it (or 100 kB: fast enough for a while), then
        // nothing; raw and multipart.
        Socket socket = RawHttp.connect(server.port(), Duration.ofSeconds(60));
        String contentType =
            i % 2 == 0 ? "image/png" : "multipart/form-data; boundary=chexnet-boundary";
        RawHttp.send(
            socket,
            post("/api/v1/predict", contentType, 10_000_000),
            new byte[i % 4 < 2 ? 4 : 100_000]);
        stalled.add(socket);
      }
      HttpResponse<String> health =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + server.port() + "/health"))
                      .timeout(Duration.ofSeconds(1))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, health.statusCode(), health.body());

      // Each times out (408) or, when all upload slots were taken, was refused at once (503).
      Map<String, Integer> statuses = new TreeMap<>();
      for (int i = 0; i < stalled.size(); i++) {
        RawHttp.Response response = RawHttp.read(stalled.get(i));
        assertJsonError(response, List.of(408, 503));
        String kind = (i % 2 == 0 ? "raw" : "multipart") + (i % 4 < 2 ? " 4 B" : " 100 kB");
        statuses.merge(kind + " " + response.status(), 1, Integer::sum);
      }
      for (String kind : List.of("raw 4 B", "multipart 4 B", "raw 100 kB", "multipart 100 kB")) {
        assertTrue(statuses.containsKey(kind + " 408"), kind + ": " + statuses);
      }
    } finally {
      for (Socket socket : stalled) {
        socket.close();
      }
    }
  }

  @Test
  void anUploadTrickledInGets408() throws Exception {
    // 64 kB announced: due within the read timeout plus 2 s at the minimum rate; a byte every
    // 0.5 s never leaves the connection idle long enough for the idle timeout.
    int length = 64 * 1024;
    try (Socket socket = RawHttp.connect(server.port(), Duration.ofSeconds(60))) {
      RawHttp.send(socket, post("/api/v1/predict", "image/png", length), new byte[1]);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      for (int sent = 1; sent < length && socket.getInputStream().available() == 0; sent++) {
        assertTrue(System.nanoTime() < deadline, "no answer to a trickled upload in 30 s");
        Thread.sleep(500);
        try {
          socket.getOutputStream().write(0);
        } catch (IOException closedAfterTheAnswer) {
          break;
        }
      }
      assertJsonError(RawHttp.read(socket), List.of(408));
    }
  }

  @Test
  void malformedRequestsGetAJsonErrorAndAtMostOneLogLine() throws Exception {
    PrintStream err = System.err;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    List<RawHttp.Response> multipart = new ArrayList<>();
    try {
      System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
      byte[] garbage = "this is not multipart\r\n".repeat(20).getBytes(StandardCharsets.UTF_8);
      multipart.add(
          RawHttp.exchange(
              server.port(),
              post("/api/v1/predict", "multipart/form-data; boundary=XYZ", garbage.length),
              garbage));
      multipart.add(
          RawHttp.exchange(
              server.port(),
              post("/api/v1/cam?finding=Effusion", "multipart/form-data", garbage.length),
              garbage));
    } finally {
      System.setErr(err);
    }
    for (RawHttp.Response response : multipart) {
      assertJsonError(response, List.of(400));
    }
    String lines = log.toString(StandardCharsets.UTF_8);
    assertTrue(lines.lines().count() <= multipart.size(), lines);
    assertFalse(lines.contains("\tat "), lines);

    assertJsonError(
        RawHttp.exchange(
            server.port(),
            "POST /api/v1/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n",
            new byte[0]),
        List.of(400));
    for (String path : List.of("/%", "/%zz", "/api/v1/%00")) {
      assertJsonError(
          RawHttp.exchange(
              server.port(), "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n", new byte[0]),
          List.of(400));
    }
    for (String method : List.of("GET", "DELETE", "PUT")) {
      RawHttp.Response wrong =
          RawHttp.exchange(
              server.port(),
              method + " /api/v1/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n",
              new byte[0]);
      assertJsonError(wrong, List.of(405));
      assertEquals("POST", wrong.header("Allow"), wrong.toString());
    }
  }

  private static String post(String path, String contentType, long contentLength) {
    return "POST "
        + path
        + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
        + contentType
        + "\r\nContent-Length: "
        + contentLength
        + "\r\n";
  }

  /** A JSON error with one of those statuses that names no Java class. */
  static void assertJsonError(RawHttp.Response response, List<Integer> statuses)
      throws IOException {
    String text = response.toString();
    assertTrue(statuses.contains(response.status()), text);
    assertTrue(response.header("Content-Type").startsWith("application/json"), text);
    JsonNode body = JSON.readTree(response.body());
    assertEquals(response.status(), body.path("status").asInt(), text);
    String error = body.path("error").asText();
    assertFalse(error.isBlank(), text);
    for (String internal : Arrays.asList("Exception", "java.", "org.eclipse", "io.javalin")) {
      assertFalse(error.contains(internal), text);
    }
  }
}
