package org.chexnet.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server started, used and stopped under the chexnet command's own logging configuration (INFO
 * and up): none of Jetty's start-up lines, nor Javalin's, nor its "version is N days old" warning.
 */
class QuietStartTest {
  /** Where the chexnet command's simplelogger.properties lives. */
  private static final Path CLI_RESOURCES = Path.of("..", "cli-module", "src", "main", "resources");

  @TempDir Path dir;

  @Test
  void startServeAndStopPrintNoJettyOrJavalinLines() throws Exception {
    assertTrue(
        Files.isRegularFile(CLI_RESOURCES.resolve("simplelogger.properties")),
        "the chexnet command's logging configuration is not at " + CLI_RESOURCES.toAbsolutePath());
    TinyServedModel model = TinyServedModel.export(dir.resolve("artifacts"));
    Path log = dir.resolve("serve.log");
    try (ServerProcess server =
        ServerProcess.start(model.artifacts, log, List.of(), List.of(CLI_RESOURCES))) {
      HttpResponse<String> health =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + server.port() + "/health"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, health.statusCode(), health.body());
    }
    String output = Files.readString(log);
    for (String line : output.lines().toList()) {
      String lower = line.toLowerCase(Locale.ROOT);
      assertFalse(
          lower.contains("jetty") || lower.contains("javalin") || lower.contains("days old"),
          output);
    }
  }
}
