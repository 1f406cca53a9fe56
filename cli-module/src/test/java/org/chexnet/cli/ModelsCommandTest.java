package org.chexnet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.chexnet.model.ImageNetWeights;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ModelsCommandTest {
  @TempDir Path dir;
  private HttpServer server;
  private final byte[] content = new byte[200_000];
  private final AtomicInteger requests = new AtomicInteger();
  private String md5;

  @BeforeEach
  void serve() throws Exception {
    new Random(4).nextBytes(content);
    md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(content));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/w.h5",
        exchange -> {
          requests.incrementAndGet();
          exchange.sendResponseHeaders(200, content.length);
          try (OutputStream body = exchange.getResponseBody()) {
            body.write(content);
          }
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void downloadWeightsFetchesIntoTheCacheOnceAndChecksTheHash() throws Exception {
    String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/w.h5";
    Path cache = dir.resolve("cache");
    String[] args = {
      "models", "download-weights", "--url", url, "--out", cache.toString(), "--md5", md5
    };
    assertEquals(0, Chexnet.commandLine().execute(args));
    assertArrayEquals(content, Files.readAllBytes(cache.resolve(ImageNetWeights.FILE_NAME)));
    // A second call finds the good file and downloads nothing.
    assertEquals(0, Chexnet.commandLine().execute(args));
    assertEquals(1, requests.get());
  }

  @Test
  void aWrongHashFailsAndLeavesNoFile() {
    String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/w.h5";
    CommandLine cli = Chexnet.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err));
    int code = cli.execute("models", "download-weights", "--url", url, "--out", dir.toString());
    assertEquals(1, code);
    assertTrue(err.toString().contains("expected " + ImageNetWeights.MD5), err.toString());
    assertFalse(Files.exists(dir.resolve(ImageNetWeights.FILE_NAME)));
  }
}
