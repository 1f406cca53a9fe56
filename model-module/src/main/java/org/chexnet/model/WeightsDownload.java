package org.chexnet.model;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Locale;
import org.chexnet.common.AtomicFiles;
import org.chexnet.common.Hashes;
import org.chexnet.common.Reporter;

/**
 * Downloads a weight file and checks its MD5 (the hash Keras publishes) before it appears under its
 * name: the file is written to a temporary sibling and moved into place only when complete and
 * correct, so an interrupted or corrupted download never looks like a good file.
 */
public final class WeightsDownload {
  private static final int CHUNK = 1 << 16;

  private WeightsDownload() {}

  /**
   * Fetches {@code url} into {@code target}, replacing it.
   *
   * @param expectedMd5 lower- or upper-case hex MD5 the content must have
   * @param reporter shows the bytes received
   * @throws IOException on an HTTP error status, a network failure or a checksum mismatch (naming
   *     the URL, the expected and the actual hash); {@code target} is then left as it was
   */
  public static Path fetch(URI url, Path target, String expectedMd5, Reporter reporter)
      throws IOException, InterruptedException {
    HttpClient client =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(30))
            .build();
    HttpResponse<InputStream> response =
        client.send(
            HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    AtomicFiles.write(
        target,
        out -> {
          if (response.statusCode() != 200) {
            response.body().close();
            throw new IOException(url + ": HTTP " + response.statusCode() + ", expected 200");
          }
          MessageDigest md5 = Hashes.md5();
          long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
          try (InputStream body = new DigestInputStream(response.body(), md5);
              Reporter.Task task =
                  reporter.task(target.getFileName().toString(), total, Reporter.Unit.BYTES)) {
            byte[] buffer = new byte[CHUNK];
            for (int n; (n = body.read(buffer)) >= 0; ) {
              out.write(buffer, 0, n);
              task.step(n);
            }
          }
          String actual = Hashes.hex(md5.digest());
          if (!actual.equals(expectedMd5.toLowerCase(Locale.ROOT))) {
            throw new IOException(
                url
                    + ": MD5 is "
                    + actual
                    + ", expected "
                    + expectedMd5
                    + " (corrupt or wrong file)");
          }
        });
    return target;
  }

  /**
   * {@link #fetch}, unless {@code target} is already there with the expected MD5.
   *
   * @return whether it was downloaded
   */
  public static boolean fetchUnlessPresent(
      URI url, Path target, String expectedMd5, Reporter reporter)
      throws IOException, InterruptedException {
    if (Files.isRegularFile(target) && md5Of(target).equals(expectedMd5.toLowerCase(Locale.ROOT))) {
      return false;
    }
    reporter.info("Downloading " + url);
    fetch(url, target, expectedMd5, reporter);
    return true;
  }

  /** The hex MD5 of a file, to check one that is already there. */
  public static String md5Of(Path file) throws IOException {
    return Hashes.hex(Hashes.update(Hashes.md5(), file).digest());
  }
}
