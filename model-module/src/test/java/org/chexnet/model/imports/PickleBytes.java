package org.chexnet.model.imports;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Hand-written pickles, opcode by opcode (the byte values of Python's pickle module), and the two
 * PyTorch containers around them: for crafting files that no well-behaved writer would produce.
 */
final class PickleBytes {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  /** PROTO n. */
  static PickleBytes protocol(int version) {
    PickleBytes p = new PickleBytes();
    p.out.write(0x80);
    p.out.write(version);
    return p;
  }

  /** GLOBAL: {@code c<module>\n<name>\n}. */
  PickleBytes global(String module, String name) {
    return raw("c" + module + "\n" + name + "\n");
  }

  /** Two strings then STACK_GLOBAL (protocol 4). */
  PickleBytes stackGlobal(String module, String name) {
    return string(module).string(name).op(0x93);
  }

  /** INST: MARK, the arguments, then {@code i<module>\n<name>\n} (protocol 0 instantiation). */
  PickleBytes inst(String module, String name, String argument) {
    return op('(').string(argument).raw("i" + module + "\n" + name + "\n");
  }

  /** BINUNICODE. */
  PickleBytes string(String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    op('X');
    for (int i = 0; i < 4; i++) {
      out.write((bytes.length >>> (8 * i)) & 0xff);
    }
    out.writeBytes(bytes);
    return this;
  }

  /** BININT. */
  PickleBytes integer(int value) {
    op('J');
    for (int i = 0; i < 4; i++) {
      out.write((value >>> (8 * i)) & 0xff);
    }
    return this;
  }

  PickleBytes op(int opcode) {
    out.write(opcode);
    return this;
  }

  PickleBytes raw(String text) {
    out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
    return this;
  }

  static final int MARK = '(';
  static final int TUPLE = 't';
  static final int TUPLE1 = 0x85;
  static final int EMPTY_TUPLE = ')';
  static final int REDUCE = 'R';
  static final int NEWOBJ = 0x81;
  static final int EMPTY_DICT = '}';
  static final int SETITEM = 's';
  static final int BUILD = 'b';
  static final int STOP = '.';

  byte[] bytes() {
    return out.toByteArray();
  }

  /** The legacy container: magic number, protocol 1001, sys info, then {@code object}. */
  static void writeLegacy(Path file, byte[] object) throws IOException {
    try (OutputStream f = Files.newOutputStream(file)) {
      byte[] magic = TorchCheckpoint.MAGIC_NUMBER.toByteArray(); // big-endian
      PickleBytes header = protocol(2).op(0x8a).op(10);
      for (int i = 0; i < 10; i++) {
        header.op(magic[magic.length - 1 - i] & 0xff);
      }
      f.write(header.op(STOP).bytes());
      f.write(protocol(2).op('M').op(0xe9).op(0x03).op(STOP).bytes());
      f.write(
          protocol(2).op(EMPTY_DICT).string("little_endian").op(0x88).op(SETITEM).op(STOP).bytes());
      f.write(object);
      // The storage key list the reader would come to next.
      f.write(protocol(2).op(']').op(STOP).bytes());
    }
  }

  /** The zip container: {@code archive/data.pkl} and {@code archive/version}. */
  static void writeZip(Path file, byte[] object) throws IOException {
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
      zip.putNextEntry(new ZipEntry("archive/data.pkl"));
      zip.write(object);
      zip.closeEntry();
      zip.putNextEntry(new ZipEntry("archive/version"));
      zip.write("3\n".getBytes(StandardCharsets.US_ASCII));
      zip.closeEntry();
    }
  }
}
