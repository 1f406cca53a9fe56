package org.chexnet.experiment.predict;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.chexnet.common.ChexnetException;

/**
 * The images {@code chexnet predict} reads: every PNG or JPEG under a directory, or the images a
 * list names. Each is known by its file name (NIH's "Image Index") when the file names are unique,
 * else by its path under the directory or the list's base ('/'-separated: CheXpert's and MIMIC's
 * images share file names across studies), which must be unique.
 *
 * @param names file names or relative paths, in output order
 * @param files the file of each name
 */
public record ImageInputs(List<String> names, List<Path> files) {

  /**
   * @param source a directory (searched recursively, sorted by path) or a list file: one image per
   *     line, its path first, then anything (so NIH's test_list.txt, a reproduction's label list or
   *     a predictions CSV with an "Image Index" header all work)
   * @param root where a list's relative paths start; default the list's directory
   * @throws ChexnetException naming the list line of a missing image, or the two places of a
   *     repeated name
   */
  public static ImageInputs of(Path source, Path root) throws IOException {
    if (Files.isDirectory(source)) {
      if (root != null) {
        throw ChexnetException.invalidInput(
            "--image-root only applies when --images is a list file");
      }
      List<Path> files;
      try (Stream<Path> walk = Files.walk(source)) {
        files = walk.filter(Files::isRegularFile).filter(ImageInputs::isImage).sorted().toList();
      }
      if (files.isEmpty()) {
        throw ChexnetException.invalidInput(source + ": no .png or .jpg images in this directory");
      }
      return unique(files, files.stream().map(Path::toString).toList(), source);
    }
    if (!Files.isRegularFile(source)) {
      throw ChexnetException.invalidInput(
          "--images " + source + ": no such directory or list file");
    }
    Path base = root != null ? root : source.toAbsolutePath().getParent();
    List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);
    List<Path> files = new ArrayList<>();
    List<String> places = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      String first = line.split("[\\s,]+", 2)[0];
      if (line.isEmpty() || (i == 0 && first.equals("Image"))) {
        continue; // a blank line, or a CSV header "Image Index,..."
      }
      Path file = base.resolve(first);
      String place = source + ":" + (i + 1);
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
    }
    if (files.isEmpty()) {
      throw ChexnetException.invalidInput(source + ": lists no images");
    }
    return unique(files, places, base);
  }

  private static ImageInputs unique(List<Path> files, List<String> places, Path base) {
    List<String> byFileName = files.stream().map(f -> f.getFileName().toString()).toList();
    boolean fileNamesUnique = byFileName.stream().distinct().count() == byFileName.size();
    Path absoluteBase = base.toAbsolutePath().normalize();
    Map<String, Integer> first = new HashMap<>();
    List<String> names = new ArrayList<>(files.size());
    for (int i = 0; i < files.size(); i++) {
      Path file = files.get(i).toAbsolutePath().normalize();
      String name =
          fileNamesUnique || !file.startsWith(absoluteBase)
              ? byFileName.get(i)
              : absoluteBase.relativize(file).toString().replace('\\', '/');
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
