package org.chexnet.dataset;

import java.nio.file.Path;

/** Image keys that are paths under a dataset directory. */
final class ImagePaths {
  private ImagePaths() {}

  /**
   * Whether {@code relative} is a '/'-separated path that stays inside the dataset directory: not
   * empty or absolute, no backslash, no empty, "." or ".." segment.
   */
  static boolean isInside(String relative) {
    if (relative.isEmpty() || relative.startsWith("/") || relative.indexOf('\\') >= 0) {
      return false;
    }
    int start = 0;
    while (start <= relative.length()) {
      int end = relative.indexOf('/', start);
      if (end < 0) {
        end = relative.length();
      }
      int length = end - start;
      if (length == 0
          || (length == 1 && relative.charAt(start) == '.')
          || (length == 2 && relative.startsWith("..", start))
          || (start == 0 && length == 2 && relative.charAt(1) == ':')) {
        return false;
      }
      start = end + 1;
    }
    return true;
  }

  /**
   * {@code root/relative}.
   *
   * @throws IllegalArgumentException when the path would leave {@code root}
   */
  static Path resolve(Path root, String relative) {
    if (!isInside(relative)) {
      throw new IllegalArgumentException(
          "image path '" + relative + "' is outside the dataset directory " + root);
    }
    return root.resolve(relative);
  }
}
