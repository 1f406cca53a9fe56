package org.chexnet.dataset;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.TreeMap;

/**
 * One digest for the data a run uses, so a result can name exactly what it was trained and scored
 * on: sha-256 over one line "relative path NUL size NUL content sha-256 LF" per file, in sorted
 * path order, for the metadata files and every named image. Files are hashed on all cores.
 */
public final class DatasetDigest {
  private DatasetDigest() {}

  /**
   * @return "sha256:" followed by 64 hex digits
   * @throws IOException naming a missing or unreadable file
   */
  public static String of(Dataset data, Collection<String> imageIndexes) throws IOException {
    // Relative paths with '/' so the digest is the same wherever and on whatever OS the dataset
    // lives.
    TreeMap<String, Path> files = new TreeMap<>();
    for (Path file : data.metadataFiles()) {
      files.put(relative(data.root(), file), file);
    }
    for (String imageIndex : imageIndexes) {
      Path image = data.imagePath(imageIndex);
      files.put(relative(data.root(), image), image);
    }

    return FileHashes.digest(FileHashes.hashOnAllCores(files, data.root(), () -> {}));
  }

  private static String relative(Path root, Path file) {
    return root.relativize(file).toString().replace('\\', '/');
  }
}
