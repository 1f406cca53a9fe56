package org.chexnet.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Downloads a weight file and checks its MD5 (the hash Keras publishes) before it appears under its
 * name: the file is written to a temporary sibling and moved into place only when complete and
 * correct, so an interrupted or corrupted download never looks like a good file.
 */
public final class WeightsDownload {
  /** Told about progress after each chunk; {@code totalBytes} is -1 when the server did not say. */
  @FunctionalInterface
  public interface Progress {
    void bytesReceived(long received, long totalBytes);
  }

  private static final int CHUNK = 1 << 16;

  private WeightsDownload() {}

  /**
   * Fetches {@code url} into {@code target}, replacing it.
   *
   * @param expectedMd5 lower- or upper-case hex MD5 the content must have
   * @throws IOException on an HTTP error status, a network failure or a checksum mismatch (naming
   *     the URL, the expected and the actual hash); {@code target} is then left as it was
   */
  public static Path fetch(URI url, Path target, String expectedMd5, Progress progress)
      throws IOException, InterruptedException {
    Path directory = target.toAbsolutePath().getParent();
    Files.createDirectories(directory);
    HttpClient client =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(30))
            .build();
    HttpResponse<InputStream> response =
        client.send(
            HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    Path partial = Files.createTempFile(directory, target.getFileName() + ".", ".partial");
    try {
      MessageDigest md5 = md5();
      try (InputStream body = new DigestInputStream(response.body(), md5);
          OutputStream out = Files.newOutputStream(partial)) {
        if (response.statusCode() != 200) {
          throw new IOException(url + ": HTTP " + response.statusCode() + ", expected 200");
        }
        long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        byte[] buffer = new byte[CHUNK];
        long received = 0;
        for (int n; (n = body.read(buffer)) >= 0; ) {
          out.write(buffer, 0, n);
          received += n;
          progress.bytesReceived(received, total);
        }
      }
      String actual = HexFormat.of().formatHex(md5.digest());
      if (!actual.equals(expectedMd5.toLowerCase(Locale.ROOT))) {
        throw new IOException(
            url + ": MD5 is " + actual + ", expected " + expectedMd5 + " (corrupt or wrong file)");
      }
      Files.move(
          partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return target;
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  /** The hex MD5 of a file, to check one that is already there. */
  public static String md5Of(Path file) throws IOException {
    MessageDigest md5 = md5();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), md5)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(md5.digest());
  }

  private static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has MD5", e);
    }
  }
}
