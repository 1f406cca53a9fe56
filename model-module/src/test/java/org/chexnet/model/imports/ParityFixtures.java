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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.chexnet.model.Preprocessing;
import org.chexnet.model.PythonTools;

/**
 * Checkpoints in the reproductions' layouts and their own framework's outputs for them, written
 * once per test JVM: PyTorch's by {@code src/test/python/torch_checkpoints.py} with Debian's
 * PyTorch 1.13 / torchvision 0.14 into {@code target/torch-fixtures-GROUP}, Keras' by {@code
 * keras_checkpoints.py} with tf-keras 2.18 (installed by {@code setup-tf-keras.sh}) into {@code
 * target/keras-fixtures}. Each group of the script is written when one of its fixtures is first
 * asked for. The command line's end-to-end test takes its own ({@link #endToEnd}) from this
 * module's test jar.
 */
public final class ParityFixtures {
  static final String PYTHON = "/usr/bin/python3";
  private static final Path SCRIPTS =
      PythonTools.ROOT.resolve("model-module/src/test/python").toAbsolutePath();
  private static final Path KERAS_DIR = Path.of("target/keras-fixtures").toAbsolutePath();
  private static final Set<String> WRITTEN = new HashSet<>();
  private static boolean kerasWritten;

  /**
   * One fixture: the checkpoint, the images and the source framework's probabilities.
   *
   * @param images gray, row-major, at the preprocessing's resize size
   * @param pngs the same images as PNG files (end-to-end fixtures only; else empty)
   * @param expected the source's probabilities [images, classes], after its crops and their mean
   */
  public record Fixture(
      Path checkpoint,
      Preprocessing preprocessing,
      byte[][] images,
      List<Path> pngs,
      float[] expected) {}

  private ParityFixtures() {}

  /**
   * A full DenseNet-121 in a published layout, by name ({@code arnoweng-full}, {@code
   * zoogzog-full}, {@code jrzech-full}, {@code jrzech-legacy-full}, {@code
   * torchvision-logits-full}, {@code torchvision-parallel-full}).
   */
  static Fixture torch(String name) throws IOException, InterruptedException {
    return torch("parity", name);
  }

  /**
   * A tiny DenseNet (blocks (2, 1, 1, 2)) in a published layout, for what the parity fixtures
   * cannot show cheaply: error messages, cards, a ten-crop with an odd margin, a 3-output head
   * ({@code zoogzog-tiny}, {@code jrzech-tiny-legacy}, {@code torchvision-logits-tiny}, {@code
   * torchvision-parallel-tiny}, {@code torchvision-3-classes}).
   */
  static Fixture tiny(String name) throws IOException, InterruptedException {
    return torch("tiny", name);
  }

  /**
   * A fixture of the command line's end-to-end test: {@code e2e-arnoweng} (arnoweng's layout, a
   * torchvision DenseNet with blocks (1, 1, 1, 1), 256 px PNGs, ten-crop 224) or {@code e2e-jrzech}
   * (jrzech's whole pickled model of the same size, centre crop 224), written by PyTorch.
   */
  public static Fixture endToEnd(String name) throws IOException, InterruptedException {
    return torch("e2e", name);
  }

  private static synchronized Fixture torch(String group, String name)
      throws IOException, InterruptedException {
    Path dir = Path.of("target/torch-fixtures-" + group).toAbsolutePath();
    if (!WRITTEN.contains(group)) {
      requireTorch();
      deleteTree(dir);
      run(
          List.of(
              PYTHON,
              SCRIPTS.resolve("torch_checkpoints.py").toString(),
              "--out",
              dir.toString(),
              "--group",
              group));
      WRITTEN.add(group);
    }
    return read(dir.resolve(name));
  }

  /** brucechou1983's layout, a full DenseNet-121 at 224 px, with tf-keras's outputs. */
  static synchronized Fixture keras() throws IOException, InterruptedException {
    if (!kerasWritten) {
      String printed = run(List.of("bash", SCRIPTS.resolve("setup-tf-keras.sh").toString()));
      String[] lines = printed.strip().split("\n");
      Path python = Path.of(lines[lines.length - 1].strip(), "python");
      deleteTree(KERAS_DIR);
      run(
          List.of(
              python.toString(),
              SCRIPTS.resolve("keras_checkpoints.py").toString(),
              "--out",
              KERAS_DIR.toString()));
      kerasWritten = true;
    }
    return read(KERAS_DIR);
  }

  private static Fixture read(Path folder) throws IOException {
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
    List<Path> pngs = new java.util.ArrayList<>();
    json.path("pngs").forEach(png -> pngs.add(folder.resolve(png.asText())));
    return new Fixture(
        folder.resolve(json.get("file").asText()), preprocessing, images, pngs, expected);
  }

  /** Runs a command to completion; its output is the test's. */
  private static String run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(20, TimeUnit.MINUTES) || process.exitValue() != 0) {
      fail(String.join(" ", command) + " failed (needs python3 with pip and PyPI):\n" + output);
    }
    System.out.print(output);
    return output;
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

  private static void deleteTree(Path root) throws IOException {
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
