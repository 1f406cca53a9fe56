package org.chexnet.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.chexnet.dataset.Finding;
import org.chexnet.model.ModelInfo;
import org.chexnet.model.ProbabilityCalibration;
import org.chexnet.model.SavedModelPredictor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REST API over a tiny exported DenseNet, and every kind of bad upload. */
class ServingApiTest {
  private static final long MAX_UPLOAD = 1 << 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static TinyServedModel model;
  private static ServingServer server;
  private static HttpClient http;

  @BeforeAll
  static void start() throws Exception {
    model = TinyServedModel.export(dir.resolve("artifacts"));
    server = startServer(8, Duration.ZERO);
    http = HttpClient.newHttpClient();
  }

  private static ServingServer startServer(int maxBatch, Duration window) throws IOException {
    return model.serve(new ServingServer.Options("127.0.0.1", 0, MAX_UPLOAD, maxBatch, window));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void predictGivesTheExportedModelsProbabilitiesWithThresholds() throws Exception {
    JsonNode body = json(post(server, "/api/v1/predict", TinyServedModel.xrayPng(), "image/png"));
    assertEquals(Finding.labels(), fieldNames(body.path("probabilities")));
    assertArrayEquals(model.expectedProbabilities, probabilities(body), 1e-5f);
    JsonNode thresholds = body.path("thresholds");
    assertEquals(TinyServedModel.EFFUSION_THRESHOLD, thresholds.path("Effusion").asDouble());
    assertTrue(thresholds.path("Hernia").isMissingNode(), "infinite threshold is no threshold");
    assertEquals(13, thresholds.size());
    List<String> positive = new ArrayList<>();
    body.path("positive").forEach(f -> positive.add(f.asText()));
    for (int c = 0; c < Finding.COUNT; c++) {
      String finding = Finding.labels().get(c);
      boolean over =
          thresholds.has(finding)
              && model.expectedProbabilities[c] >= thresholds.path(finding).asDouble();
      assertEquals(over, positive.contains(finding), finding);
    }
    assertEquals("artifacts", body.path("model").path("name").asText());
    assertEquals(1, body.path("batch_size").asInt());
  }

  @Test
  void multipartAndJpegUploadsArePredicted() throws Exception {
    byte[] png = TinyServedModel.xrayPng();
    // Jetty would spill a large part to a MultiPart* file in the temp directory (and delete it
    // after the request): watch for one being created.
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    WatchService watcher = tmp.getFileSystem().newWatchService();
    tmp.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
    HttpResponse<byte[]> response =
        post(
            server, "/api/v1/predict", multipart(png), "multipart/form-data; boundary=" + BOUNDARY);
    assertArrayEquals(model.expectedProbabilities, probabilities(json(response)), 1e-5f);
    assertError(
        post(
            server,
            "/api/v1/predict",
            multipart(new byte[(int) MAX_UPLOAD + 1000]),
            "multipart/form-data; boundary=" + BOUNDARY),
        413,
        "limit of " + MAX_UPLOAD);
    List<String> spilled = new ArrayList<>();
    for (WatchKey key = watcher.poll(); key != null; key = watcher.poll()) {
      for (WatchEvent<?> event : key.pollEvents()) {
        if (event.context() instanceof Path created
            && created.getFileName().toString().startsWith("MultiPart")) {
          spilled.add(created.toString());
        }
      }
      key.reset();
    }
    watcher.close();
    assertEquals(List.of(), spilled, "multipart parts written to " + tmp);

    ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
    ImageIO.write(ImageIO.read(new ByteArrayInputStream(png)), "jpeg", jpeg);
    JsonNode fromJpeg = json(post(server, "/api/v1/predict", jpeg.toByteArray(), "image/jpeg"));
    // Lossy compression moves the probabilities a little, not much.
    assertArrayEquals(model.expectedProbabilities, probabilities(fromJpeg), 0.05f);
  }

  @Test
  void camIsAHeatOverlayAtTheModelsInputSize() throws Exception {
    HttpResponse<byte[]> response =
        post(server, "/api/v1/cam?finding=Effusion", TinyServedModel.xrayPng(), "image/png");
    assertEquals(200, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
    assertEquals("image/png", response.headers().firstValue("Content-Type").orElse(""));
    BufferedImage overlay = ImageIO.read(new ByteArrayInputStream(response.body()));
    assertEquals(TinyServedModel.SIZE, overlay.getWidth());
    assertEquals(TinyServedModel.SIZE, overlay.getHeight());
    // Heat colours: red and blue differ somewhere, which a gray X-ray alone never has.
    boolean colored = false;
    for (int y = 0; y < overlay.getHeight() && !colored; y++) {
      for (int x = 0; x < overlay.getWidth() && !colored; x++) {
        int rgb = overlay.getRGB(x, y);
        colored = Math.abs(((rgb >> 16) & 0xff) - (rgb & 0xff)) > 40;
      }
    }
    assertTrue(colored, "no heat colours in the overlay");
    // The same map as the trained network's own ClassActivationMaps, to rounding.
    BufferedImage expected = model.expectedEffusionOverlay;
    for (int y = 0; y < overlay.getHeight(); y++) {
      for (int x = 0; x < overlay.getWidth(); x++) {
        int a = overlay.getRGB(x, y);
        int b = expected.getRGB(x, y);
        for (int shift = 0; shift <= 16; shift += 8) {
          assertEquals((b >> shift) & 0xff, (a >> shift) & 0xff, 2, "pixel " + x + "," + y);
        }
      }
    }
    float effusion = model.expectedProbabilities[Finding.EFFUSION.ordinal()];
    assertEquals(
        effusion,
        Float.parseFloat(response.headers().firstValue("X-Chexnet-Probability").orElseThrow()),
        1e-5f);
  }

  @Test
  void camOfAnUnknownOrMissingFindingIsRefused() throws Exception {
    byte[] png = TinyServedModel.xrayPng();
    JsonNode unknown = error(post(server, "/api/v1/cam?finding=Flu", png, "image/png"), 400);
    assertTrue(
        unknown.path("error").asText().contains("unknown finding 'Flu'"), unknown.toString());
    assertTrue(unknown.path("error").asText().contains("Pleural_Thickening"), unknown.toString());
    JsonNode missing = error(post(server, "/api/v1/cam", png, "image/png"), 400);
    assertTrue(missing.path("error").asText().contains("finding"), missing.toString());
  }

  @Test
  void modelHealthAndOpenApiDescribeTheServer() throws Exception {
    JsonNode info = json(get(server, "/api/v1/model"));
    assertEquals("artifacts", info.path("name").asText());
    assertTrue(info.path("version").isNull());
    assertEquals(TinyServedModel.MEAN_AUROC, info.path("test_mean_auroc").asDouble());
    assertEquals(14, info.path("test_auroc").size());
    assertEquals("youden", info.path("threshold_rule").asText());
    assertEquals(
        TinyServedModel.EFFUSION_THRESHOLD, info.path("thresholds").path("Effusion").asDouble());
    assertEquals(TinyServedModel.SIZE, info.path("image_size").asInt());
    assertEquals(MAX_UPLOAD, info.path("max_upload_bytes").asLong());
    assertEquals(14, info.path("findings").size());

    JsonNode health = json(get(server, "/health"));
    assertEquals("ok", health.path("status").asText());

    JsonNode openApi = json(get(server, "/api/v1/openapi.json"));
    assertEquals("3.0.3", openApi.path("openapi").asText());
    for (String path : List.of("/api/v1/predict", "/api/v1/cam", "/api/v1/model", "/health")) {
      assertTrue(openApi.path("paths").has(path), path);
    }

    HttpResponse<byte[]> page = get(server, "/");
    assertEquals(200, page.statusCode());
    assertTrue(new String(page.body(), StandardCharsets.UTF_8).contains("id=\"bars\""));
    error(get(server, "/etc/passwd"), 404);
    error(get(server, "/api/v1/../../etc/passwd"), 404);
  }

  /** Squares every probability: increasing, so thresholds map with the probabilities. */
  private static final ProbabilityCalibration SQUARED =
      new TestCalibration("squared, for the test", p -> p * p);

  @Test
  void aCalibratedServerServesCalibratedProbabilitiesAndThresholdsAndTheCard() throws Exception {
    // The shared server started before the card was written and serves no calibration.
    JsonNode plain = json(get(server, "/api/v1/model"));
    assertTrue(plain.path("calibration").isNull() && plain.path("model_card").isNull());
    assertTrue(error(get(server, "/model-card"), 404).path("error").asText().contains("no card"));
    assertTrue(
        json(post(server, "/api/v1/predict", TinyServedModel.xrayPng(), "image/png"))
            .path("calibration")
            .isNull());

    String card = "# Model card: artifacts\n\n**Not for diagnosis.**\n";
    Files.writeString(model.artifacts.resolve(ModelInfo.MODEL_CARD_MD), card);
    SavedModelPredictor predictor =
        SavedModelPredictor.load(model.artifacts.resolve("saved_model"), Finding.labels());
    try (ServingServer calibrated =
        ServingServer.start(
            ModelInfo.read("artifacts", null, null, "artifacts", model.artifacts),
            predictor,
            predictor.preprocessing(),
            Optional.of(SQUARED),
            new ServingServer.Options("127.0.0.1", 0, MAX_UPLOAD, 8, Duration.ZERO))) {
      JsonNode body =
          json(post(calibrated, "/api/v1/predict", TinyServedModel.xrayPng(), "image/png"));
      assertArrayEquals(SQUARED.apply(model.expectedProbabilities), probabilities(body), 1e-5f);
      assertEquals("squared, for the test", body.path("calibration").path("description").asText());
      double effusionThreshold = body.path("thresholds").path("Effusion").asDouble();
      float squaredThreshold = (float) TinyServedModel.EFFUSION_THRESHOLD;
      assertEquals(squaredThreshold * squaredThreshold, effusionThreshold, 1e-7);
      List<String> positive = new ArrayList<>();
      body.path("positive").forEach(f -> positive.add(f.asText()));
      int effusion = Finding.EFFUSION.ordinal();
      assertEquals(
          model.expectedProbabilities[effusion] >= TinyServedModel.EFFUSION_THRESHOLD,
          positive.contains("Effusion"));

      HttpResponse<byte[]> cam =
          post(calibrated, "/api/v1/cam?finding=Effusion", TinyServedModel.xrayPng(), "image/png");
      float p = model.expectedProbabilities[effusion];
      assertEquals(
          p * p,
          Float.parseFloat(cam.headers().firstValue("X-Chexnet-Probability").orElseThrow()),
          1e-5f);

      JsonNode info = json(get(calibrated, "/api/v1/model"));
      assertEquals("platt", info.path("calibration").path("method").asText());
      assertEquals("model-card", info.path("model_card").asText());
      assertEquals(effusionThreshold, info.path("thresholds").path("Effusion").asDouble());
      HttpResponse<byte[]> served = get(calibrated, "/model-card");
      assertEquals(200, served.statusCode());
      assertTrue(
          served.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
          "shown as text by every browser");
      assertEquals(card, new String(served.body(), StandardCharsets.UTF_8));
    } finally {
      Files.delete(model.artifacts.resolve(ModelInfo.MODEL_CARD_MD));
    }
  }

  @Test
  void badUploadsGetAClearJsonError() throws Exception {
    byte[] png = TinyServedModel.xrayPng();
    assertError(post(server, "/api/v1/predict", new byte[0], "image/png"), 400, "empty");
    assertError(
        post(server, "/api/v1/predict", "hello".getBytes(StandardCharsets.UTF_8), "text/plain"),
        400,
        "not an image");
    assertError(
        post(server, "/api/v1/predict", Arrays.copyOf(png, png.length / 2), "image/png"),
        400,
        "could not be decoded");
    assertError(post(server, "/api/v1/predict", encode(64, 64, "gif"), "image/gif"), 415, "gif");
    assertError(post(server, "/api/v1/predict", encode(64, 64, "bmp"), "image/bmp"), 415, "bmp");
    assertError(post(server, "/api/v1/predict", encode(8, 8, "png"), "image/png"), 422, "8 x 8");
    assertError(
        post(
            server,
            "/api/v1/predict",
            withPngDimensions(encode(64, 64, "png"), 100_000, 100_000),
            "image/png"),
        422,
        "100000 x 100000");
    assertError(
        post(server, "/api/v1/predict", new byte[(int) MAX_UPLOAD + 70_000], "image/png"),
        413,
        "limit of " + MAX_UPLOAD);
    // Chunked, so no Content-Length to refuse it by: the limit holds while reading.
    byte[] large = new byte[(int) MAX_UPLOAD + 70_000];
    assertError(
        http.send(
            request(server, "/api/v1/predict")
                .header("Content-Type", "image/png")
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(large)))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray()),
        413,
        "limit of " + MAX_UPLOAD);
    assertError(
        post(
            server,
            "/api/v1/predict",
            "--b--\r\n".getBytes(StandardCharsets.US_ASCII),
            "multipart/form-data; boundary=b"),
        400,
        "one file");
    assertError(
        post(server, "/api/v1/cam?finding=Effusion", encode(8, 8, "png"), "image/png"), 422, "8");
  }

