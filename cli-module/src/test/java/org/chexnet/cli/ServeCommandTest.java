package org.chexnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.chexnet.dataset.Finding;
import org.chexnet.dataset.ImageDecoder;
import org.chexnet.dataset.ImageNetNormalization;
import org.chexnet.evaluation.calibration.ModelCalibration;
import org.chexnet.model.DenseNetConfig;
import org.chexnet.model.Preprocessing;
import org.chexnet.training.TrainableModel;
import org.chexnet.training.optimizers.Adam;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `chexnet serve`: a SavedModel on a port, and the settings it refuses. */
class ServeCommandTest {
  private static final Pattern URL = Pattern.compile("at (http://127\\.0\\.0\\.1:\\d+/)");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  /** A tiny DenseNet with random weights. */
  private static TrainableModel tinyModel() {
    return TrainableModel.create(
        DenseNetConfig.custom(List.of(1, 1), 4, 32, 14),
        new TrainableModel.AdamSettings(1e-3f, 0.9f, 0.999f, Adam.KERAS_EPSILON),
        1);
  }

  /** {@code chexnet serve ARGS --port 0} on a thread, once it says where it serves. */
  private record Serving(Thread thread, AtomicInteger code, String url, String printed) {
    static Serving start(String... args) throws Exception {
      StringWriter out = new StringWriter();
      CommandLine cli = Chexnet.commandLine();
      cli.setOut(new PrintWriter(out, true));
      AtomicInteger code = new AtomicInteger(-1);
      List<String> command = new ArrayList<>(List.of("serve"));
      command.addAll(List.of(args));
      command.addAll(List.of("--port", "0"));
      Thread thread = new Thread(() -> code.set(cli.execute(command.toArray(String[]::new))));
      thread.start();
      Matcher url = URL.matcher("");
      for (int i = 0; i < 600 && !url.reset(out.toString()).find(); i++) {
        Thread.sleep(100);
      }
      assertTrue(url.reset(out.toString()).find(), out.toString());
      return new Serving(thread, code, url.group(1), out.toString());
    }

    /** Interrupts the command as Ctrl-C would, and gives its exit code. */
    int stop() throws InterruptedException {
      thread.interrupt();
      thread.join(30_000);
      return code.get();
    }
  }

  @Test
  void servesASavedModelUntilInterrupted() throws Exception {
    Path savedModel = dir.resolve("saved_model");
    try (TrainableModel model = tinyModel()) {
      model.exportSavedModel(savedModel);
    }
    Serving serving = Serving.start("--model", savedModel.toString());
    HttpResponse<String> health = get(HttpClient.newHttpClient(), serving.url() + "health");
    assertEquals(200, health.statusCode());
    assertTrue(health.body().contains("\"status\":\"ok\""), health.body());
    assertEquals(0, serving.stop());
  }

  @Test
  void calibratedServingAppliesTheStoredCalibrationAndServesTheCard() throws Exception {
    // A run's artifacts: the SavedModel, its calibration and its card beside it.
    Path artifacts = dir.resolve("artifacts");
    byte[] png = grayPng(48);
    float[] own;
    try (TrainableModel model = tinyModel()) {
      model.exportSavedModel(artifacts.resolve("saved_model"));
      Path file = Files.write(dir.resolve("upload.png"), png);
      own =
          model.predict(
              ImageNetNormalization.toHwc(new ImageDecoder(32).decodeGray(file), 32, false), 1);
    }
    Path calibrationFile =
        Files.writeString(
            artifacts.resolve(ModelCalibration.FILE_NAME),
            PredictCommandTest.plattCalibration(321));
    Files.writeString(artifacts.resolve("model-card.md"), "# Model card: served\n");

    Serving serving = Serving.start("--model", artifacts.toString(), "--calibrated");
    assertTrue(
        serving.printed().contains("calibrated: Platt scaling fitted on 321 validation images"),
        serving.printed());
    HttpClient http = HttpClient.newHttpClient();
    JsonNode info = JSON.readTree(get(http, serving.url() + "api/v1/model").body());
    assertEquals("platt", info.path("calibration").path("method").asText());
    assertEquals("model-card", info.path("model_card").asText());
    assertEquals("# Model card: served\n", get(http, serving.url() + "model-card").body());

    HttpResponse<String> predicted = predict(http, serving.url(), png);
    assertEquals(200, predicted.statusCode(), predicted.body());
    JsonNode probabilities = JSON.readTree(predicted.body()).path("probabilities");
    float[] expected = ModelCalibration.read(calibrationFile).apply(own);
    List<String> findings = Finding.labels();
    for (int c = 0; c < findings.size(); c++) {
      assertEquals(
          expected[c], probabilities.path(findings.get(c)).asDouble(), 1e-5, findings.get(c));
    }
    assertEquals(0, serving.stop());
  }

