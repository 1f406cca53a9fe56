package org.chexnet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.chexnet.model.ImageNetWeights;
import org.chexnet.model.RandomFileServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ModelsCommandTest {
  @TempDir Path dir;
  private RandomFileServer server;
  private byte[] content;
  private String md5;

  @BeforeEach
  void serve() throws Exception {
    server = new RandomFileServer("/w.h5", 200_000, 4);
    content = server.content();
    md5 = server.md5();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void downloadWeightsFetchesIntoTheCacheOnceAndChecksTheHash() throws Exception {
    String url = server.url("/w.h5").toString();
    Path cache = dir.resolve("cache");
    String[] args = {
      "models", "download-weights", "--url", url, "--out", cache.toString(), "--md5", md5
    };
    assertEquals(0, Chexnet.commandLine().execute(args));
    assertArrayEquals(content, Files.readAllBytes(cache.resolve(ImageNetWeights.FILE_NAME)));
    // A second call finds the good file and downloads nothing.
    assertEquals(0, Chexnet.commandLine().execute(args));
    assertEquals(1, server.requests());
  }

  @Test
  void aWrongHashFailsAndLeavesNoFile() {
    String url = server.url("/w.h5").toString();
    CommandLine cli = Chexnet.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err));
    int code = cli.execute("models", "download-weights", "--url", url, "--out", dir.toString());
    assertEquals(1, code);
    assertTrue(err.toString().contains("expected " + ImageNetWeights.MD5), err.toString());
    assertFalse(Files.exists(dir.resolve(ImageNetWeights.FILE_NAME)));
  }
}
