package org.chexnet.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.chexnet.common.Reporter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightsDownloadTest {
  @TempDir Path dir;
  private RandomFileServer server;
  private byte[] content;
  private String md5;

  @BeforeEach
  void serve() throws Exception {
    server = new RandomFileServer("/weights.h5", 300_000, 3);
    content = server.content();
    md5 = server.md5();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void aFileWithTheExpectedChecksumLandsUnderItsName() throws Exception {
    Path target = dir.resolve("cache/weights.h5");
    AtomicLong reportedTotal = new AtomicLong();
    AtomicLong received = new AtomicLong();
    Reporter.Task task =
        new Reporter.Task() {
          @Override
          public void step(long steps) {
            received.addAndGet(steps);
          }

          @Override
          public void stepTo(long done) {
            received.set(done);
          }

          @Override
          public void total(long total) {
            reportedTotal.set(total);
          }

          @Override
          public void message(String message) {}

          @Override
          public void close() {}
        };
    Reporter reporter =
        new Reporter() {
          @Override
          public Task task(String name, long total, Unit unit) {
            assertEquals(Unit.BYTES, unit);
            reportedTotal.set(total);
            return task;
          }

          @Override
          public void info(String message) {}

          @Override
          public void warn(String message) {}
        };
    WeightsDownload.fetch(url("/weights.h5"), target, md5.toUpperCase(), reporter);
    assertArrayEquals(content, Files.readAllBytes(target));
    assertEquals(content.length, reportedTotal.get());
    assertEquals(content.length, received.get());
    assertEquals(md5, WeightsDownload.md5Of(target));
    assertEquals(List.of(target), Files.list(target.getParent()).toList());
  }

  @Test
  void aChecksumMismatchLeavesNothingBehind() throws Exception {
    Path target = dir.resolve("weights.h5");
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                WeightsDownload.fetch(
                    url("/weights.h5"), target, ImageNetWeights.MD5, Reporter.silent()));
    assertTrue(e.getMessage().contains("MD5 is " + md5), e.getMessage());
    assertTrue(e.getMessage().contains("expected " + ImageNetWeights.MD5), e.getMessage());
    assertEquals(List.of(), Files.list(dir).toList());
  }

  @Test
  void anHttpErrorIsNamed() {
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                WeightsDownload.fetch(
                    url("/missing.h5"), dir.resolve("w.h5"), md5, Reporter.silent()));
    assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("w.h5")));
  }

  @Test
  void theCacheSaysHowToDownloadWhatIsMissing() {
    IOException e = assertThrows(IOException.class, () -> ImageNetWeights.locate(dir));
    assertTrue(e.getMessage().contains("chexnet models download-weights"), e.getMessage());
    assertTrue(e.getMessage().contains(ImageNetWeights.FILE_NAME), e.getMessage());
  }

  private URI url(String path) {
    return server.url(path);
  }
}
