package org.chexnet.dataset;

/**
 * What a dataset's metadata says about one finding on one image, before any policy turns it into a
 * training label.
 */
public enum LabelState {
  POSITIVE,
  NEGATIVE,
  /** The report hedges ("may be", "cannot exclude"): CheXpert's {@code -1.0}. */
  UNCERTAIN,
  /** The report does not mention it: CheXpert's blank cell. */
  MISSING;

  private static final LabelState[] VALUES = values();

  /** The state stored as {@code code} in {@link ImageRecord#states()}. */
  public static LabelState of(byte code) {
    return VALUES[code];
  }

  public byte code() {
    return (byte) ordinal();
  }

  /** The JSON and table name: "positive", "negative", "uncertain", "missing". */
  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
