package org.chexnet.dataset;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.chexnet.common.AtomicFiles;
import org.chexnet.common.Hashes;
import org.chexnet.common.Reporter;

/**
 * Fetches the ChestX-ray14 release into a directory in NIH's layout: each file is downloaded to
 * {@code DIR/.downloads/NAME.part} (resumed with an HTTP Range request after an interruption),
 * checked against its sha-256 when one is known, then moved into place (metadata) or unpacked into
 * {@code DIR} (the {@code images_*.tar.gz} archives hold {@code images/*.png}). A finished file is
 * remembered in {@code DIR/.downloads/NAME.done}, so running again only fetches what is missing.
 */
public final class NihDownload {
  public static final String STATE_DIR = ".downloads";
  public static final String SHA256SUMS = "SHA256SUMS";

  /**
   * One file of the release; {@code uri} null when there is no known address; {@code sha256} null
   * when no trusted hash is known.
   */
  public record RemoteFile(String name, URI uri, String sha256) {
    public boolean archive() {
      return name.endsWith(".tar.gz");
    }
  }

  /**
   * @param fetched downloaded (and unpacked) by this call
   * @param present already there from an earlier call
   * @param unavailable no address known: name to what the user should do
   * @param computedSha256 hashes of fetched files that had no expected hash (trust on first use)
   */
  public record Outcome(
      List<String> fetched,
      List<String> present,
      Map<String, String> unavailable,
      Map<String, String> computedSha256) {
    /** What was fetched, the hashes first seen and what could not be fetched, as lines. */
    public String describe(Path out) {
      StringBuilder text =
          new StringBuilder(
              String.format(
                  "Fetched %d, already present %d, in %s%n", fetched.size(), present.size(), out));
      computedSha256.forEach(
          (name, sha) -> text.append(String.format("sha-256 (first seen) %s  %s%n", sha, name)));
      unavailable.forEach(
          (name, why) -> text.append(String.format("not fetched: %s: %s%n", name, why)));
      return text.toString();
    }
  }

  /** How long a response may send nothing before the attempt is given up (and resumed). */
  public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(60);

  private final HttpClient client;
  private final int attempts;
  private final Duration stallTimeout;
  private final Reporter reporter;

  /**
   * @param attempts tries per file; each retry resumes where the previous one stopped
   */
  public NihDownload(int attempts) {
    this(attempts, DEFAULT_STALL_TIMEOUT);
  }

  /**
   * @param stallTimeout an attempt whose server sends no headers or no body bytes for this long
   *     fails (a dead connection would otherwise block forever) and the next attempt resumes
   */
  public NihDownload(int attempts, Duration stallTimeout) {
    this(attempts, stallTimeout, Reporter.silent());
  }

