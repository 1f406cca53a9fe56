package org.chexnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.chexnet.experiment.TinySpecs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What chexnet writes honours the umask, as any tool's files do: under the usual 022 a shared
 * mlruns/ and dataset can be read by colleagues (files 0644, directories 0755), under 027 not by
 * others. A real run and a snapshot, each in a process started with that umask.
 */
class FileModesTest {
  @TempDir Path work;

  /** Every path under {@code root} whose mode is not the expected one, with its mode. */
  private static Map<String, String> wrongModes(Path root, String file, String directory)
      throws Exception {
    Map<String, String> wrong = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.toList()) {
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        if (!mode.equals(Files.isDirectory(p) ? directory : file)) {
          wrong.put(root.relativize(p).toString(), mode);
        }
      }
    }
    return wrong;
  }

  @Test
  void aRunsFilesAndTheDataManifestFollowTheUmask() throws Exception {
    Files.writeString(
        work.resolve("tiny.yaml"),
        TinySpecs.dataAndModel("modes")
            + "train: {epochs: 1, batch_size: 16}\nevaluate: {bootstrap: {replicates: 10}}\n");
    ChildCli.Result run =
        ChildCli.run(work, "022", Map.of(), List.of("run", "tiny.yaml", "--out", "results"));
    assertEquals(0, run.exit(), run.all());
    ChildCli.Result snapshot =
        ChildCli.run(work, "022", Map.of(), List.of("data", "snapshot", "data/tiny"));
    assertEquals(0, snapshot.exit(), snapshot.all());
    assertTrue(Files.exists(work.resolve("mlruns/1/meta.yaml")));
    assertTrue(Files.exists(work.resolve("data/tiny/chexnet-manifest.json")));
    for (String written : List.of("mlruns", "results", "data")) {
      assertEquals(
          Map.of(),
          wrongModes(work.resolve(written), "rw-r--r--", "rwxr-xr-x"),
          written + " under umask 022");
    }

    ChildCli.Result strict =
        ChildCli.run(work, "027", Map.of(), List.of("data", "snapshot", "data/tiny"));
    assertEquals(0, strict.exit(), strict.all());
    assertEquals(
        "rw-r-----",
        PosixFilePermissions.toString(
            Files.getPosixFilePermissions(work.resolve("data/tiny/chexnet-manifest.json"))));
  }
}
