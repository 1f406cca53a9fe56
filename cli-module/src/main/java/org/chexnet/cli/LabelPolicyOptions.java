package org.chexnet.cli;

import org.chexnet.common.ChexnetException;
import org.chexnet.dataset.LabelPolicy;
import picocli.CommandLine.Option;

/** {@code --uncertain} and {@code --missing}: what uncertain and blank labels become. */
final class LabelPolicyOptions {
  @Option(
      names = "--uncertain",
      defaultValue = "ignore",
      paramLabel = "ignore|zeros|ones",
      description = "what uncertain labels become; ignore masks them")
  String uncertain;

  @Option(
      names = "--missing",
      defaultValue = "negative",
      paramLabel = "negative|ignore",
      description = "what blank labels become; ignore masks them")
  String missing;

  LabelPolicy policy() {
    return policy(uncertain, missing);
  }

  /**
   * @throws ChexnetException naming the option and its valid values
   */
  static LabelPolicy policy(String uncertain, String missing) {
    try {
      return new LabelPolicy(
          LabelPolicy.Uncertain.parse(uncertain), LabelPolicy.Missing.parse(missing));
    } catch (IllegalArgumentException e) {
      throw ChexnetException.invalidInput("--" + e.getMessage());
    }
  }
}
