package org.chexnet.common;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * The paths a user names (a spec, a predictions file, a dataset directory, an output directory),
 * checked before they are used, and the I/O errors met reading them, as one {@link
 * ChexnetException} line that names the path and says what was expected. {@code role} is how the
 * user named it ({@code --predictions}, {@code spec}, {@code data.root}); it starts the message.
 */
public final class InputFiles {
  private InputFiles() {}

  /** {@code file} exists and is a regular file (not a directory). */
  public static Path file(Path file, String role) {
    if (Files.isRegularFile(file)) {
      return file;
    }
    throw ChexnetException.invalidInput(
        where(file, role)
            + (Files.isDirectory(file)
                ? "is a directory, expected a file"
                : Files.exists(file) ? "is not a regular file" : "no such file"));
  }

  /** {@code dir} exists and is a directory. */
  public static Path directory(Path dir, String role) {
    if (Files.isDirectory(dir)) {
      return dir;
    }
    throw ChexnetException.invalidInput(
        where(dir, role)
            + (Files.exists(dir) ? "is a file, expected a directory" : "no such directory"));
  }

  /** Where a command will write a directory: absent (it is created) or a directory. */
  public static Path outputDirectory(Path dir, String role) {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw ChexnetException.invalidInput(
          where(dir, role) + "is an existing file, expected a directory to write into");
    }
    return dir;
  }

  /** Where a command will write a file: absent (it is created) or a regular file it replaces. */
  public static Path outputFile(Path file, String role) {
    if (Files.isDirectory(file)) {
      throw ChexnetException.invalidInput(
          where(file, role) + "is a directory, expected a file name to write");
    }
    return file;
  }

  /**
   * The whole of a text file, strictly UTF-8: a binary file is refused, not read as replacement
   * characters.
   */
  public static String text(Path file, String role) {
    file(file, role);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw unreadable(file, role, e);
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw notText(file, role);
    }
  }

  /** A file that holds bytes that are not UTF-8 where text was expected. */
  public static ChexnetException notText(Path file, String role) {
    return ChexnetException.invalidInput(where(file, role) + "is not UTF-8 text (a binary file?)");
  }

  /**
   * An I/O error met reading {@code file} the user named, as one line naming it: missing, a
   * directory, not readable, not text.
   */
  public static ChexnetException unreadable(Path file, String role, IOException e) {
    String reason = reason(e);
    // Readers that name the file themselves ("x.csv: not valid CSV: ...").
    String named = file + ": ";
    if (reason.startsWith(named)) {
      reason = reason.substring(named.length());
    }
    return new ChexnetException(ChexnetException.Kind.INVALID_INPUT, where(file, role) + reason, e);
  }

  /** What went wrong in words, without the exception's class name. */
  public static String reason(IOException e) {
    if (e instanceof CharacterCodingException || e.getCause() instanceof CharacterCodingException) {
      return "is not UTF-8 text (a binary file?)";
    }
    String message =
        e instanceof FileSystemException f && f.getReason() != null
            ? f.getReason()
            : e instanceof NoSuchFileException
                ? "no such file or directory"
                : e instanceof AccessDeniedException
                    ? "permission denied"
                    : e instanceof NotDirectoryException ? "is not a directory" : e.getMessage();
    if ("Is a directory".equals(message)) {
      return "is a directory, expected a file";
    }
    return message != null ? message : "cannot be read";
  }

  private static String where(Path path, String role) {
    return (role == null || role.isEmpty() ? "" : role + " ") + path + ": ";
  }
}
