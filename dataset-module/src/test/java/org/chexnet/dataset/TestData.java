package org.chexnet.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.GZIPInputStream;

/** Test resources (real NIH files, see resources/chestxray14/ATTRIBUTION.md). */
final class TestData {
  static final String CSV = "Data_Entry_2017_v2020.first300.csv";
  static final String GRAY_IMAGE = "00005618_000.png";
  static final String OTHER_GRAY_IMAGE = "00000282_000.png";
  static final String RGBA_IMAGE = "00002578_000.png";

  private TestData() {}

  static Path resource(String name) throws IOException {
    try {
      return Path.of(TestData.class.getResource("/chestxray14/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IOException("missing test resource " + name, e);
    }
  }

  static Path realImage(String name) throws IOException {
    return resource("images/" + name);
  }

  /** A gzipped resource (the large real lists are stored compressed), unpacked into {@code dir}. */
  static Path gunzip(String name, Path dir) throws IOException {
    Path target = dir.resolve(Path.of(name).getFileName().toString().replaceFirst("\\.gz$", ""));
    try (InputStream in = new GZIPInputStream(Files.newInputStream(resource(name)))) {
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
    return target;
  }
}
