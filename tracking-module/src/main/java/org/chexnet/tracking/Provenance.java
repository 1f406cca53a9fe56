package org.chexnet.tracking;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything needed to re-run a run: the code (git), the experiment spec and dataset (by digest),
 * the seed and the versions of the runtime and libraries.
 *
 * @param specDigest digest of the experiment spec; null leaves its tag out
 * @param datasetDigest digest of the dataset (index/splits); null leaves its tag out
 * @param versions name to version, e.g. {@link #runtimeVersions()} plus tensorflow and chexnet
 */
public record Provenance(
    GitState git,
    String specDigest,
    String datasetDigest,
    long seed,
    Map<String, String> versions) {
  /** The tag holding the digest of the data a run trained and was scored on. */
  public static final String DATASET_DIGEST_TAG = "chexnet.dataset.digest";

  public Provenance {
    Objects.requireNonNull(git, "git");
    versions = Map.copyOf(versions);
  }

  /** The JVM, OS and machine this process runs on. Callers add tensorflow and chexnet. */
  public static Map<String, String> runtimeVersions() {
    Map<String, String> versions = new LinkedHashMap<>();
    for (String property :
        new String[] {
          "java.version", "java.vendor", "java.vm.name", "os.name", "os.version", "os.arch"
        }) {
      versions.put(property, System.getProperty(property, "unknown"));
    }
    versions.put(
        "available.processors", Integer.toString(Runtime.getRuntime().availableProcessors()));
    versions.put("max.heap.bytes", Long.toString(Runtime.getRuntime().maxMemory()));
    return versions;
  }

  /**
   * The run tags: MLflow's own {@code mlflow.source.git.commit}, {@code .branch} and {@code
   * .repoURL} (those that are known), so the MLflow UI links the code, plus {@code
   * chexnet.git.in_repository}, {@code chexnet.git.dirty}, {@code chexnet.spec.digest}, {@code
   * chexnet.dataset.digest}, {@code chexnet.seed} and {@code chexnet.version.<name>} per entry of
   * {@link #versions}.
   */
  public Map<String, String> tags() {
    Map<String, String> tags = new TreeMap<>();
    putIfKnown(tags, "mlflow.source.git.commit", git.commit());
    putIfKnown(tags, "mlflow.source.git.branch", git.branch());
    putIfKnown(tags, "mlflow.source.git.repoURL", git.remoteUrl());
    tags.put("chexnet.git.in_repository", Boolean.toString(git.inRepository()));
    tags.put("chexnet.git.dirty", Boolean.toString(git.dirty()));
    putIfKnown(tags, "chexnet.spec.digest", specDigest);
    putIfKnown(tags, DATASET_DIGEST_TAG, datasetDigest);
    tags.put("chexnet.seed", Long.toString(seed));
    versions.forEach((name, version) -> tags.put("chexnet.version." + name, version));
    return Map.copyOf(tags);
  }

  private static void putIfKnown(Map<String, String> tags, String key, String value) {
    if (value != null) {
      tags.put(key, value);
    }
  }
}
