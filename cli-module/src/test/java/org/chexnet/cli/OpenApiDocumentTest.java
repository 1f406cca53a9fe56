package org.chexnet.cli;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.chexnet.model.PythonTools;
import org.chexnet.serving.ServingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OpenAPI document `chexnet serve` publishes passes openapi-spec-validator (pinned). */
class OpenApiDocumentTest {
  @TempDir Path dir;

  @Test
  void theServingApiDocumentIsValidOpenApi() throws Exception {
    String document;
    try (InputStream in =
        ServingServer.class.getResourceAsStream("/org/chexnet/serving/openapi.json")) {
      document = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Path bin = PythonTools.venvBin(Path.of("src/test/python/requirements-openapi.txt"));
    Path file = dir.resolve("openapi.json");
    Files.writeString(file, document);
    String ok = validate(bin, file);
    assertTrue(ok.startsWith("0\n"), ok);
    // The validator does reject a broken document: the test would catch one.
    Files.writeString(
        file,
        document.replace("\"$ref\": \"#/components/schemas/Finding\"", "\"$ref\": \"#/nowhere\""));
    assertNotEquals('0', validate(bin, file).charAt(0));
  }

  /** "EXIT\nOUTPUT" of openapi-spec-validator on {@code file}. */
  private static String validate(Path bin, Path file) throws Exception {
    Process p =
        new ProcessBuilder(bin.resolve("openapi-spec-validator").toString(), file.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return p.waitFor() + "\n" + out;
  }
}
