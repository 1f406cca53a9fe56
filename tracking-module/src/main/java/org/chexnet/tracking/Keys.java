package org.chexnet.tracking;

import java.util.regex.Pattern;

/**
 * Validates param, tag and metric keys and artifact paths. They become file paths under the run
 * directory, so the rules are MLflow's: word characters, '-', '.', ' ' and '/' (sub-directories),
 * and nothing that could escape or alias a path.
 */
final class Keys {
  private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9_\\-. /]+");

  private Keys() {}

  static String requireValid(String key) {
    if (key == null
        || !ALLOWED.matcher(key).matches()
        || key.contains("..")
        || !hasCanonicalSegments(key)) {
      throw new IllegalArgumentException(
          "Invalid key '"
              + key
              + "': use letters, digits, '_', '-', '.', ' ' and '/' between non-empty segments,"
              + " no '..' and no leading '/'");
    }
    return key;
  }

  /** Like {@link #requireValid} but "" (the top of the artifacts directory) is allowed. */
  static String requireValidArtifactDir(String artifactDir) {
    return artifactDir != null && artifactDir.isEmpty() ? artifactDir : requireValid(artifactDir);
  }

  // MLflow rejects keys that normalise to another path: "/a", "a/", "a//b", "a/./b".
  private static boolean hasCanonicalSegments(String key) {
    for (String segment : key.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".")) {
        return false;
      }
    }
    return true;
  }
}
