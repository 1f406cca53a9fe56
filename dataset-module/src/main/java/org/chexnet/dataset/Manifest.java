package org.chexnet.dataset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.chexnet.common.AtomicFiles;
import org.chexnet.common.Reporter;

/**
 * What a dataset directory holds: path, size and sha-256 of every data file plus one digest over
 * all of them, stored as {@value #FILE_NAME} next to the data, one file a line so git diffs stay
 * readable. Names starting with '.' (caches, staging) are not data.
 */
public final class Manifest {
  public static final String FILE_NAME = "chexnet-manifest.json";
  static final String FORMAT = "chexnet-manifest/1";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One data file: '/'-separated path relative to the dataset directory. */
  public record FileEntry(String path, long size, String sha256) {}

  /**
   * Files the manifest lists but the directory lacks, has but not listed, or has changed; and the
   * digest of the directory as it is now (equal to the manifest's when it matches).
   */
  public record Report(
      List<String> missing, List<String> extra, List<String> changed, String actualDigest) {
    public boolean matches() {
      return missing.isEmpty() && extra.isEmpty() && changed.isEmpty();
    }

    /** One line per problem file (at most {@code limit} per kind), then the counts. */
    public String describe(int limit) {
      StringBuilder out = new StringBuilder();
      list(out, "missing", missing, limit);
      list(out, "extra", extra, limit);
      list(out, "changed", changed, limit);
      return out.append(
              String.format(
                  "%d missing, %d extra, %d changed%n",
                  missing.size(), extra.size(), changed.size()))
          .toString();
    }

    private static void list(StringBuilder out, String kind, List<String> paths, int limit) {
      paths.stream()
          .limit(limit)
          .forEach(p -> out.append(kind).append(": ").append(p).append('\n'));
      if (paths.size() > limit) {
        out.append(kind).append(": ... and ").append(paths.size() - limit).append(" more\n");
      }
    }
  }

  private final String digest;
  private final List<FileEntry> files;

  private Manifest(String digest, List<FileEntry> files) {
    this.digest = digest;
    this.files = List.copyOf(files);
  }

  /** "sha256:" and 64 hex digits over every file's path, size and content hash. */
  public String digest() {
    return digest;
  }

  /** Sorted by path. */
  public List<FileEntry> files() {
    return files;
  }

  /**
   * Hashes every data file under {@code dir} (unchanged files come from the size+mtime cache) and
   * writes {@code dir/}{@value #FILE_NAME} atomically.
   */
  public static Manifest snapshot(Path dir) throws IOException {
    return snapshot(dir, Reporter.silent());
  }

  /** As {@link #snapshot(Path)}, showing the hashing's progress. */
  public static Manifest snapshot(Path dir, Reporter reporter) throws IOException {
    requireDirectory(dir);
    TreeMap<String, FileHashes.Hashed> hashed =
        FileHashes.hash(dir, List.of(FILE_NAME), true, "Hashing " + dir, reporter);
    List<FileEntry> entries = new ArrayList<>(hashed.size());
    hashed.values().forEach(h -> entries.add(new FileEntry(h.path(), h.size(), h.sha256())));
    Manifest manifest = new Manifest(FileHashes.digest(hashed.values()), entries);
    AtomicFiles.write(dir.resolve(FILE_NAME), manifest.toJson());
    return manifest;
  }

