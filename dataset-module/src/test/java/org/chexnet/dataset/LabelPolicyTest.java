package org.chexnet.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LabelPolicyTest {
  @Test
  void parsesTheSpecSpellingsAndNamesTheValidOnes() {
    assertEquals(LabelPolicy.Uncertain.ONES, LabelPolicy.Uncertain.parse("ones"));
    assertEquals(LabelPolicy.Uncertain.ZEROS, LabelPolicy.Uncertain.parse("zeros"));
    assertEquals(LabelPolicy.Missing.IGNORE, LabelPolicy.Missing.parse("ignore"));
    assertEquals(
        "uncertain: expected one of ignore, zeros, ones, got 'U-Ones'",
        assertThrows(IllegalArgumentException.class, () -> LabelPolicy.Uncertain.parse("U-Ones"))
            .getMessage());
    assertEquals(
        "missing: expected one of negative, ignore, got 'zeros'",
        assertThrows(IllegalArgumentException.class, () -> LabelPolicy.Missing.parse("zeros"))
            .getMessage());
    assertEquals(
        new LabelPolicy(LabelPolicy.Uncertain.IGNORE, LabelPolicy.Missing.NEGATIVE),
        LabelPolicy.DEFAULT);
  }
}
