package org.chexnet.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProvenanceTest {
  private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

  @Test
  void tagsCarryMlflowGitKeysAndChexnetProvenance() {
    GitState git =
        new GitState(
            true, COMMIT, "main", true, "diff", "https://github.com/chexnet/chexnet-java.git");
    Provenance provenance =
        new Provenance(
            git,
            "sha256:spec",
            "sha256:data",
            42L,
            Map.of("tensorflow", "1.1.0", "java.version", "17.0.15"));

    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("mlflow.source.git.commit", COMMIT);
    expected.put("mlflow.source.git.branch", "main");
    expected.put("mlflow.source.git.repoURL", "https://github.com/chexnet/chexnet-java.git");
    expected.put("chexnet.git.in_repository", "true");
    expected.put("chexnet.git.dirty", "true");
    expected.put("chexnet.spec.digest", "sha256:spec");
    expected.put("chexnet.dataset.digest", "sha256:data");
    expected.put("chexnet.seed", "42");
    expected.put("chexnet.version.tensorflow", "1.1.0");
    expected.put("chexnet.version.java.version", "17.0.15");
    assertEquals(expected, provenance.tags());
  }

  @Test
  void unknownGitFieldsAreLeftOut() {
    Provenance provenance =
        new Provenance(new GitState(false, null, null, false, null, null), "s", "d", -1L, Map.of());

    assertEquals(
        Map.of(
            "chexnet.git.in_repository",
            "false",
            "chexnet.git.dirty",
            "false",
            "chexnet.spec.digest",
            "s",
            "chexnet.dataset.digest",
            "d",
            "chexnet.seed",
            "-1"),
        provenance.tags());
  }

  @Test
  void runtimeVersionsDescribeThisJvmAndMachine() {
    Map<String, String> versions = Provenance.runtimeVersions();

    assertEquals(System.getProperty("java.version"), versions.get("java.version"));
    assertEquals(System.getProperty("os.arch"), versions.get("os.arch"));
    assertEquals(
        Integer.toString(Runtime.getRuntime().availableProcessors()),
        versions.get("available.processors"));
    assertTrue(Long.parseLong(versions.get("max.heap.bytes")) > 0);
    assertTrue(
        versions
            .keySet()
            .containsAll(List.of("java.vendor", "java.vm.name", "os.name", "os.version")));
  }

  @Test
  void provenanceTagsAreValidRunTags(@TempDir Path temp) throws Exception {
    Map<String, String> versions = new LinkedHashMap<>(Provenance.runtimeVersions());
    versions.put("chexnet", "0.1.0-SNAPSHOT");
    Provenance provenance = new Provenance(GitState.capture(temp), "s", "d", 7L, versions);

    try (Run run = new LocalRunStore(temp.resolve("mlruns")).startRun("x", "r")) {
      run.setTags(provenance.tags());
      run.end(RunStatus.FINISHED);
      assertEquals("7", Files.readString(run.directory().resolve("tags/chexnet.seed")));
    }
  }
}