  /**
   * @throws NoSuchFileException if {@code dir} has no manifest (run {@code chexnet data snapshot})
   * @throws IOException naming the file and field for malformed JSON, or when the recorded digest
   *     does not match the listed files (a bad merge or a hand edit)
   */
  public static Manifest read(Path dir) throws IOException {
    requireDirectory(dir);
    Path file = dir.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(
          file.toString(), null, "no data manifest; run `chexnet data snapshot " + dir + "`");
    }
    return readFile(file);
  }

  /**
   * Reads a manifest file wherever it is (e.g. one committed beside the experiments, describing a
   * dataset directory elsewhere).
   *
   * @throws NoSuchFileException if {@code file} does not exist
   * @throws IOException as {@link #read(Path)}
   */
  public static Manifest readFile(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "no such data manifest");
    }
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw new IOException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (!FORMAT.equals(root.path("format").asText())) {
      throw new IOException(
          file + ": format: expected \"" + FORMAT + "\", got " + root.path("format"));
    }
    JsonNode list = root.path("files");
    if (!list.isArray()) {
      throw new IOException(file + ": files: expected an array");
    }
    List<FileEntry> entries = new ArrayList<>(list.size());
    List<FileHashes.Hashed> hashed = new ArrayList<>(list.size());
    String previous = "";
    for (int i = 0; i < list.size(); i++) {
      JsonNode node = list.get(i);
      String where = file + ": files[" + i + "]";
      String path = node.path("path").asText("");
      String sha256 = node.path("sha256").asText("");
      if (path.isEmpty() || path.compareTo(previous) <= 0) {
        throw new IOException(
            where + ".path: expected a non-empty path sorted after '" + previous + "'");
      }
      if (!node.path("size").canConvertToLong() || node.path("size").asLong() < 0) {
        throw new IOException(where + ".size: expected a non-negative integer");
      }
      if (!sha256.matches("[0-9a-f]{64}")) {
        throw new IOException(where + ".sha256: expected 64 lower-case hex digits");
      }
      previous = path;
      entries.add(new FileEntry(path, node.path("size").asLong(), sha256));
      hashed.add(new FileHashes.Hashed(path, node.path("size").asLong(), sha256));
    }
    String digest = root.path("digest").asText();
    String computed = FileHashes.digest(hashed);
    if (!computed.equals(digest)) {
      throw new IOException(
          file + ": digest: recorded " + digest + " but the listed files give " + computed);
    }
    return new Manifest(digest, entries);
  }

  /** Reads {@code dir}'s manifest and compares the directory with it (cached hashes allowed). */
  public static Report verify(Path dir) throws IOException {
    return read(dir).verify(dir, false);
  }

  /**
   * Compares {@code dir} with this manifest.
   *
   * @param rehashAll read every file instead of trusting the size+mtime cache
   */
  public Report verify(Path dir, boolean rehashAll) throws IOException {
    return verify(dir, rehashAll, Reporter.silent());
  }

  /** As {@link #verify(Path, boolean)}, showing the hashing's progress. */
  public Report verify(Path dir, boolean rehashAll, Reporter reporter) throws IOException {
    requireDirectory(dir);
    TreeMap<String, FileHashes.Hashed> actual =
        FileHashes.hash(dir, List.of(FILE_NAME), !rehashAll, "Verifying " + dir, reporter);
    String actualDigest = FileHashes.digest(actual.values());
    List<String> missing = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    for (FileEntry entry : files) {
      FileHashes.Hashed now = actual.remove(entry.path());
      if (now == null) {
        missing.add(entry.path());
      } else if (now.size() != entry.size() || !now.sha256().equals(entry.sha256())) {
        changed.add(entry.path());
      }
    }
    return new Report(missing, new ArrayList<>(actual.keySet()), changed, actualDigest);
  }

  private String toJson() throws JsonProcessingException {
    long bytes = files.stream().mapToLong(FileEntry::size).sum();
    StringBuilder out = new StringBuilder("{\n");
    out.append("  \"format\": ").append(JSON.writeValueAsString(FORMAT)).append(",\n");
    out.append("  \"digest\": ").append(JSON.writeValueAsString(digest)).append(",\n");
    out.append("  \"file_count\": ").append(files.size()).append(",\n");
    out.append("  \"total_bytes\": ").append(bytes).append(",\n");
    out.append("  \"files\": [");
    for (int i = 0; i < files.size(); i++) {
      FileEntry entry = files.get(i);
      ObjectNode node = JSON.createObjectNode();
      node.put("path", entry.path()).put("size", entry.size()).put("sha256", entry.sha256());
      out.append(i == 0 ? "\n    " : ",\n    ").append(JSON.writeValueAsString(node));
    }
    return out.append(files.isEmpty() ? "]\n}\n" : "\n  ]\n}\n").toString();
  }

  private static void requireDirectory(Path dir) throws NoSuchFileException {
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(
          dir.toString(),
          null,
          Files.exists(dir) ? "is a file, expected a dataset directory" : "no such directory");
    }
  }
}
