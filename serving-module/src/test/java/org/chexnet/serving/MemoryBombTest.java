package org.chexnet.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images small as uploads and huge decoded (an 8192 x 8192 16-bit RGBA PNG: 0.5 MB sent, 512 MiB of
 * pixels): the server reserves their memory before decoding, so at once they wait or get 503, and
 * one larger than the whole budget gets 413; the server never runs out of memory.
 */
class MemoryBombTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int AT_ONCE = 12;

  @TempDir static Path dir;
  private static TinyServedModel model;

  @BeforeAll
  static void export() throws Exception {
    model = TinyServedModel.export(dir.resolve("artifacts"));
  }

  @Test
  void twelveAtOnceGetOnly200Or503AndTheServerLivesOn() throws Exception {
    byte[] bomb = zeroRgba16Png(8192, 8192);
    assertTrue(bomb.length < 1 << 20, bomb.length + " bytes");
    // 2 GiB of heap: the default budget (half) holds one such image (768 MiB with the gray
    // conversion), twelve would need 9 GiB.
    try (ServerProcess server =
        ServerProcess.start(
            model.artifacts,
            dir.resolve("server.log"),
            List.of("-Xmx2g", "-XX:+UseSerialGC"),
            List.of())) {
      HttpClient http = HttpClient.newHttpClient();
      List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
      for (int i = 0; i < AT_ONCE; i++) {
        responses.add(
            http.sendAsync(predict(server.port(), bomb), HttpResponse.BodyHandlers.ofString()));
      }
      Map<Integer, Integer> statuses = new TreeMap<>();
      for (CompletableFuture<HttpResponse<String>> future : responses) {
        HttpResponse<String> response = future.get();
        statuses.merge(response.statusCode(), 1, Integer::sum);
        String context = response.statusCode() + " " + response.body() + "\n" + server.log();
        assertTrue(response.statusCode() == 200 || response.statusCode() == 503, context);
        JsonNode body = JSON.readTree(response.body());
        if (response.statusCode() == 503) {
          assertEquals(503, body.path("status").asInt(), context);
          assertTrue(body.path("error").asText().contains("memory budget"), context);
          assertEquals("2", response.headers().firstValue("Retry-After").orElse(""), context);
        } else {
          assertEquals(14, body.path("probabilities").size(), context);
        }
      }
      assertTrue(statuses.containsKey(200), "none decoded: " + statuses + "\n" + server.log());
      assertTrue(server.isAlive(), server.log());
      HttpResponse<String> health =
          http.send(
              HttpRequest.newBuilder(uri(server.port(), "/health")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, health.statusCode(), health.body());
      assertEquals(
          200,
          http.send(predict(server.port(), bomb), HttpResponse.BodyHandlers.ofString())
              .statusCode(),
          server.log());
      assertTrue(!server.log().contains("OutOfMemoryError"), server.log());
    }
  }

  @Test
  void anImageLargerThanTheWholeBudgetIs413NamingTheBudget() throws Exception {
    long budget = 64L << 20;
    try (ServingServer server =
        model.serve(
            new ServingServer.Options(
                "127.0.0.1", 0, 20L << 20, 8, Duration.ofMillis(5), budget))) {
      HttpClient http = HttpClient.newHttpClient();
      JsonNode info =
          JSON.readTree(
              http.send(
                      HttpRequest.newBuilder(uri(server.port(), "/api/v1/model")).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
      assertEquals(budget, info.path("memory_budget_bytes").asLong());

      // 4096 x 4096 x 8 bytes, and a float a pixel to convert it to gray: 192 MiB.
      HttpResponse<String> tooLarge =
          http.send(
              predict(server.port(), zeroRgba16Png(4096, 4096)),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(413, tooLarge.statusCode(), tooLarge.body());
      JsonNode error = JSON.readTree(tooLarge.body());
      assertEquals(413, error.path("status").asInt());
      assertTrue(
          error.path("error").asText().contains("4096 x 4096")
              && error.path("error").asText().contains("192.0 MiB")
              && error.path("error").asText().contains("memory budget of 64.0 MiB"),
          tooLarge.body());

      // A real X-ray (1024 x 1024 gray) fits.
      HttpResponse<String> xray =
          http.send(
              predict(server.port(), TinyServedModel.xrayPng()),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, xray.statusCode(), xray.body());
    }
  }

  private static URI uri(int port, String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private static HttpRequest predict(int port, byte[] png) {
    return HttpRequest.newBuilder(uri(port, "/api/v1/predict"))
        .timeout(Duration.ofMinutes(3))
        .header("Content-Type", "image/png")
        .POST(HttpRequest.BodyPublishers.ofByteArray(png))
        .build();
  }

  /**
   * A PNG of {@code width x height} 16-bit RGBA pixels, all zero: 8 bytes a pixel decoded, while
   * its zero rows deflate about a thousand to one. Written chunk by chunk, never held decoded.
   */
  static byte[] zeroRgba16Png(int width, int height) throws IOException {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    ByteBuffer header = ByteBuffer.allocate(13).putInt(width).putInt(height);
    header.put((byte) 16).put((byte) 6).put((byte) 0).put((byte) 0).put((byte) 0);
    chunk(png, "IHDR", header.array());
    ByteArrayOutputStream pixels = new ByteArrayOutputStream();
    try (DeflaterOutputStream deflate =
        new DeflaterOutputStream(pixels, new Deflater(Deflater.BEST_COMPRESSION))) {
      byte[] row = new byte[1 + width * 8]; // filter type 0, then the row
      for (int y = 0; y < height; y++) {
        deflate.write(row);
      }
    }
    chunk(png, "IDAT", pixels.toByteArray());
    chunk(png, "IEND", new byte[0]);
    return png.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream png, String type, byte[] data)
      throws IOException {
    byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
    png.write(ByteBuffer.allocate(4).putInt(data.length).array());
    png.write(typeBytes);
    png.write(data);
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data);
    png.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }
}
