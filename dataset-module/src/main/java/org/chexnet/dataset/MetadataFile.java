package org.chexnet.dataset;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A metadata file a dataset format reads, found directly in the dataset directory as the first of
 * {@code names} present (e.g. {@code train.csv} or {@code train.csv.gz}).
 *
 * @param required whether reading the dataset fails without it (otherwise it is reported as missing
 *     and what it adds is left out, e.g. an official split)
 * @param what what the file holds, for messages
 */
public record MetadataFile(List<String> names, boolean required, String what) {

  public MetadataFile {
    names = List.copyOf(names);
    if (names.isEmpty()) {
      throw new IllegalArgumentException("a metadata file needs a name");
    }
  }

  /** {@code name} or {@code name.gz}. */
  public static MetadataFile csv(String name, boolean required, String what) {
    return new MetadataFile(List.of(name, name + ".gz"), required, what);
  }

  /** The first of the names present in {@code root}. */
  public Optional<Path> find(Path root) {
    for (String name : names) {
      Path file = root.resolve(name);
      if (Files.isRegularFile(file)) {
        return Optional.of(file);
      }
    }
    return Optional.empty();
  }

  /** "train.csv or train.csv.gz (what it holds)". */
  public String describe() {
    return String.join(" or ", names) + " (" + what + ")";
  }
}
