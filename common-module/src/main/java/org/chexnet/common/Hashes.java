package org.chexnet.common;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Content hashes as lower-case hex (the JDK's {@link HexFormat}). A "digest" in this project is
 * {@code sha256:} followed by the hex, as in run tags and manifests.
 */
public final class Hashes {
  public static final String DIGEST_PREFIX = "sha256:";
  private static final HexFormat HEX = HexFormat.of();

  private Hashes() {}

  public static MessageDigest sha256() {
    return algorithm("SHA-256");
  }

  /**
   * MD5: only where another tool defines it (files whose publisher gives MD5, such as Keras' weight
   * files; the ids of MLflow's file store).
   */
  public static MessageDigest md5() {
    return algorithm("MD5");
  }

  public static String hex(byte[] bytes) {
    return HEX.formatHex(bytes);
  }

  public static String sha256Hex(byte[] bytes) {
    return hex(sha256().digest(bytes));
  }

  /** {@code sha256:} and the hex of the UTF-8 text. */
  public static String digest(String text) {
    return DIGEST_PREFIX + sha256Hex(text.getBytes(StandardCharsets.UTF_8));
  }

  public static String sha256Hex(Path file) throws IOException {
    return hex(update(sha256(), file).digest());
  }

  /** Reads {@code file} through {@code digest}; returns it for {@code digest()}. */
  public static MessageDigest update(MessageDigest digest, Path file) throws IOException {
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
        digest.update(buffer, 0, read);
      }
    }
    return digest;
  }

  private static MessageDigest algorithm(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime must provide " + algorithm, e);
    }
  }
}
