package org.chexnet.model.imports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.chexnet.model.Preprocessing;

/**
 * Checkpoints in the reproductions' layouts and PyTorch's outputs for them, written once per test
 * JVM by {@code src/test/python/torch_checkpoints.py} with Debian's PyTorch 1.13 / torchvision 0.14
 * into {@code target/torch-fixtures}.
 */
final class TorchFixtures {
  static final String PYTHON = "/usr/bin/python3";
  private static final Path SCRIPT = Path.of("src/test/python/torch_checkpoints.py");
  private static final Path DIR = Path.of("target/torch-fixtures").toAbsolutePath();
  private static boolean written;

  /** One fixture: the checkpoint, the images and PyTorch's probabilities. */
  record Fixture(Path checkpoint, Preprocessing preprocessing, byte[][] images, float[] expected) {}

  private TorchFixtures() {}

  static synchronized Fixture get(String name) throws IOException, InterruptedException {
    if (!written) {
      write();
      written = true;
    }
    Path folder = DIR.resolve(name);
    JsonNode json = new ObjectMapper().readTree(folder.resolve("fixture.json").toFile());
    int resize = json.get("resize").asInt();
    int cropSize = json.get("cropSize").asInt();
    Preprocessing preprocessing =
        switch (json.get("crop").asText()) {
          case "ten-crop" -> Preprocessing.tenCrop(resize, cropSize);
          case "center" -> Preprocessing.centerCrop(resize, cropSize);
          default -> Preprocessing.resize(resize);
        };
    int count = json.get("images").asInt();
    byte[] all = Files.readAllBytes(folder.resolve("images.u8"));
    assertEquals(count * resize * resize, all.length);
    byte[][] images = new byte[count][];
    for (int i = 0; i < count; i++) {
      images[i] = java.util.Arrays.copyOfRange(all, i * resize * resize, (i + 1) * resize * resize);
    }
    ByteBuffer bytes =
        ByteBuffer.wrap(Files.readAllBytes(folder.resolve("probabilities.f32")))
            .order(ByteOrder.LITTLE_ENDIAN);
    float[] expected = new float[bytes.remaining() / 4];
    bytes.asFloatBuffer().get(expected);
    return new Fixture(folder.resolve(json.get("file").asText()), preprocessing, images, expected);
  }

  private static void write() throws IOException, InterruptedException {
    requireTorch();
    Checkpointless.deleteTree(DIR);
    Process process =
        new ProcessBuilder(PYTHON, SCRIPT.toString(), "--out", DIR.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
      fail(SCRIPT + " failed:\n" + output);
    }
    System.out.print(output);
  }

  /** Fails the calling test, saying how to install PyTorch, when Debian's is not there. */
  static void requireTorch() throws IOException, InterruptedException {
    String why;
    try {
      Process check =
          new ProcessBuilder(PYTHON, "-c", "import torch, torchvision")
              .redirectErrorStream(true)
              .start();
      String output = new String(check.getInputStream().readAllBytes());
      if (check.waitFor(2, TimeUnit.MINUTES) && check.exitValue() == 0) {
        return;
      }
      why = output.strip();
    } catch (IOException e) {
      why = e.getMessage();
    }
    fail(
        "These tests compare with PyTorch, which "
            + PYTHON
            + " cannot import ("
            + why
            + "). Install Debian's: apt-get install -y python3-torch python3-torchvision");
  }

  /** Test-side recursive delete (the model module's is package-private). */
  static final class Checkpointless {
    private Checkpointless() {}

    static void deleteTree(Path root) throws IOException {
      if (!Files.exists(root)) {
        return;
      }
      try (var walk = Files.walk(root)) {
        for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }
}
