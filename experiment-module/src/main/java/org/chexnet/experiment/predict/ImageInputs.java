package org.chexnet.experiment.predict;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.InputFiles;

/**
 * The images {@code chexnet predict} reads: image files, every PNG or JPEG under a directory, the
 * images a list names. Each is known by its file name (NIH's "Image Index") when the file names are
 * unique, else by its path under the directory or the list's base ('/'-separated: CheXpert's and
 * MIMIC's images share file names across studies), which must be unique.
 *
 * @param names file names or relative paths, in output order
 * @param files the file of each name
 */
public record ImageInputs(List<String> names, List<Path> files) {

  /** As {@link #of(List, Path)} for one source. */
  public static ImageInputs of(Path source, Path root) throws IOException {
    return of(List.of(source), root);
  }

  /**
   * @param sources each an image file (.png, .jpg, .jpeg), a directory (every image below it,
   *     sorted by path) or a list file: one image per line, its path first, then anything (so NIH's
   *     test_list.txt, a reproduction's label list or a predictions CSV with an "Image Index"
   *     header all work); their images in the order given
   * @param root where a list's relative paths start; default the list's directory
   * @throws ChexnetException naming a source that does not exist or holds no images, a list that is
   *     not text, the list line of a missing image, or the two places of a repeated name
   */
  public static ImageInputs of(List<Path> sources, Path root) throws IOException {
    List<Path> files = new ArrayList<>();
    List<String> places = new ArrayList<>();
    List<Path> bases = new ArrayList<>();
    boolean anyList = false;
    for (Path source : sources) {
      if (Files.isDirectory(source)) {
        List<Path> found;
        try (Stream<Path> walk = Files.walk(source)) {
          found = walk.filter(Files::isRegularFile).filter(ImageInputs::isImage).sorted().toList();
        }
        if (found.isEmpty()) {
          throw ChexnetException.invalidInput(
              source + ": no .png or .jpg images in this directory");
        }
        for (Path file : found) {
          files.add(file);
          places.add(file.toString());
          bases.add(source);
        }
      } else if (isImage(source)) {
        files.add(InputFiles.file(source, "--images"));
        places.add(source.toString());
        bases.add(source.toAbsolutePath().getParent());
      } else {
        anyList = true;
        readList(InputFiles.file(source, "--images"), root, files, places, bases);
      }
    }
    if (root != null && !anyList) {
      throw ChexnetException.invalidInput("--image-root only applies when --images names a list");
    }
    return unique(files, places, bases);
  }

  private static void readList(
      Path list, Path root, List<Path> files, List<String> places, List<Path> bases) {
    Path base = root != null ? root : list.toAbsolutePath().getParent();
    List<String> lines = InputFiles.text(list, "--images").lines().toList();
    int listed = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      String first = line.split("[\\s,]+", 2)[0];
      if (line.isEmpty() || (i == 0 && first.equals("Image"))) {
        continue; // a blank line, or a CSV header "Image Index,..."
      }
      Path file = base.resolve(first);
      String place = list + ":" + (i + 1);
      if (!Files.isRegularFile(file)) {
        throw ChexnetException.invalidInput(
            place
                + ": image "
                + first
                + " not found in "
                + base
                + (root == null ? " (use --image-root DIR for another base)" : ""));
      }
      files.add(file);
      places.add(place);
      bases.add(base);
      listed++;
    }
    if (listed == 0) {
      throw ChexnetException.invalidInput(list + ": lists no images");
    }
  }

  /** Names by file name when those are unique, else by the path under each image's source. */
  private static ImageInputs unique(List<Path> files, List<String> places, List<Path> bases) {
    List<String> byFileName = files.stream().map(f -> f.getFileName().toString()).toList();
    boolean fileNamesUnique = byFileName.stream().distinct().count() == byFileName.size();
    Map<String, Integer> first = new HashMap<>();
    List<String> names = new ArrayList<>(files.size());
    for (int i = 0; i < files.size(); i++) {
      Path file = files.get(i).toAbsolutePath().normalize();
      Path base = bases.get(i).toAbsolutePath().normalize();
      String name =
          fileNamesUnique || !file.startsWith(base)
              ? byFileName.get(i)
              : base.relativize(file).toString().replace('\\', '/');
      Integer earlier = first.putIfAbsent(name, i);
      if (earlier != null) {
        throw ChexnetException.invalidInput(
            places.get(i)
                + ": image "
                + name
                + " already used by "
                + places.get(earlier)
                + "; predictions are keyed by file name, or by path where file names repeat");
      }
      names.add(name);
    }
    return new ImageInputs(List.copyOf(names), List.copyOf(files));
  }

  private static boolean isImage(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg");
  }

  public int size() {
    return names.size();
  }
}
