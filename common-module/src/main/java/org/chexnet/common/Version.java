package org.chexnet.common;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The project version and the git commit it was built from, filled in by the build into {@code
 * chexnet-version.properties}.
 */
public final class Version {
  private Version() {}

  public static String current() {
    return property("version");
  }

  /** The full commit id of the build, or "unknown" (built from sources outside git). */
  public static String commit() {
    return property("commit");
  }

  private static String property(String key) {
    try (InputStream in = Version.class.getResourceAsStream("/chexnet-version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      String value = p.getProperty(key, "unknown");
      return value.startsWith("${") ? "unknown" : value;
    } catch (IOException e) {
      return "unknown";
    }
  }
}
