package org.chexnet.dataset;

import java.util.List;
import java.util.Locale;

/**
 * How uncertain and missing labels become training labels: the CheXpert paper's U-Ignore, U-Zeros
 * and U-Ones for uncertain ({@code -1.0}), and negative or ignore for missing (blank, not
 * mentioned). An ignored label is masked: out of the loss and out of that class's AUROC.
 *
 * <p>With {@code missing: ignore}, a blank on an image whose {@code No Finding} is positive counts
 * as negative (except {@code Support Devices}): the CheXpert labeler sets No Finding only when no
 * pathology is positive or uncertain, so such a blank is a known negative (torchxrayvision does the
 * same).
 */
public record LabelPolicy(Uncertain uncertain, Missing missing) {
  /** The CheXpert paper's choices: uncertain ignored (U-Ignore), missing negative. */
  public static final LabelPolicy DEFAULT = new LabelPolicy(Uncertain.IGNORE, Missing.NEGATIVE);

  static final String NO_FINDING = "No Finding";
  static final String SUPPORT_DEVICES = "Support Devices";

  /** What an uncertain label becomes. */
  public enum Uncertain {
    IGNORE,
    ZEROS,
    ONES;

    /**
     * @throws IllegalArgumentException naming the valid values
     */
    public static Uncertain parse(String value) {
      return parseEnum(Uncertain.class, "uncertain", value);
    }
  }

  /** What a missing (not mentioned) label becomes. */
  public enum Missing {
    NEGATIVE,
    IGNORE;

    /**
     * @throws IllegalArgumentException naming the valid values
     */
    public static Missing parse(String value) {
      return parseEnum(Missing.class, "missing", value);
    }
  }

  public LabelPolicy {
    if (uncertain == null || missing == null) {
      throw new IllegalArgumentException("label policy needs both uncertain and missing");
    }
  }

  /** Applies this policy to images of a dataset with these findings. */
  public Labeler labeler(List<String> findings) {
    return new Labeler(this, findings.indexOf(NO_FINDING), findings.indexOf(SUPPORT_DEVICES));
  }

  /** Turns {@link ImageRecord}s into {@link LabeledImage}s. */
  public static final class Labeler {
    private final LabelPolicy policy;
    private final int noFinding;
    private final int supportDevices;

    private Labeler(LabelPolicy policy, int noFinding, int supportDevices) {
      this.policy = policy;
      this.noFinding = noFinding;
      this.supportDevices = supportDevices;
    }

    /** Labels 0/1 in findings order; a mask only when some label is ignored. */
    public LabeledImage label(ImageRecord record) {
      byte[] states = record.states();
      float[] labels = new float[states.length];
      float[] mask = null;
      boolean healthy = noFinding >= 0 && states[noFinding] == LabelState.POSITIVE.code();
      for (int f = 0; f < states.length; f++) {
        float label;
        boolean known = true;
        switch (LabelState.of(states[f])) {
          case POSITIVE -> label = 1f;
          case NEGATIVE -> label = 0f;
          case UNCERTAIN -> {
            label = policy.uncertain == Uncertain.ONES ? 1f : 0f;
            known = policy.uncertain != Uncertain.IGNORE;
          }
          default -> {
            label = 0f;
            known = policy.missing == Missing.NEGATIVE || (healthy && f != supportDevices);
          }
        }
        labels[f] = label;
        if (!known) {
          if (mask == null) {
            mask = new float[states.length];
            java.util.Arrays.fill(mask, 1f);
          }
          mask[f] = 0f;
        }
      }
      return new LabeledImage(record.image(), record.patientId(), labels, mask);
    }
  }

  private static <E extends Enum<E>> E parseEnum(Class<E> type, String key, String value) {
    for (E constant : type.getEnumConstants()) {
      if (constant.name().toLowerCase(Locale.ROOT).equals(value)) {
        return constant;
      }
    }
    List<String> valid =
        java.util.Arrays.stream(type.getEnumConstants())
            .map(c -> c.name().toLowerCase(Locale.ROOT))
            .toList();
    throw new IllegalArgumentException(
        key + ": expected one of " + String.join(", ", valid) + ", got '" + value + "'");
  }
}
