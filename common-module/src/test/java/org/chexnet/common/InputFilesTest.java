package org.chexnet.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputFilesTest {
  @TempDir Path dir;

  private static String message(Runnable check) {
    ChexnetException e = assertThrows(ChexnetException.class, check::run);
    assertEquals(ChexnetException.Kind.INVALID_INPUT, e.kind());
    return e.getMessage();
  }

  @Test
  void eachWrongKindOfPathIsOneLineNamingIt() throws IOException {
    Path file = Files.writeString(dir.resolve("a.txt"), "text\n");
    Path missing = dir.resolve("missing");
    assertEquals(
        "spec " + dir + ": is a directory, expected a file",
        message(() -> InputFiles.file(dir, "spec")));
    assertEquals(
        "spec " + missing + ": no such file", message(() -> InputFiles.file(missing, "spec")));
    assertEquals(
        file + ": is a file, expected a directory",
        message(() -> InputFiles.directory(file, null)));
    assertEquals(missing + ": no such directory", message(() -> InputFiles.directory(missing, "")));
    assertEquals(
        "--out " + file + ": is an existing file, expected a directory to write into",
        message(() -> InputFiles.outputDirectory(file, "--out")));
    assertEquals(
        "--out " + dir + ": is a directory, expected a file name to write",
        message(() -> InputFiles.outputFile(dir, "--out")));
    assertEquals(missing, InputFiles.outputDirectory(missing, "--out"));
    assertEquals(file, InputFiles.outputFile(file, "--out"));
  }

  @Test
  void textIsStrictUtf8() throws IOException {
    Path text = Files.writeString(dir.resolve("ok.yaml"), "name: é\n");
    assertEquals("name: é\n", InputFiles.text(text, "spec"));
    Path binary = Files.write(dir.resolve("b.yaml"), new byte[] {'a', (byte) 0xff, (byte) 0xfe});
    assertEquals(
        "spec " + binary + ": is not UTF-8 text (a binary file?)",
        message(() -> InputFiles.text(binary, "spec")));
  }

  @Test
  void ioErrorsBecomeWordsWithoutTheirClassNames() {
    Path file = dir.resolve("x.csv");
    assertEquals(
        "--labels " + file + ": no such file or directory",
        InputFiles.unreadable(file, "--labels", new NoSuchFileException(file.toString()))
            .getMessage());
    assertEquals(
        "--labels " + file + ": permission denied",
        InputFiles.unreadable(file, "--labels", new AccessDeniedException(file.toString()))
            .getMessage());
    // A reader that named the file itself is not named twice.
    assertEquals(
        "--labels " + file + ": not valid CSV: unclosed quote",
        InputFiles.unreadable(
                file, "--labels", new IOException(file + ": not valid CSV: unclosed quote"))
            .getMessage());
    assertEquals(
        "no data manifest; run chexnet data snapshot",
        InputFiles.reason(
            new NoSuchFileException("d", null, "no data manifest; run chexnet data snapshot")));
  }
}
