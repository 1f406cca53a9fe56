package org.chexnet.model.imports;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import net.razorvine.pickle.PickleException;

/**
 * Reads a file written by {@code torch.save}, in either of its two layouts, into Java objects: the
 * pickled object with every tensor as a {@link TorchTensor} over its storage's bytes. No Python,
 * and only the globals of {@link PickleGlobals} are resolved.
 *
 * <ul>
 *   <li><b>Legacy</b> (before PyTorch 1.6, and {@code _use_new_zipfile_serialization=False}): five
 *       pickles and raw bytes back to back: the magic number 0x1950a86a20f9469cfc6c, the protocol
 *       version 1001, sys info (byte order), the object (storages as persistent ids {@code
 *       ('storage', type, key, location, numel, view)}), the sorted list of storage keys; then per
 *       key its element count (int64) and its bytes.
 *   <li><b>Zip</b> (1.6 on): {@code <archive>/data.pkl} (persistent ids {@code ('storage', type,
 *       key, location, numel)}) and per storage {@code <archive>/data/<key>}; the archive folder is
 *       named after the file.
 * </ul>
 */
final class TorchCheckpoint {
  static final BigInteger MAGIC_NUMBER = new BigInteger("1950a86a20f9469cfc6c", 16);
  static final int PROTOCOL_VERSION = 1001;

  /** How the file was written. */
  enum Container {
    LEGACY("PyTorch legacy serialization (before 1.6)"),
    ZIP("PyTorch zip serialization (1.6 on)");

    private final String description;

    Container(String description) {
      this.description = description;
    }

    String description() {
      return description;
    }
  }

  private final Container container;
  private final Object root;

  private TorchCheckpoint(Container container, Object root) {
    this.container = container;
    this.root = root;
  }

  Container container() {
    return container;
  }

  /** The pickled object: maps, lists, tuples (Object[]), numbers, strings, tensors, modules. */
  Object root() {
    return root;
  }

  /** Whether the file starts as a zip archive or a legacy PyTorch file does. */
  static boolean looksLikeTorch(byte[] head) {
    return isZip(head) || isLegacy(head);
  }

  private static boolean isZip(byte[] head) {
    return head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
  }

  private static boolean isLegacy(byte[] head) {
    // PROTO 2, then LONG1 of 10 bytes: the magic number.
    return head.length >= 4
        && (head[0] & 0xff) == 0x80
        && head[1] == 2
        && (head[2] & 0xff) == 0x8a
        && head[3] == 10;
  }

