package org.chexnet.experiment.spec;

/**
 * Thrown by a spec record's constructor when one of its components conflicts with the others; the
 * binder turns it into a {@link SpecException} at that component's location.
 */
public final class InvalidValue extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String key;

  /**
   * @param key the snake_case key within the record, e.g. {@code blocks}
   * @param requirement the rest of the sentence, e.g. {@code "is required when architecture is
   *     custom"}
   */
  public InvalidValue(String key, String requirement) {
    super(key + " " + requirement);
    this.key = key;
  }

  public String key() {
    return key;
  }

  public String requirement() {
    return getMessage().substring(key.length() + 1);
  }
}
