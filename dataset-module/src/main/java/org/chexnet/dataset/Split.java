package org.chexnet.dataset;

/** The three parts of a split; also a dataset's official assignment of an image. */
public enum Split {
  TRAIN("train"),
  VALIDATION("validation"),
  TEST("test");

  private final String key;

  Split(String key) {
    this.key = key;
  }

  /** "train", "validation", "test": the names {@link DataSplits#byName()} uses. */
  public String key() {
    return key;
  }
}