  /**
   * @param reporter shows each transfer's progress and the retries
   */
  public NihDownload(int attempts, Duration stallTimeout, Reporter reporter) {
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be positive, got " + attempts);
    }
    if (stallTimeout.isNegative() || stallTimeout.isZero()) {
      throw new IllegalArgumentException("stall timeout must be positive, got " + stallTimeout);
    }
    this.client =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(30))
            .build();
    this.attempts = attempts;
    this.stallTimeout = stallTimeout;
    this.reporter = reporter;
  }

  /**
   * The 12 image archives and 4 metadata files, from the bundled list. With {@code baseUrl}, every
   * file is {@code baseUrl/NAME} (a mirror); without it, the archives use NIH's Box links and the
   * metadata files, which have no stable direct link, are unavailable. {@code checksums} (name to
   * sha-256, e.g. from {@link #readChecksums}) add to or override the bundled hashes.
   */
  public static List<RemoteFile> nihFiles(URI baseUrl, Map<String, String> checksums)
      throws IOException {
    URI base =
        baseUrl == null || baseUrl.toString().endsWith("/") ? baseUrl : URI.create(baseUrl + "/");
    List<RemoteFile> files = new ArrayList<>();
    String resource = "nih-chestxray14-files.csv";
    try (InputStream in = NihDownload.class.getResourceAsStream(resource);
        BufferedReader reader =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split(",", -1);
        URI uri = base != null ? base.resolve(f[0]) : f[1].isEmpty() ? null : URI.create(f[1]);
        String sha256 = checksums.getOrDefault(f[0], f[2].isEmpty() ? null : f[2]);
        files.add(new RemoteFile(f[0], uri, sha256));
      }
    }
    return files;
  }

  /**
   * Reads a {@code sha256sum}-style file: "HEX NAME" per line ('*' before the name allowed).
   *
   * @throws IllegalArgumentException "file:line: ..." for a malformed line
   */
  public static Map<String, String> readChecksums(Path file) throws IOException {
    Map<String, String> sums = new LinkedHashMap<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\\s+\\*?", 2);
      if (f.length != 2 || !f[0].matches("[0-9a-fA-F]{64}")) {
        throw new IllegalArgumentException(
            file + ":" + (i + 1) + ": expected '<64 hex digits>  <file name>', got '" + line + "'");
      }
      sums.put(f[1], f[0].toLowerCase(Locale.ROOT));
    }
    return sums;
  }

  /**
   * Fetches {@code files} into {@code out}, skipping those already done.
   *
   * @param keepArchives keep each archive in {@code out/.downloads} after unpacking it
   * @throws IOException naming the file and URL: HTTP errors, a checksum mismatch (the bad file is
   *     deleted so the next call starts over), a corrupt archive, or a transfer that still failed
   *     after all attempts (what arrived is kept for the next call to resume)
   */
  public Outcome fetch(List<RemoteFile> files, Path out, boolean keepArchives) throws IOException {
    Path state = out.resolve(STATE_DIR);
    Files.createDirectories(state);
    List<String> fetched = new ArrayList<>();
    List<String> present = new ArrayList<>();
    Map<String, String> unavailable = new LinkedHashMap<>();
    Map<String, String> computed = new LinkedHashMap<>();
    for (RemoteFile file : files) {
      Path done = state.resolve(file.name() + ".done");
      if (Files.isRegularFile(done)
          && (file.archive() || Files.isRegularFile(out.resolve(file.name())))) {
        present.add(file.name());
        continue;
      }
      if (file.uri() == null) {
        unavailable.put(
            file.name(),
            "NIH publishes no direct link; download it from https://nihcc.app.box.com/v/ChestXray-NIHCC"
                + " into "
                + out
                + " or give --base-url");
        continue;
      }
      Path part = state.resolve(file.name() + ".part");
      download(file, part);
      String sha256 = Hashes.sha256Hex(part);
      if (file.sha256() != null && !file.sha256().equalsIgnoreCase(sha256)) {
        Files.delete(part);
        throw new IOException(
            file.name()
                + " from "
                + file.uri()
                + ": sha-256 mismatch: expected "
                + file.sha256()
                + ", got "
                + sha256
                + "; the download was deleted, run again to fetch it anew");
      }
      if (file.sha256() == null) {
        computed.put(file.name(), sha256);
        appendChecksum(state.resolve(SHA256SUMS), file.name(), sha256);
      }
      if (file.archive()) {
        int images = TarGz.extract(part, out);
        reporter.info(file.name() + ": unpacked " + images + " files into " + out);
        if (keepArchives) {
          AtomicFiles.moveInto(part, state.resolve(file.name()));
        } else {
          Files.delete(part);
        }
      } else {
        AtomicFiles.moveInto(part, out.resolve(file.name()));
      }
      AtomicFiles.write(done, sha256 + "\n");
      fetched.add(file.name());
    }
    return new Outcome(fetched, present, unavailable, computed);
  }

  /** Non-2xx answers are not worth retrying. */
  private static final class HttpStatusException extends IOException {
    HttpStatusException(String message) {
      super(message);
    }
  }

  private void download(RemoteFile file, Path part) throws IOException {
    Reporter.Task bar = reporter.task(file.name(), -1, Reporter.Unit.BYTES);
    try {
      for (int attempt = 1; ; attempt++) {
        try {
          transfer(file, part, bar);
          return;
        } catch (HttpStatusException e) {
          throw e;
        } catch (IOException e) {
          long kept = Files.exists(part) ? Files.size(part) : 0;
          if (attempt >= attempts) {
            throw new IOException(
                file.name()
                    + " from "
                    + file.uri()
                    + ": transfer failed "
                    + attempts
                    + " times ("
                    + e.getMessage()
                    + "); "
                    + kept
                    + " bytes kept in "
                    + part
                    + ", run again to resume",
                e);
          }
          reporter.warn(file.name() + ": " + e.getMessage() + "; resuming from byte " + kept);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(file.name() + ": interrupted", e);
    } finally {
      bar.close();
    }
  }

  /** One request: resumes from the end of {@code part} when the server honours the Range. */
  private void transfer(RemoteFile file, Path part, Reporter.Task bar)
      throws IOException, InterruptedException {
    long have = Files.exists(part) ? Files.size(part) : 0;
    // The request timeout covers waiting for the response headers; the body has the watchdog.
    HttpRequest.Builder request = HttpRequest.newBuilder(file.uri()).timeout(stallTimeout).GET();
    if (have > 0) {
      request.header("Range", "bytes=" + have + "-");
    }
    HttpResponse<InputStream> response =
        client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    int status = response.statusCode();
    boolean append = status == 206;
    if (status == 416 && have > 0) {
      // Our partial file is not a prefix the server can continue: start over.
      response.body().close();
      Files.delete(part);
      transfer(file, part, bar);
      return;
    }
    if (status != 200 && status != 206) {
      response.body().close();
      throw new HttpStatusException(file.name() + " from " + file.uri() + ": HTTP " + status);
    }
    if (append) {
      String range = response.headers().firstValue("Content-Range").orElse("");
      if (!range.startsWith("bytes " + have + "-")) {
        response.body().close();
        throw new HttpStatusException(
            file.name() + ": asked for bytes from " + have + ", server sent '" + range + "'");
      }
    } else {
      have = 0;
    }
    long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
    bar.total(length < 0 ? -1 : have + length);
    bar.stepTo(have);
    Set<StandardOpenOption> options =
        append
            ? Set.of(StandardOpenOption.CREATE, StandardOpenOption.APPEND)
            : Set.of(
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
    InputStream in = response.body();
    AtomicLong lastRead = new AtomicLong(System.nanoTime());
    AtomicBoolean stalled = new AtomicBoolean();
    // HttpClient has no read timeout: a watchdog closes the body when no byte came for
    // stallTimeout, which ends the blocked read.
    ScheduledExecutorService watchdog =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "download-stall-watchdog");
              thread.setDaemon(true);
              return thread;
            });
    long checkMillis = Math.max(1, stallTimeout.toMillis() / 4);
    watchdog.scheduleWithFixedDelay(
        () -> {
          if (System.nanoTime() - lastRead.get() > stallTimeout.toNanos()
              && !stalled.getAndSet(true)) {
            try {
              in.close();
            } catch (IOException ignored) {
              // closing is all we can do; the reader sees the stream end either way
            }
          }
        },
        checkMillis,
        checkMillis,
        TimeUnit.MILLISECONDS);
    try (in;
        OutputStream sink =
            Files.newOutputStream(part, options.toArray(StandardOpenOption[]::new))) {
      byte[] buffer = new byte[1 << 16];
      for (int read = in.read(buffer); read >= 0 && !stalled.get(); read = in.read(buffer)) {
        lastRead.set(System.nanoTime());
        sink.write(buffer, 0, read);
        bar.step(read);
      }
    } catch (IOException e) {
      if (!stalled.get()) {
        throw e;
      }
    } finally {
      watchdog.shutdownNow();
    }
    if (stalled.get()) {
      throw new IOException(
          String.format(
              "no data for %.1f s after %d bytes",
              stallTimeout.toMillis() / 1000.0, Files.size(part)));
    }
    if (length >= 0 && Files.size(part) != have + length) {
      throw new IOException(
          "connection ended after " + Files.size(part) + " of " + (have + length) + " bytes");
    }
  }

  private static void appendChecksum(Path sums, String name, String sha256) throws IOException {
    Files.writeString(
        sums, sha256 + "  " + name + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }
}
