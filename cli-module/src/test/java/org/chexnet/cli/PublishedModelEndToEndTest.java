package org.chexnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.chexnet.common.Hashes;
import org.chexnet.dataset.Finding;
import org.chexnet.model.ModelCard;
import org.chexnet.model.imports.ParityFixtures;
import org.chexnet.tracking.MlflowTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A published-layout checkpoint written by PyTorch (Debian's python3-torch 1.13: arnoweng's layout,
 * a torchvision DenseNet with blocks (1, 1, 1, 1), random weights and batch-norm statistics)
 * through the command line only: imported, predicted with the card's ten-crop preprocessing (equal
 * to PyTorch's probabilities on the same PNGs), evaluated beside a second imported model (jrzech's
 * layout) with the paired DeLong test, localized with class activation map overlays, registered to
 * a real MLflow server and served from the registry: the served prediction equals the command
 * line's, and the model endpoint says where the model came from and what its project published.
 */
class PublishedModelEndToEndTest {
  private static final double TOLERANCE = 1e-4;
  private static final Pattern URL = Pattern.compile("at (http://127\\.0\\.0\\.1:\\d+/)");

  @TempDir Path dir;

  @Test
  void anImportedCheckpointIsPredictedEvaluatedLocalizedRegisteredAndServed() throws Exception {
    ParityFixtures.Fixture arnoweng = ParityFixtures.endToEnd("e2e-arnoweng");
    ParityFixtures.Fixture jrzech = ParityFixtures.endToEnd("e2e-jrzech");
    Path images = dir.resolve("images");
    Files.createDirectories(images);
    for (Path png : arnoweng.pngs()) {
      Files.copy(png, images.resolve(png.getFileName()));
    }
    List<String> names = arnoweng.pngs().stream().map(p -> p.getFileName().toString()).toList();

    // Import: the layout recognised, the card on disk.
    Path model = dir.resolve("models/arnoweng");
    Outcome imported =
        chexnet("models", "import", arnoweng.checkpoint().toString(), "--out", model.toString());
    assertEquals(0, imported.exit(), imported.err());
    assertTrue(imported.out().contains("arnoweng layout"), imported.out());
    ModelCard card = ModelCard.read(model);
    assertEquals("arnoweng/CheXNet", card.source().project());
    assertEquals(Hashes.sha256Hex(arnoweng.checkpoint()), card.source().sha256());
    assertEquals(arnoweng.preprocessing(), card.preprocessing(), "ten-crop 224 of 256");
    Path baselineModel = dir.resolve("models/jrzech");
    Outcome second =
        chexnet(
            "models",
            "import",
            jrzech.checkpoint().toString(),
            "--out",
            baselineModel.toString(),
            "--format",
            "jrzech");
    assertEquals(0, second.exit(), second.err());

    // Predict: the card's preprocessing, applied by predict itself, gives PyTorch's numbers.
    Path predictions = dir.resolve("arnoweng.csv");
    Outcome predicted =
        chexnet(
            "predict",
            "--model",
            model.toString(),
            "--images",
            images.toString(),
            "--out",
            predictions.toString());
    assertEquals(0, predicted.exit(), predicted.err());
    assertTrue(predicted.out().contains("ten-crop 224"), predicted.out());
    Map<String, float[]> rows = read(predictions);
    double diff = 0;
    for (int i = 0; i < names.size(); i++) {
      float[] row = rows.get(names.get(i));
      for (int c = 0; c < Finding.COUNT; c++) {
        diff = Math.max(diff, Math.abs(row[c] - arnoweng.expected()[i * Finding.COUNT + c]));
      }
    }
    System.out.printf(
        "End to end: chexnet predict vs PyTorch, arnoweng layout, ten-crop: max abs diff %.3g%n",
        diff);
    assertTrue(diff < TOLERANCE, "probabilities differ from PyTorch's by " + diff);

    // Evaluate: both models predict the same images, then the paired comparison.
    Path labels = dir.resolve("labels.txt");
    StringBuilder list = new StringBuilder();
    for (int i = 0; i < names.size(); i++) {
      list.append(names.get(i));
      for (int c = 0; c < Finding.COUNT; c++) {
        list.append(' ').append((i + c) % 2); // each class: two positives, two negatives
      }
      list.append('\n');
    }
    Files.writeString(labels, list);
    Path report = dir.resolve("evaluation");
    Outcome evaluated =
        chexnet(
            "evaluate",
            "--model",
            model.toString(),
            "--baseline",
            baselineModel.toString(),
            "--images",
            images.toString(),
            "--labels",
            labels.toString(),
            "--out",
            report.toString(),
            "--bootstrap",
            "50");
    assertEquals(0, evaluated.exit(), evaluated.err());
    assertEquals(
        Files.readString(predictions),
        Files.readString(report.resolve("arnoweng-predictions.csv")));
    assertTrue(Files.isRegularFile(report.resolve("baseline-jrzech-predictions.csv")));
    JsonNode metrics = new ObjectMapper().readTree(report.resolve("metrics.json").toFile());
    assertEquals(
        "baseline-jrzech-predictions.csv", metrics.path("vs_baseline").path("name").asText());
    String markdown = Files.readString(report.resolve("report.md"));
    assertTrue(markdown.contains("Paired comparison with baseline-jrzech"), markdown);
    assertTrue(markdown.contains("DeLong"), markdown);

    // Localize: maps of the whole image at 224; a whole-image box always holds the peak.
    Path bbox = dir.resolve("BBox_List_2017.csv");
    Files.writeString(
        bbox,
        "Image Index,Finding Label,Bbox [x,y,w,h],,,\n"
            + names.get(0)
            + ",Effusion,0,0,256,256,,,\n"
            + names.get(1)
            + ",Atelectasis,0,0,256,256,,,\n");
    Path localization = dir.resolve("localization");
    Outcome localized =
        chexnet(
            "localize",
            "--model",
            model.toString(),
            "--bbox",
            bbox.toString(),
            "--images",
            images.toString(),
            "--out",
            localization.toString(),
            "--overlays");
    assertEquals(0, localized.exit(), localized.err());
    assertTrue(
        Files.readString(localization.resolve("localization.md"))
            .contains("the whole image resized to 224 x 224"));
    List<String> perFinding = Files.readAllLines(localization.resolve("localization.csv"));
    assertTrue(perFinding.get(1).startsWith("Effusion,1,1.0,"), perFinding.toString());
    assertTrue(perFinding.get(2).startsWith("Atelectasis,1,1.0,"), perFinding.toString());
    BufferedImage overlay =
        ImageIO.read(
            localization
                .resolve("cams")
                .resolve(names.get(0).replace(".png", "") + "_Effusion.png")
                .toFile());
    assertEquals(224, overlay.getWidth());

    try (MlflowTestServer server = MlflowTestServer.start(dir.resolve("mlflow"))) {
      // Register the model directory and read it back with MLflow's own client.
      Outcome registered =
          chexnet(
              "models",
              "register",
              model.toString(),
              "--name",
              "arnoweng",
              "--alias",
              "champion",
              "--to",
              server.uri().toString());
      assertEquals(0, registered.exit(), registered.err());
      JsonNode files = server.readModel("models:/arnoweng@champion").path("files");
      Map<String, String> expected = new TreeMap<>();
      try (Stream<Path> walk = Files.walk(model)) {
        for (Path file : walk.filter(Files::isRegularFile).toList()) {
          expected.put(model.relativize(file).toString(), Hashes.sha256Hex(file));
        }
      }
      Map<String, String> served = new TreeMap<>();
      files.fields().forEachRemaining(e -> served.put(e.getKey(), e.getValue().asText()));
      assertEquals(
          expected, served, "the registered version is the model directory, card included");

      // Serve it from the registry.
      StringWriter out = new StringWriter();
      CommandLine cli = Chexnet.commandLine();
      cli.setOut(new PrintWriter(out, true));
      AtomicInteger code = new AtomicInteger(-1);
      Thread serving =
          new Thread(
              () ->
                  code.set(
                      cli.execute(
                          "serve",
                          "--model",
                          "models:/arnoweng@champion",
                          "--from",
                          server.uri().toString(),
                          "--cache",
                          dir.resolve("cache").toString(),
                          "--port",
                          "0")));
      serving.start();
      Matcher url = URL.matcher("");
      for (int i = 0; i < 900 && !url.reset(out.toString()).find() && serving.isAlive(); i++) {
        Thread.sleep(100);
      }
      assertTrue(url.reset(out.toString()).find(), out.toString());
      String base = url.group(1);
      HttpClient http = HttpClient.newHttpClient();
      assertEquals(200, get(http, base + "health").statusCode());

      JsonNode info = new ObjectMapper().readTree(get(http, base + "api/v1/model").body());
      JsonNode source = info.path("imported");
      assertEquals("arnoweng/CheXNet", source.path("project").asText());
      assertEquals(card.source().file(), source.path("file").asText());
      assertEquals(card.source().sha256(), source.path("sha256").asText());
      JsonNode published = source.path("published_auroc").get(0);
      assertEquals(card.published().get(0).mean(), published.path("mean").asDouble());
      assertEquals(
          "https://github.com/arnoweng/CheXNet#comparsion", published.path("citation").asText());
      assertTrue(info.path("test_mean_auroc").isNull(), "no test AUROC of ours: " + info);
      assertTrue(info.path("preprocessing").asText().contains("ten-crop 224"), info.toString());

      HttpResponse<String> prediction =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "api/v1/predict"))
                  .timeout(Duration.ofSeconds(60))
                  .header("Content-Type", "image/png")
                  .POST(HttpRequest.BodyPublishers.ofFile(images.resolve(names.get(2))))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, prediction.statusCode(), prediction.body());
      JsonNode probabilities = new ObjectMapper().readTree(prediction.body()).path("probabilities");
      float[] cli2 = rows.get(names.get(2));
      double httpDiff = 0;
      for (int c = 0; c < Finding.COUNT; c++) {
        httpDiff =
            Math.max(
                httpDiff,
                Math.abs(probabilities.path(Finding.labels().get(c)).asDouble() - cli2[c]));
      }
      System.out.printf("End to end: served vs chexnet predict: max abs diff %.3g%n", httpDiff);
      assertTrue(httpDiff < 1e-5, "served probabilities differ from predict's by " + httpDiff);
      assertTrue(get(http, base).body().contains("model-info"));
      serving.interrupt();
      serving.join(30_000);
      assertEquals(0, code.get());
    }
  }

  @Test
  void aFileThatIsNoCheckpointIsOneLineAndExitTwo() throws Exception {
    Path text = Files.writeString(dir.resolve("notes.pth"), "not a checkpoint");
    Outcome refused =
        chexnet("models", "import", text.toString(), "--out", dir.resolve("m").toString());
    assertEquals(Chexnet.USAGE_ERROR, refused.exit());
    assertEquals(
        "error: " + text + ": neither a PyTorch checkpoint (zip or legacy) nor Keras HDF5 weights",
        refused.err());
    Outcome format =
        chexnet(
            "models",
            "import",
            text.toString(),
            "--out",
            dir.resolve("m").toString(),
            "--format",
            "caffe");
    assertEquals(Chexnet.USAGE_ERROR, format.exit());
    assertTrue(format.err().startsWith("error: --format: unknown format 'caffe'"), format.err());
    assertFalse(format.err().contains("\n"), format.err());
    assertFalse(Files.exists(dir.resolve("m")));
  }

  private record Outcome(int exit, String out, String err) {}

  private static Outcome chexnet(String... args) {
    CommandLine cli = Chexnet.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Outcome(exit, out.toString(), err.toString().trim());
  }

  /** A predictions CSV's rows by image name. */
  private static Map<String, float[]> read(Path csv) throws Exception {
    List<String> lines = Files.readAllLines(csv);
    Map<String, float[]> rows = new TreeMap<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split(",");
      float[] row = new float[cells.length - 1];
      for (int c = 0; c < row.length; c++) {
        row[c] = Float.parseFloat(cells[c + 1]);
      }
      rows.put(cells[0], row);
    }
    return rows;
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