  /**
   * @throws UnsafeCheckpointException when the pickle names a global that is not allowed
   * @throws IOException naming the file and what is wrong with it
   */
  static TorchCheckpoint read(Path file) throws IOException {
    byte[] head;
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(4);
    }
    try {
      if (isZip(head)) {
        return new TorchCheckpoint(Container.ZIP, readZip(file));
      }
      if (isLegacy(head)) {
        return new TorchCheckpoint(Container.LEGACY, readLegacy(file));
      }
    } catch (RefusedGlobalException e) {
      throw new UnsafeCheckpointException(file, e.global(), e.getMessage());
    } catch (PickleException
        | IllegalArgumentException
        | ClassCastException
        | ArithmeticException e) {
      throw new IOException(file + ": not a readable PyTorch checkpoint: " + e.getMessage(), e);
    } catch (IOException e) {
      // Pyrolite's and DataInputStream's end-of-file errors do not name the file.
      if (e.getMessage() != null && e.getMessage().startsWith(file.toString())) {
        throw e;
      }
      throw new IOException(
          file
              + ": truncated or unreadable ("
              + (e.getMessage() != null ? e.getMessage() : "end of file")
              + ")",
          e);
    }
    throw new IOException(
        file + ": not a PyTorch checkpoint (neither a zip archive nor the legacy magic number)");
  }

  private static Object readLegacy(Path file) throws IOException {
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 20))) {
      Object magic = new RestrictedUnpickler(TorchCheckpoint::noPersistentIds).load(in);
      if (!(magic instanceof Number n) || !new BigInteger(n.toString()).equals(MAGIC_NUMBER)) {
        throw new IOException(file + ": wrong magic number for a legacy PyTorch file");
      }
      Object protocol = new RestrictedUnpickler(TorchCheckpoint::noPersistentIds).load(in);
      if (!(protocol instanceof Number p) || p.intValue() != PROTOCOL_VERSION) {
        throw new IOException(
            file
                + ": legacy PyTorch protocol version "
                + protocol
                + ", expected "
                + PROTOCOL_VERSION);
      }
      Object sysInfo = new RestrictedUnpickler(TorchCheckpoint::noPersistentIds).load(in);
      if (sysInfo instanceof Map<?, ?> info && Boolean.FALSE.equals(info.get("little_endian"))) {
        throw new IOException(file + ": written on a big-endian machine, which is not supported");
      }
      Map<String, TorchStorage> storages = new HashMap<>();
      Object root = new RestrictedUnpickler(pid -> legacyStorage(pid, storages)).load(in);
      Object keys = new RestrictedUnpickler(TorchCheckpoint::noPersistentIds).load(in);
      if (!(keys instanceof List<?> keyList)) {
        throw new IOException(file + ": no storage key list after the pickled object");
      }
      for (Object key : keyList) {
        TorchStorage storage = storages.get(String.valueOf(key));
        if (storage == null) {
          throw new IOException(file + ": storage " + key + " is listed but never used");
        }
        long count = Long.reverseBytes(in.readLong());
        if (count != storage.elementCount()) {
          throw new IOException(
              file
                  + ": storage "
                  + key
                  + " has "
                  + count
                  + " elements, its persistent id says "
                  + storage.elementCount());
        }
        storage.fill(ByteBuffer.wrap(readFully(in, count * storage.dtype().elementSize(), file)));
      }
      for (TorchStorage storage : storages.values()) {
        if (!storage.filled()) {
          throw new IOException(file + ": storage " + storage.key() + " has no data");
        }
      }
      return root;
    }
  }

  private static byte[] readFully(DataInputStream in, long length, Path file) throws IOException {
    byte[] bytes = new byte[Math.toIntExact(length)];
    try {
      in.readFully(bytes);
    } catch (EOFException e) {
      throw new IOException(file + ": truncated (a storage's bytes end early)", e);
    }
    return bytes;
  }

  private static Object readZip(Path file) throws IOException {
    try (ZipFile zip = new ZipFile(file.toFile())) {
      String prefix = null;
      for (ZipEntry entry : java.util.Collections.list(zip.entries())) {
        String name = entry.getName();
        if (name.endsWith("/data.pkl")
            && name.indexOf('/') == name.length() - "/data.pkl".length()) {
          prefix = name.substring(0, name.length() - "data.pkl".length());
        }
      }
      if (prefix == null) {
        throw new IOException(
            file + ": a zip archive without <archive>/data.pkl (not written by torch.save)");
      }
      ZipEntry byteOrder = zip.getEntry(prefix + "byteorder");
      if (byteOrder != null) {
        String order =
            new String(zip.getInputStream(byteOrder).readAllBytes(), StandardCharsets.US_ASCII);
        if (!order.strip().equals("little")) {
          throw new IOException(
              file + ": written with byte order " + order.strip() + ", not supported");
        }
      }
      byte[] pickle = zip.getInputStream(zip.getEntry(prefix + "data.pkl")).readAllBytes();
      Map<String, TorchStorage> storages = new HashMap<>();
      String archive = prefix;
      return new RestrictedUnpickler(pid -> zipStorage(pid, storages, zip, archive)).loads(pickle);
    }
  }

  private static TorchStorage zipStorage(
      Object pid, Map<String, TorchStorage> storages, ZipFile zip, String archive) {
    Object[] id = storageId(pid, 5);
    String key = String.valueOf(id[2]);
    TorchStorage known = storages.get(key);
    if (known != null) {
      return known;
    }
    TorchStorage storage = new TorchStorage(key, dtype(id[1]), ((Number) id[4]).longValue());
    ZipEntry entry = zip.getEntry(archive + "data/" + key);
    if (entry == null) {
      throw new PickleException("storage " + key + " has no entry data/" + key);
    }
    try (InputStream in = zip.getInputStream(entry)) {
      storage.fill(ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN));
    } catch (IOException e) {
      throw new PickleException("storage " + key + ": " + e.getMessage());
    }
    storages.put(key, storage);
    return storage;
  }

  private static Object legacyStorage(Object pid, Map<String, TorchStorage> storages) {
    if (pid instanceof Object[] tuple && tuple.length == 4 && "module".equals(tuple[0])) {
      // ('module', class, source file, source): a pickled module's class, already resolved (and
      // so allowed) as a global inside the id; its source text is not used.
      if (!(tuple[1] instanceof net.razorvine.pickle.IObjectConstructor)) {
        throw new PickleException("a module persistent id without a class");
      }
      return tuple[1];
    }
    Object[] id = storageId(pid, 6);
    String key = String.valueOf(id[2]);
    TorchStorage root =
        storages.computeIfAbsent(
            key, k -> new TorchStorage(k, dtype(id[1]), ((Number) id[4]).longValue()));
    if (id[5] instanceof Object[] view && view.length == 3) {
      // (view key, element offset, element count): a tensor of an old PyTorch over a slice.
      return root.view(
          String.valueOf(view[0]), ((Number) view[1]).longValue(), ((Number) view[2]).longValue());
    }
    return root;
  }

  private static Object[] storageId(Object pid, int length) {
    if (!(pid instanceof Object[] id) || id.length != length || !"storage".equals(id[0])) {
      throw new PickleException(
          "unexpected persistent id "
              + (pid instanceof Object[] t ? java.util.Arrays.toString(t) : String.valueOf(pid)));
    }
    if (!(id[4] instanceof Number)) {
      throw new PickleException("a storage's element count is " + PickleGlobals.describe(id[4]));
    }
    return id;
  }

  private static TorchDtype dtype(Object storageType) {
    if (!(storageType instanceof PickleGlobals.StorageType type)) {
      throw new PickleException("a storage of type " + PickleGlobals.describe(storageType));
    }
    return type.dtype();
  }

  private static Object noPersistentIds(Object pid) {
    throw new PickleException("a persistent id outside the pickled object");
  }
}
