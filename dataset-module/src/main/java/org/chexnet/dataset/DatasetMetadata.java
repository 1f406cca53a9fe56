package org.chexnet.dataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a dataset's metadata files say, read by {@link DatasetFormat#readMetadata(Path)}.
 *
 * @param root the dataset directory, absolute
 * @param images every image with labels, in metadata order
 * @param read the metadata files read
 * @param missing the optional metadata files that were not there, as {@link
 *     MetadataFile#describe()} names them
 * @param notes what the reader left out or could not map, one line each (e.g. images without a
 *     labels row)
 */
public record DatasetMetadata(
    DatasetFormat format,
    Path root,
    List<ImageRecord> images,
    List<Path> read,
    List<String> missing,
    List<String> notes) {

  public DatasetMetadata {
    images = List.copyOf(images);
    read = List.copyOf(read);
    missing = List.copyOf(missing);
    notes = List.copyOf(notes);
  }

  /**
   * Finds each of {@code format}'s metadata files in {@code root}.
   *
   * @return the files in {@link DatasetFormat#metadataFiles()} order, null for a missing optional
   *     one
   * @throws NoSuchFileException for a missing directory or required file
   */
  static List<Path> locate(DatasetFormat format, Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      throw new NoSuchFileException(
          root.toString(), null, "not a directory; expected a " + format.name() + " dataset");
    }
    List<Path> found = new ArrayList<>();
    for (MetadataFile file : format.metadataFiles()) {
      Path path = file.find(root).orElse(null);
      if (path == null && file.required()) {
        throw new NoSuchFileException(
            root.resolve(file.names().get(0)).toString(),
            null,
            "missing " + file.describe() + " of the " + format.name() + " dataset");
      }
      found.add(path);
    }
    return found;
  }

  /**
   * The metadata of {@code images} read from the files {@link #locate} returned: those found are
   * {@link #read}, the optional ones it did not find are {@link #missing}.
   */
  static DatasetMetadata of(
      DatasetFormat format,
      Path root,
      List<Path> located,
      List<ImageRecord> images,
      List<String> notes) {
    List<Path> read = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < located.size(); i++) {
      if (located.get(i) == null) {
        missing.add(format.metadataFiles().get(i).describe());
      } else {
        read.add(located.get(i));
      }
    }
    return new DatasetMetadata(format, root, images, read, missing, notes);
  }
}
