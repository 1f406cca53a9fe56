package org.chexnet.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MlflowYamlTest {
  // Expected values are what PyYAML's safe_dump (MLflow 2.17.2) writes for the same strings.
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "chexnet densenet | chexnet densenet",
        "968263350fa44c8fb0717f0c6af31230 | 968263350fa44c8fb0717f0c6af31230",
        "file:///tmp/mlruns/0 | file:///tmp/mlruns/0",
        "123 | '123'",
        "true | 'true'",
        "0x1f | '0x1f'",
        "x: y | 'x: y'",
        "it's: here | 'it''s: here'",
        "@x | '@x'",
      })
  void stringsArePlainOnlyWhenYamlReadsThemBackAsTheSameString(String value, String expected) {
    assertEquals("name: " + expected + "\n", MlflowYaml.render(Map.of("name", value)));
  }

  @Test
  void keysAreSortedAndNullNumbersAndEmptyListsWrittenLikePyYaml() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("tags", List.of());
    fields.put("end_time", null);
    fields.put("entry_point_name", "");
    fields.put("status", 3);
    fields.put("multi", "two\nlines");

    assertEquals(
        String.join(
            "\n",
            Arrays.asList(
                "end_time: null",
                "entry_point_name: ''",
                "multi: \"two\\u000alines\"",
                "status: 3",
                "tags: []",
                "")),
        MlflowYaml.render(fields));
  }
}
