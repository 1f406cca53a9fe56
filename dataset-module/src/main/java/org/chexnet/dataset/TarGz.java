package org.chexnet.dataset;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Unpacks a .tar.gz (ustar, with GNU long names and pax path records) into a directory. Only
 * regular files and directories are accepted; entries may not escape the directory. Reading to the
 * end makes GZIPInputStream check the CRC-32 and length trailer, so a corrupt archive fails even
 * without a published checksum.
 */
final class TarGz {
  private static final int BLOCK = 512;

  private TarGz() {}

  /**
   * @return the number of files written
   * @throws IOException naming the archive and the byte offset of a damaged or unsafe entry
   */
  static int extract(Path archive, Path outDir) throws IOException {
    Path root = outDir.toAbsolutePath().normalize();
    int files = 0;
    try (InputStream in =
        new BufferedInputStream(
            new GZIPInputStream(Files.newInputStream(archive), 1 << 16), 1 << 16)) {
      byte[] header = new byte[BLOCK];
      long offset = 0;
      String nextName = null;
      while (true) {
        if (in.readNBytes(header, 0, BLOCK) < BLOCK) {
          throw new IOException(archive + ": truncated tar at byte " + offset + " (no end marker)");
        }
        if (isZero(header)) {
          break;
        }
        String where = archive + ": tar entry at byte " + offset;
        checkChecksum(where, header);
        long size = number(where, header, 124, 12);
        char type = (char) header[156];
        String name = nextName != null ? nextName : name(header);
        nextName = null;
        offset += BLOCK + padded(size);
        switch (type) {
          case 'L' -> nextName = cString(read(in, where, size));
          case 'x' -> nextName = paxPath(read(in, where, size));
          case 'g' -> read(in, where, size);
          case '5' -> {
            Files.createDirectories(safe(where, root, name));
            in.skipNBytes(size);
          }
          case '0', '\0' -> {
            write(in, where, size, safe(where, root, name));
            files++;
          }
          default ->
              throw new IOException(
                  where
                      + ": unsupported entry type '"
                      + type
                      + "' for "
                      + name
                      + " (only files and directories)");
        }
        in.skipNBytes(padded(size) - size);
      }
      // The rest is padding; reading it to the end checks the gzip trailer.
      in.transferTo(OutputStream.nullOutputStream());
    } catch (ZipException | EOFException e) {
      throw new IOException(archive + ": corrupt gzip data: " + e.getMessage(), e);
    }
    return files;
  }

  private static long padded(long size) {
    return (size + BLOCK - 1) / BLOCK * BLOCK;
  }

  private static boolean isZero(byte[] block) {
    for (byte b : block) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static void checkChecksum(String where, byte[] header) throws IOException {
    long recorded = number(where, header, 148, 8);
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) {
      sum += (i >= 148 && i < 156) ? ' ' : (header[i] & 0xff);
    }
    if (sum != recorded) {
      throw new IOException(where + ": header checksum " + recorded + " != computed " + sum);
    }
  }

  /** Octal, NUL/space terminated; or GNU base-256 when the high bit of the first byte is set. */
  private static long number(String where, byte[] header, int start, int length)
      throws IOException {
    if ((header[start] & 0x80) != 0) {
      long value = header[start] & 0x7f;
      for (int i = start + 1; i < start + length; i++) {
        value = (value << 8) | (header[i] & 0xff);
      }
      return value;
    }
    String text = new String(header, start, length, StandardCharsets.US_ASCII).trim();
    int nul = text.indexOf('\0');
    text = (nul >= 0 ? text.substring(0, nul) : text).trim();
    try {
      return text.isEmpty() ? 0 : Long.parseLong(text, 8);
    } catch (NumberFormatException e) {
      throw new IOException(where + ": bad octal field '" + text + "' at header byte " + start);
    }
  }

  private static String name(byte[] header) {
    String name = cString(Arrays.copyOfRange(header, 0, 100));
    boolean ustar = new String(header, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
    String prefix = ustar ? cString(Arrays.copyOfRange(header, 345, 500)) : "";
    return prefix.isEmpty() ? name : prefix + "/" + name;
  }

  private static String cString(byte[] bytes) {
    int end = 0;
    while (end < bytes.length && bytes[end] != 0) {
      end++;
    }
    return new String(bytes, 0, end, StandardCharsets.UTF_8);
  }

  /** A pax header's "path" record ("LEN path=VALUE\n"), or null when it has none. */
  private static String paxPath(byte[] records) {
    for (String record : new String(records, StandardCharsets.UTF_8).split("\n")) {
      int space = record.indexOf(' ');
      if (space > 0 && record.startsWith("path=", space + 1)) {
        return record.substring(space + 1 + "path=".length());
      }
    }
    return null;
  }

  private static Path safe(String where, Path root, String name) throws IOException {
    Path target = root.resolve(name).normalize();
    if (name.isEmpty() || name.startsWith("/") || !target.startsWith(root) || target.equals(root)) {
      throw new IOException(where + ": refusing entry '" + name + "' outside " + root);
    }
    return target;
  }

  private static byte[] read(InputStream in, String where, long size) throws IOException {
    if (size > 1 << 20) {
      throw new IOException(where + ": metadata entry of " + size + " bytes is implausibly large");
    }
    byte[] bytes = in.readNBytes((int) size);
    if (bytes.length < size) {
      throw new IOException(where + ": truncated entry");
    }
    return bytes;
  }

  /** Into a hidden temporary file first, so an interrupted unpack never leaves a partial image. */
  private static void write(InputStream in, String where, long size, Path target)
      throws IOException {
    Files.createDirectories(target.getParent());
    Path temp = target.resolveSibling("." + target.getFileName() + ".part");
    try (OutputStream out = Files.newOutputStream(temp)) {
      byte[] buffer = new byte[1 << 16];
      long left = size;
      while (left > 0) {
        int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (read < 0) {
          throw new IOException(where + ": truncated entry " + target.getFileName());
        }
        out.write(buffer, 0, read);
        left -= read;
      }
    }
    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