  @Test
  void ttaTencropServesTheMeanOfTenCropsAndSaysSo() throws Exception {
    // A plain SavedModel's own preprocessing is the whole image; --tta tencrop overrides it.
    Path savedModel = dir.resolve("saved_model");
    Preprocessing tenCrops = Preprocessing.resize(32).tenCrops();
    byte[] png = grayPng(48);
    float[] expected;
    try (TrainableModel model = tinyModel()) {
      model.exportSavedModel(savedModel);
      Path file = Files.write(dir.resolve("upload.png"), png);
      float[] crops = tenCrops.inputs(tenCrops.decoder().decodeGray(file));
      expected = tenCrops.combine(model.predict(crops, 10), Finding.COUNT);
    }

    Serving serving = Serving.start("--model", savedModel.toString(), "--tta", "tencrop");
    assertTrue(serving.printed().contains(tenCrops.describe()), serving.printed());
    HttpClient http = HttpClient.newHttpClient();
    JsonNode info = JSON.readTree(get(http, serving.url() + "api/v1/model").body());
    assertEquals(tenCrops.describe(), info.path("preprocessing").asText());
    HttpResponse<String> predicted = predict(http, serving.url(), png);
    assertEquals(200, predicted.statusCode(), predicted.body());
    JsonNode probabilities = JSON.readTree(predicted.body()).path("probabilities");
    List<String> findings = Finding.labels();
    for (int c = 0; c < findings.size(); c++) {
      assertEquals(
          expected[c], probabilities.path(findings.get(c)).asDouble(), 1e-5, findings.get(c));
    }
    assertEquals(0, serving.stop());
  }

  /** POST /api/v1/predict with a PNG. */
  private static HttpResponse<String> predict(HttpClient http, String url, byte[] png)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url + "api/v1/predict"))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "image/png")
            .POST(HttpRequest.BodyPublishers.ofByteArray(png))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A gray gradient with a square, as a PNG. */
  private static byte[] grayPng(int size) throws Exception {
    BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        boolean square = x > size / 4 && x < size / 2 && y > size / 3 && y < size * 2 / 3;
        image.getRaster().setSample(x, y, 0, square ? 230 : (x * 3 + y * 2) % 200);
      }
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ImageIO.write(image, "png", bytes);
    return bytes.toByteArray();
  }

  @Test
  void aMissingModelOrBadLimitIsAUsageError() throws Exception {
    Files.createDirectories(dir.resolve("empty"));
    StringWriter err = new StringWriter();
    CommandLine cli = Chexnet.commandLine();
    cli.setErr(new PrintWriter(err, true));
    assertEquals(
        Chexnet.USAGE_ERROR, cli.execute("serve", "--model", dir.resolve("empty").toString()));
    assertTrue(err.toString().contains("no saved_model.pb"), err.toString());
    assertEquals(
        Chexnet.USAGE_ERROR,
        cli.execute("serve", "--model", dir.toString(), "--max-upload-bytes", "0"));
    assertTrue(err.toString().contains("max upload bytes"), err.toString());

    Path savedModel = dir.resolve("uncalibrated/saved_model");
    try (TrainableModel model = tinyModel()) {
      model.exportSavedModel(savedModel);
    }
    assertEquals(
        Chexnet.USAGE_ERROR,
        cli.execute("serve", "--model", savedModel.toString(), "--calibrated", "--port", "0"));
    assertTrue(
        err.toString()
            .contains(
                "error: --model " + savedModel + ": no calibration stored with this model (no"),
        err.toString());
  }
}
