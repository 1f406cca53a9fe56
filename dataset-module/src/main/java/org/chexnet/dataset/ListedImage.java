package org.chexnet.dataset;

import java.nio.file.Path;

/**
 * One line of an image list file: the name, the patient (the name's first 8 digits), the 14 labels
 * when the list carries them (null for a plain name list) and where it was read.
 */
public record ListedImage(String imageIndex, int patientId, float[] labels, Path list, int line) {

  /** "list:line" for messages. */
  public String where() {
    return list + ":" + line;
  }
}
