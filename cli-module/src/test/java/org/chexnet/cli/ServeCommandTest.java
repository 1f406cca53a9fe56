package org.chexnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.chexnet.model.DenseNetConfig;
import org.chexnet.training.TrainableModel;
import org.chexnet.training.optimizers.Adam;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `chexnet serve`: a SavedModel on a port, and the settings it refuses. */
class ServeCommandTest {
  private static final Pattern URL = Pattern.compile("at (http://127\\.0\\.0\\.1:\\d+/)");

  @TempDir Path dir;

  @Test
  void servesASavedModelUntilInterrupted() throws Exception {
    Path savedModel = dir.resolve("saved_model");
    try (TrainableModel model =
        TrainableModel.create(
            DenseNetConfig.custom(List.of(1, 1), 4, 32, 14),
            new TrainableModel.AdamSettings(1e-3f, 0.9f, 0.999f, Adam.KERAS_EPSILON),
            1)) {
      model.exportSavedModel(savedModel);
    }
    StringWriter out = new StringWriter();
    CommandLine cli = Chexnet.commandLine();
    cli.setOut(new PrintWriter(out, true));
    AtomicInteger code = new AtomicInteger(-1);
    Thread serving =
        new Thread(
            () -> code.set(cli.execute("serve", "--model", savedModel.toString(), "--port", "0")));
    serving.start();
    Matcher url = URL.matcher("");
    for (int i = 0; i < 600 && !url.reset(out.toString()).find(); i++) {
      Thread.sleep(100);
    }
    assertTrue(url.reset(out.toString()).find(), out.toString());
    HttpResponse<String> health =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url.group(1) + "health"))
                    .timeout(Duration.ofSeconds(30))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, health.statusCode());
    assertTrue(health.body().contains("\"status\":\"ok\""), health.body());
    serving.interrupt();
    serving.join(30_000);
    assertEquals(0, code.get());
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
  }
}
