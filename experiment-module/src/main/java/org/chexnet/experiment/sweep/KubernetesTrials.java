package org.chexnet.experiment.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.chexnet.common.Reporter;
import org.chexnet.tracking.Run;

/**
 * A sweep's trials as a Kubernetes Indexed Job, for a cluster with its own scheduler: one
 * completion index per trial, each pod running {@code chexnet sweep SWEEP --trial
 * $(JOB_COMPLETION_INDEX)} on the sweep and base spec mounted from a ConfigMap, tracking to the
 * given MLflow server. As an executor it hands the manifest over (for {@code kubectl apply}) and
 * returns: the trials run, and are recorded, in the cluster.
 */
public final class KubernetesTrials implements TrialExecutor {
  private static final String SPECS = "/specs";
  private static final YAMLMapper YAML =
      YAMLMapper.builder().enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).build();

  private final String image;
  private final String trackingUri;
  private final int parallelism;
  private final Consumer<String> manifests;

  /**
   * @param image a container image with the chexnet CLI on its PATH and the data the base spec
   *     names
   * @param trackingUri the MLflow server the trials record to (MLFLOW_TRACKING_URI), or null to
   *     keep the base spec's
   * @param parallelism trials at a time
   * @param manifests receives the manifest {@link #execute} writes
   */
  public KubernetesTrials(
      String image, String trackingUri, int parallelism, Consumer<String> manifests) {
    this.image = image;
    this.trackingUri = trackingUri;
    this.parallelism = parallelism;
    this.manifests = manifests;
  }

  /** Hands the Job for the plan's trials, children of {@code parent}, to the manifest consumer. */
  @Override
  public void execute(
      Sweep.Plan plan, Run parent, List<PendingTrial> pending, Reporter.Task progress)
      throws IOException {
    manifests.accept(manifest(plan, parent.id()));
  }

  @Override
  public boolean waitsForTrials() {
    return false;
  }

  /**
   * @param parentRunId the parent run the trials are children of, or null
   * @return a ConfigMap and a Job, as one multi-document YAML
   */
  public String manifest(Sweep.Plan plan, String parentRunId) throws IOException {
    String name = dnsLabel("chexnet-sweep-" + plan.spec().name());
    Map<String, Object> configMap = new LinkedHashMap<>();
    configMap.put("apiVersion", "v1");
    configMap.put("kind", "ConfigMap");
    configMap.put("metadata", Map.of("name", name + "-specs"));
    configMap.put(
        "data",
        Map.of(
            "sweep.yaml",
            // The mounted sweep names its base by the mounted file name.
            Files.readString(plan.sweepFile()).replaceFirst("(?m)^base:.*$", "base: base.yaml"),
            "base.yaml",
            Files.readString(plan.baseFile())));

    List<String> command =
        new ArrayList<>(
            List.of(
                "chexnet", "sweep", SPECS + "/sweep.yaml", "--trial", "$(JOB_COMPLETION_INDEX)"));
    if (parentRunId != null) {
      command.addAll(List.of("--parent-run", parentRunId));
    }
    Map<String, Object> container = new LinkedHashMap<>();
    container.put("name", "trial");
    container.put("image", image);
    container.put("command", command);
    List<Map<String, Object>> env = new ArrayList<>();
    if (trackingUri != null) {
      env.add(Map.of("name", "MLFLOW_TRACKING_URI", "value", trackingUri));
    }
    if (!env.isEmpty()) {
      container.put("env", env);
    }
    container.put("volumeMounts", List.of(Map.of("name", "specs", "mountPath", SPECS)));

    Map<String, Object> podSpec = new LinkedHashMap<>();
    podSpec.put("restartPolicy", "Never");
    podSpec.put("containers", List.of(container));
    podSpec.put(
        "volumes", List.of(Map.of("name", "specs", "configMap", Map.of("name", name + "-specs"))));

    Map<String, Object> jobSpec = new LinkedHashMap<>();
    jobSpec.put("completionMode", "Indexed");
    jobSpec.put("completions", plan.trials().size());
    jobSpec.put("parallelism", parallelism);
    // A failed pod retries its own index; a trial resumes from its backup only on the same disk.
    jobSpec.put("backoffLimitPerIndex", 1);
    jobSpec.put("template", Map.of("spec", podSpec));

    Map<String, Object> job = new LinkedHashMap<>();
    job.put("apiVersion", "batch/v1");
    job.put("kind", "Job");
    job.put(
        "metadata", Map.of("name", name, "labels", Map.of("app.kubernetes.io/name", "chexnet")));
    job.put("spec", jobSpec);
    return write(configMap) + write(job);
  }

  private static String write(Object document) throws JsonProcessingException {
    return YAML.writeValueAsString(document);
  }

  /** A valid Kubernetes object name: lower case alphanumerics and '-', at most 63 characters. */
  static String dnsLabel(String text) {
    String label = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-");
    label = label.replaceAll("-+", "-").replaceAll("^-|-$", "");
    return label.length() > 63 ? label.substring(0, 63).replaceAll("-$", "") : label;
  }
}
