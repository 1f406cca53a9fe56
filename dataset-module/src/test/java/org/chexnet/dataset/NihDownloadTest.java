package org.chexnet.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads from a local HTTP server on 127.0.0.1 that honours Range and can cut a transfer. */
class NihDownloadTest {
  @TempDir Path out;

  private ServerSocket server;
  private Thread acceptor;
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();

  /** File name to the byte count after which the next response for it is cut (once). */
  private final Map<String, Integer> cutOnce = new ConcurrentHashMap<>();

  /** File name to the byte count after which the next response for it stops sending (once). */
  private final Map<String, Integer> stallOnce = new ConcurrentHashMap<>();

  private final CountDownLatch stalledConnectionClosedByClient = new CountDownLatch(1);

  /** "NAME RANGE-HEADER" per request, "-" when none. */
  private final List<String> requests = new CopyOnWriteArrayList<>();

  private byte[] png1;
  private byte[] png2;

  @BeforeEach
  void serve() throws IOException {
    png1 = Files.readAllBytes(TestData.realImage(TestData.GRAY_IMAGE));
    png2 = Files.readAllBytes(TestData.realImage(TestData.RGBA_IMAGE));
    Map<String, byte[]> first = new LinkedHashMap<>();
    first.put("images/", null);
    first.put("images/" + TestData.GRAY_IMAGE, png1);
    files.put("images_001.tar.gz", Archives.tarGz(first));
    files.put("images_002.tar.gz", Archives.tarGz(Map.of("images/" + TestData.RGBA_IMAGE, png2)));
    files.put("test_list.txt", "00000001_000.png\n".getBytes(StandardCharsets.US_ASCII));
    // A raw socket server: the JDK's HttpServer cannot drop a connection in the middle of a body.
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket socket = server.accept();
                  // A thread per connection: a stalled response must not hold up the retry.
                  Thread connection =
                      new Thread(
                          () -> {
                            try (socket) {
                              handle(socket);
                            } catch (IOException gone) {
                              // the client went away
                            }
                          });
                  connection.setDaemon(true);
                  connection.start();
                } catch (IOException closed) {
                  // the test ended
                }
              }
            });
    acceptor.setDaemon(true);
    acceptor.start();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    acceptor.join(5_000);
  }

  /** One request per connection ({@code Connection: close}), Range honoured. */
  private void handle(Socket socket) throws IOException {
    BufferedReader in =
        new BufferedReader(
            new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
    String requestLine = in.readLine();
    String range = null;
    for (String h = in.readLine(); h != null && !h.isEmpty(); h = in.readLine()) {
      if (h.toLowerCase(Locale.ROOT).startsWith("range:")) {
        range = h.substring("range:".length()).trim();
      }
    }
    String name = requestLine.split(" ")[1].substring("/nih/".length());
    requests.add(name + " " + (range == null ? "-" : range));
    OutputStream out = socket.getOutputStream();
    byte[] body = files.get(name);
    if (body == null) {
      out.write(
          "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      return;
    }
    int from = range == null ? 0 : Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
    StringBuilder head =
        new StringBuilder(
            range == null ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.1 206 Partial Content\r\n");
    if (range != null) {
      head.append("Content-Range: bytes ")
          .append(from)
          .append('-')
          .append(body.length - 1)
          .append('/')
          .append(body.length)
          .append("\r\n");
    }
    head.append("Content-Length: ").append(body.length - from).append("\r\n");
    head.append("Connection: close\r\n\r\n");
    out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
    Integer stall = stallOnce.remove(name);
    if (stall != null) {
      // A dead connection: part of the body, then silence with the socket still open, until the
      // client gives up (or 10 s pass).
      out.write(body, from, stall - from);
      out.flush();
      socket.setSoTimeout(10_000);
      try {
        while (socket.getInputStream().read() >= 0) {
          // drain until the client closes
        }
        stalledConnectionClosedByClient.countDown();
      } catch (IOException timeout) {
        // the client never closed
      }
      return;
    }
    Integer cut = cutOnce.remove(name);
    // A cut response stops mid-body and closes the socket, as a flaky network would. Shutting
    // the output first sends the bytes and then FIN; a bare close could reset the connection and
    // lose bytes still in flight.
    out.write(body, from, (cut == null ? body.length : cut) - from);
    out.flush();
    socket.shutdownOutput();
  }

  private URI base() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/nih/");
  }

  private NihDownload.RemoteFile remote(String name, String sha256) {
    return new NihDownload.RemoteFile(name, base().resolve(name), sha256);
  }

  @Test
  void fetchesUnpacksVerifiesAndResumesAnInterruptedTransfer() throws Exception {
    byte[] archive = files.get("images_001.tar.gz");
    cutOnce.put("images_001.tar.gz", archive.length / 2);
    List<NihDownload.RemoteFile> wanted =
        List.of(
            remote("images_001.tar.gz", sha256(archive)),
            remote("images_002.tar.gz", null),
            remote("test_list.txt", sha256(files.get("test_list.txt"))));

    NihDownload.Outcome outcome = new NihDownload(3).fetch(wanted, out, false);

    assertEquals(
        List.of("images_001.tar.gz", "images_002.tar.gz", "test_list.txt"), outcome.fetched());
    // The retry asked for the rest after what had arrived (at most the half that was sent).
    long resumedFrom =
        requests.stream()
            .filter(r -> r.matches("images_001\\.tar\\.gz bytes=\\d+-"))
            .mapToLong(r -> Long.parseLong(r.substring(r.indexOf('=') + 1, r.length() - 1)))
            .findFirst()
            .orElse(-1);
    assertTrue(resumedFrom > 0 && resumedFrom <= archive.length / 2, requests.toString());
    assertArrayEquals(png1, Files.readAllBytes(out.resolve("images/" + TestData.GRAY_IMAGE)));
    assertArrayEquals(png2, Files.readAllBytes(out.resolve("images/" + TestData.RGBA_IMAGE)));
    assertEquals("00000001_000.png\n", Files.readString(out.resolve("test_list.txt")));
    // No trusted hash for images_002: the one seen is reported and kept for next time.
    String seen = sha256(files.get("images_002.tar.gz"));
    assertEquals(Map.of("images_002.tar.gz", seen), outcome.computedSha256());
    assertEquals(
        Map.of("images_002.tar.gz", seen),
        NihDownload.readChecksums(out.resolve(".downloads/SHA256SUMS")));
    assertFalse(Files.exists(out.resolve(".downloads/images_001.tar.gz")));

    requests.clear();
    NihDownload.Outcome again = new NihDownload(3).fetch(wanted, out, false);
    assertEquals(3, again.present().size());
    assertEquals(List.of(), requests);
  }

  @Test
  void aStalledConnectionIsGivenUpAndResumed() throws Exception {
    byte[] archive = files.get("images_001.tar.gz");
    stallOnce.put("images_001.tar.gz", archive.length / 3);
    NihDownload.Outcome outcome =
        new NihDownload(2, Duration.ofMillis(300))
            .fetch(List.of(remote("images_001.tar.gz", sha256(archive))), out, false);
    assertEquals(List.of("images_001.tar.gz"), outcome.fetched());
    assertEquals(
        List.of("images_001.tar.gz -", "images_001.tar.gz bytes=" + archive.length / 3 + "-"),
        requests);
    assertArrayEquals(png1, Files.readAllBytes(out.resolve("images/" + TestData.GRAY_IMAGE)));
    // The client hung up on the silent connection (without the guard it would wait for the
    // server's 10 s give-up instead).
    assertTrue(stalledConnectionClosedByClient.await(10, TimeUnit.SECONDS));
  }

  @Test
  void resumesAPartialFileLeftByAnEarlierRun() throws Exception {
    byte[] archive = files.get("images_002.tar.gz");
    Files.createDirectories(out.resolve(".downloads"));
    Files.write(
        out.resolve(".downloads/images_002.tar.gz.part"), java.util.Arrays.copyOf(archive, 100));
    new NihDownload(1).fetch(List.of(remote("images_002.tar.gz", sha256(archive))), out, true);
    assertEquals(List.of("images_002.tar.gz bytes=100-"), requests);
    assertArrayEquals(archive, Files.readAllBytes(out.resolve(".downloads/images_002.tar.gz")));
    assertArrayEquals(png2, Files.readAllBytes(out.resolve("images/" + TestData.RGBA_IMAGE)));
  }

  @Test
  void aCorruptedArchiveFailsItsChecksumAndIsDeleted() throws Exception {
    byte[] good = files.get("images_001.tar.gz");
    byte[] bad = good.clone();
    bad[bad.length / 2] ^= 0x55;
    files.put("images_001.tar.gz", bad);
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                new NihDownload(2)
                    .fetch(List.of(remote("images_001.tar.gz", sha256(good))), out, false));
    assertEquals(
        "images_001.tar.gz from "
            + base().resolve("images_001.tar.gz")
            + ": sha-256 mismatch: expected "
            + sha256(good)
            + ", got "
            + sha256(bad)
            + "; the download was deleted, run again to fetch it anew",
        e.getMessage());
    assertFalse(Files.exists(out.resolve(".downloads/images_001.tar.gz.part")));
    assertFalse(Files.exists(out.resolve("images/" + TestData.GRAY_IMAGE)));
  }

  @Test
  void withoutAHashACorruptedArchiveFailsItsGzipCheck() throws Exception {
    byte[] bad = files.get("images_001.tar.gz").clone();
    bad[bad.length - 6] ^= 0x55; // inside the CRC-32 trailer
    files.put("images_001.tar.gz", bad);
    IOException e =
        assertThrows(
            IOException.class,
            () -> new NihDownload(1).fetch(List.of(remote("images_001.tar.gz", null)), out, false));
    assertTrue(
        e.getMessage().contains("images_001.tar.gz.part: corrupt gzip data"), e.getMessage());
  }

  @Test
  void httpErrorsNameFileAndStatusWithoutRetrying() {
    IOException e =
        assertThrows(
            IOException.class,
            () -> new NihDownload(3).fetch(List.of(remote("images_009.tar.gz", null)), out, false));
    assertEquals(
        "images_009.tar.gz from " + base().resolve("images_009.tar.gz") + ": HTTP 404",
        e.getMessage());
    assertEquals(1, requests.size());
  }

  @Test
  void archivesMayNotWriteOutsideTheDirectory() throws Exception {
    files.put("images_003.tar.gz", Archives.tarGz(Map.of("../evil.png", new byte[] {1})));
    IOException e =
        assertThrows(
            IOException.class,
            () -> new NihDownload(1).fetch(List.of(remote("images_003.tar.gz", null)), out, false));
    assertTrue(e.getMessage().contains("refusing entry '../evil.png'"), e.getMessage());
    assertFalse(Files.exists(out.resolveSibling("evil.png")));
  }

  @Test
  void nihFileListHasTheTwelveArchivesAndTheMetadata() throws Exception {
    List<NihDownload.RemoteFile> nih = NihDownload.nihFiles(null, Map.of());
    assertEquals(16, nih.size());
    assertEquals(12, nih.stream().filter(NihDownload.RemoteFile::archive).count());
    assertEquals("images_001.tar.gz", nih.get(0).name());
    assertTrue(nih.get(0).uri().toString().startsWith("https://nihcc.box.com/shared/static/"));
    NihDownload.RemoteFile testList =
        nih.stream().filter(f -> f.name().equals("test_list.txt")).findFirst().orElseThrow();
    assertNull(testList.uri());
    // The hash of NIH's real test_list.txt (25,596 names).
    assertEquals(
        sha256(Files.readAllBytes(TestData.gunzip("lists/test_list.txt.gz", out))),
        testList.sha256());

    List<NihDownload.RemoteFile> mirrored =
        NihDownload.nihFiles(
            URI.create("http://mirror/x"), Map.of("images_001.tar.gz", "ab".repeat(32)));
    assertEquals(URI.create("http://mirror/x/images_001.tar.gz"), mirrored.get(0).uri());
    assertEquals("ab".repeat(32), mirrored.get(0).sha256());
    assertTrue(mirrored.stream().allMatch(f -> f.uri() != null));
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
