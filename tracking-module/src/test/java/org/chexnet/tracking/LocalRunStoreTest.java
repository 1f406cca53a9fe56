package org.chexnet.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalRunStoreTest {
  @TempDir Path temp;

  /** Asserts the whole file, where each {@code <millis>} stands for a millisecond timestamp. */
  static void assertMatchesTemplate(String template, Path file) throws IOException {
    String regex = Pattern.quote(template).replace("<millis>", "\\E\\d{13}\\Q");
    String actual = Files.readString(file);
    assertTrue(actual.matches(regex), () -> "expected:\n" + template + "\nactual:\n" + actual);
  }

  @Test
  void startRunCreatesExperimentAndRunMetaInMlflowLayout() throws IOException {
    Path root = temp.resolve("mlruns");
    Run run = new LocalRunStore(root).startRun("chexnet densenet", "baseline");

    assertEquals("1", run.experimentId());
    assertMatchesTemplate(
        """
                artifact_location: file://%s/1
                creation_time: <millis>
                experiment_id: '1'
                last_update_time: <millis>
                lifecycle_stage: active
                name: chexnet densenet
                """
            .formatted(root),
        root.resolve("1/meta.yaml"));

    assertTrue(run.id().matches("[0-9a-f]{32}"), run.id());
    assertEquals(root.resolve("1").resolve(run.id()), run.directory());
    assertEquals(run.directory().resolve("artifacts"), run.artifactsDir());
    assertMatchesTemplate(
        """
                artifact_uri: file://%s/1/%s/artifacts
                end_time: null
                entry_point_name: ''
                experiment_id: '1'
                lifecycle_stage: active
                run_id: %s
                run_name: baseline
                run_uuid: %s
                source_name: ''
                source_type: 4
                source_version: ''
                start_time: <millis>
                status: 1
                tags: []
                user_id: %s
                """
            .formatted(root, run.id(), run.id(), run.id(), System.getProperty("user.name")),
        run.directory().resolve("meta.yaml"));
    for (String folder : new String[] {"artifacts", "metrics", "params", "tags"}) {
      assertTrue(Files.isDirectory(run.directory().resolve(folder)), folder);
    }
    assertEquals("baseline", Files.readString(run.directory().resolve("tags/mlflow.runName")));
    assertEquals(
        System.getProperty("user.name"),
        Files.readString(run.directory().resolve("tags/mlflow.user")));
  }

  @Test
  void defaultExperimentZeroExists() throws IOException {
    Path root = temp.resolve("mlruns");
    new LocalRunStore(root).startRun("x", "r");

    assertMatchesTemplate(
        """
                artifact_location: file://%s/0
                creation_time: <millis>
                experiment_id: '0'
                last_update_time: <millis>
                lifecycle_stage: active
                name: Default
                """
            .formatted(root),
        root.resolve("0/meta.yaml"));
  }

  @Test
  void experimentIsFoundByNameAndNewNamesGetTheNextId() throws IOException {
    LocalRunStore store = new LocalRunStore(temp);
    Run first = store.startRun("alpha", "a1");
    Run second = store.startRun("alpha", "a2");
    Run other = store.startRun("beta", "b1");

    assertEquals("1", first.experimentId());
    assertEquals("1", second.experimentId());
    assertNotEquals(first.id(), second.id());
    assertEquals("2", other.experimentId());
    assertEquals("0", store.startRun("Default", "d").experimentId());
    // A fresh store object over the same directory sees the same experiments.
    assertEquals("2", new LocalRunStore(temp).startRun("beta", "b2").experimentId());
  }

  @Test
  void nextIdFollowsTheLargestNumericDirectory() throws IOException {
    Files.createDirectories(temp.resolve("41"));
    Files.createDirectories(temp.resolve(".trash/57"));

    assertEquals("58", new LocalRunStore(temp).startRun("late", "r").experimentId());
  }

  @Test
  void experimentNamesThatLookLikeOtherYamlTypesStayStrings() throws IOException {
    LocalRunStore store = new LocalRunStore(temp);
    for (String name : new String[] {"123", "true", "it's: here", "two\nlines"}) {
      Run run = store.startRun(name, "r");
      assertEquals(run.experimentId(), store.startRun(name, "again").experimentId(), name);
    }
  }

  @Test
  void findRunLocatesARunInAnyExperiment() throws IOException {
    LocalRunStore store = new LocalRunStore(temp);
    store.startRun("alpha", "a");
    Run wanted = store.startRun("beta", "b");

    assertEquals(Optional.of(wanted.directory()), store.findRun(wanted.id()));
    assertFalse(store.findRun("0123456789abcdef0123456789abcdef").isPresent());
    assertFalse(store.findRun("../1").isPresent());
    assertFalse(new LocalRunStore(temp.resolve("missing")).findRun(wanted.id()).isPresent());
  }
}