  @Test
  void aHundredMalformedUploadsLeaveTheServerHealthy() throws Exception {
    byte[] png = TinyServedModel.xrayPng();
    Random random = new Random(100);
    for (int i = 0; i < 100; i++) {
      byte[] body =
          switch (i % 4) {
            case 0 -> randomBytes(random, 1 + random.nextInt(5000));
            case 1 -> Arrays.copyOf(png, 8 + random.nextInt(png.length / 2));
            case 2 -> corrupted(png, random);
            default -> withPngDimensions(encode(64, 64, "png"), 1 + random.nextInt(15), 70_000);
          };
      HttpResponse<byte[]> response = post(server, "/api/v1/predict", body, "image/png");
      int status = response.statusCode();
      assertTrue(
          status >= 400 && status < 500 || status == 200,
          i + ": " + status + " " + new String(response.body(), StandardCharsets.UTF_8));
      if (status != 200) {
        error(response, status);
      }
    }
    assertEquals("ok", json(get(server, "/health")).path("status").asText());
    assertArrayEquals(
        model.expectedProbabilities,
        probabilities(json(post(server, "/api/v1/predict", png, "image/png"))),
        1e-5f);
  }

  @Test
  void requestsArrivingTogetherShareOneModelRun() throws Exception {
    // A long window: the batch closes when its 4 images are there, not by time.
    try (ServingServer batching = startServer(4, Duration.ofSeconds(30))) {
      byte[] png = TinyServedModel.xrayPng();
      List<CompletableFuture<HttpResponse<byte[]>>> responses = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        responses.add(
            http.sendAsync(
                request(batching, "/api/v1/predict")
                    .header("Content-Type", "image/png")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(png))
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray()));
      }
      for (CompletableFuture<HttpResponse<byte[]>> response : responses) {
        JsonNode body = json(response.get());
        assertEquals(4, body.path("batch_size").asInt(), body.toString());
        assertArrayEquals(model.expectedProbabilities, probabilities(body), 1e-5f);
      }
      JsonNode health = json(get(batching, "/health"));
      assertEquals(4, health.path("largest_batch").asInt());
      assertEquals(1, health.path("batches").asInt());
    }
  }

  private static final String BOUNDARY = "chexnet-test-boundary";

  private static byte[] multipart(byte[] file) throws IOException {
    ByteArrayOutputStream multipart = new ByteArrayOutputStream();
    multipart.write(
        ("--"
                + BOUNDARY
                + "\r\nContent-Disposition: form-data; name=\"image\";"
                + " filename=\"x.png\"\r\nContent-Type: image/png\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    multipart.write(file);
    multipart.write(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    return multipart.toByteArray();
  }

  private static byte[] randomBytes(Random random, int n) {
    byte[] bytes = new byte[n];
    random.nextBytes(bytes);
    return bytes;
  }

  /** The PNG with a run of its compressed image data overwritten. */
  private static byte[] corrupted(byte[] png, Random random) {
    byte[] copy = png.clone();
    int start = 100 + random.nextInt(copy.length - 200);
    for (int i = start; i < Math.min(copy.length - 12, start + 64); i++) {
      copy[i] = (byte) random.nextInt();
    }
    return copy;
  }

  static byte[] encode(int width, int height, String format) throws IOException {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(image, format, out), format);
    return out.toByteArray();
  }

  /** A PNG whose header claims other dimensions (a decompression bomb's trick), CRC fixed up. */
  static byte[] withPngDimensions(byte[] png, int width, int height) {
    byte[] copy = png.clone();
    for (int i = 0; i < 4; i++) {
      copy[16 + i] = (byte) (width >>> (24 - 8 * i));
      copy[20 + i] = (byte) (height >>> (24 - 8 * i));
    }
    CRC32 crc = new CRC32();
    crc.update(copy, 12, 17);
    long value = crc.getValue();
    for (int i = 0; i < 4; i++) {
      copy[29 + i] = (byte) (value >>> (24 - 8 * i));
    }
    return copy;
  }

  private static void assertError(HttpResponse<byte[]> response, int status, String text)
      throws IOException {
    JsonNode body = error(response, status);
    assertTrue(body.path("error").asText().contains(text), body.toString());
  }

  private static JsonNode error(HttpResponse<byte[]> response, int status) throws IOException {
    String text = new String(response.body(), StandardCharsets.UTF_8);
    assertEquals(status, response.statusCode(), text);
    assertTrue(
        response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
        text);
    JsonNode body = JSON.readTree(text);
    assertEquals(status, body.path("status").asInt(), text);
    assertNotNull(body.path("error").textValue(), text);
    return body;
  }

  static JsonNode json(HttpResponse<byte[]> response) throws IOException {
    String text = new String(response.body(), StandardCharsets.UTF_8);
    assertEquals(200, response.statusCode(), text);
    return JSON.readTree(text);
  }

  private static float[] probabilities(JsonNode body) {
    float[] values = new float[Finding.COUNT];
    for (int c = 0; c < Finding.COUNT; c++) {
      JsonNode p = body.path("probabilities").path(Finding.labels().get(c));
      assertNotEquals(true, p.isMissingNode(), Finding.labels().get(c));
      values[c] = (float) p.asDouble();
    }
    return values;
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  static HttpRequest.Builder request(ServingServer target, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target.port() + path))
        .timeout(Duration.ofSeconds(120));
  }

  static HttpResponse<byte[]> get(ServingServer target, String path) throws Exception {
    return http.send(request(target, path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static HttpResponse<byte[]> post(
      ServingServer target, String path, byte[] body, String contentType) throws Exception {
    return http.send(
        request(target, path)
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }
}
