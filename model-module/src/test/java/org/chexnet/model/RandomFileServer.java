package org.chexnet.model;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local HTTP server with one file of seeded random bytes at {@code path} (404 elsewhere), for
 * download tests; shared with the CLI's tests through this module's test jar.
 */
public final class RandomFileServer implements AutoCloseable {
  private final HttpServer server;
  private final byte[] content;
  private final AtomicInteger requests = new AtomicInteger();

  public RandomFileServer(String path, int size, long seed) throws IOException {
    content = new byte[size];
    new Random(seed).nextBytes(content);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        path,
        exchange -> {
          if (!exchange.getRequestURI().getPath().equals(path)) {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
            return;
          }
          requests.incrementAndGet();
          exchange.sendResponseHeaders(200, content.length);
          try (OutputStream body = exchange.getResponseBody()) {
            body.write(content);
          }
        });
    server.start();
  }

  public byte[] content() {
    return content.clone();
  }

  /** The content's MD5, lower-case hex. */
  public String md5() {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime must provide MD5", e);
    }
  }

  /** Requests the file has answered. */
  public int requests() {
    return requests.get();
  }

  public URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
