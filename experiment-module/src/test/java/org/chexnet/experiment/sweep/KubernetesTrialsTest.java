package org.chexnet.experiment.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.chexnet.common.Reporter;
import org.chexnet.experiment.TinySpecs;
import org.chexnet.experiment.run.RunResult;
import org.chexnet.model.PythonTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubernetesTrialsTest {
  private static final String BASE =
      TinySpecs.dataAndModel("tiny")
          + "train: {epochs: 1, horizontal_flip: false, callbacks: [{type: mlflow_logger}]}\n";
  private static final String SWEEP =
      """
      name: LR_sweep.1
      base: specs/base.yaml
      search:
        type: grid
        parameters:
          train.optimizer.lr: [1.0e-3, 3.0e-3]
          train.batch_size: [16, 32]
      """;

  @Test
  void emittedIndexedJobIsValidKubernetesWithOneIndexPerTrial(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("specs"));
    Files.writeString(dir.resolve("specs/base.yaml"), BASE);
    Files.writeString(dir.resolve("sweep.yaml"), SWEEP);
    String yaml =
        new KubernetesTrials(
                "registry.example.org/chexnet:0.1", "http://mlflow.example.org:5000", 2, m -> {})
            .manifest(Sweep.plan(dir.resolve("sweep.yaml"), dir), "abc123");

    List<JsonNode> documents;
    try (MappingIterator<JsonNode> it =
        new YAMLMapper().readerFor(JsonNode.class).readValues(yaml)) {
      documents = it.readAll();
    }
    assertEquals(2, documents.size());
    JsonNode configMap = documents.get(0);
    JsonNode job = documents.get(1);
    assertEquals("chexnet-sweep-lr-sweep-1", job.at("/metadata/name").asText());
    assertEquals("Indexed", job.at("/spec/completionMode").asText());
    assertEquals(4, job.at("/spec/completions").asInt());
    assertEquals(2, job.at("/spec/parallelism").asInt());
    JsonNode container = job.at("/spec/template/spec/containers/0");
    assertEquals(
        "[\"chexnet\",\"sweep\",\"/specs/sweep.yaml\",\"--trial\",\"$(JOB_COMPLETION_INDEX)\","
            + "\"--parent-run\",\"abc123\"]",
        container.get("command").toString());
    assertEquals("http://mlflow.example.org:5000", container.at("/env/0/value").asText());
    assertTrue(configMap.at("/data/sweep.yaml").asText().contains("\nbase: base.yaml\n"));
    assertEquals(BASE, configMap.at("/data/base.yaml").asText());

    Path validate = PythonTools.venvBin(Path.of("src/test/python/requirements-k8s-validate.txt"));
    Path file = dir.resolve("job.yaml");
    Files.writeString(file, yaml);
    String ok = kubernetesValidate(validate, file);
    assertTrue(ok.startsWith("0\n"), ok);
    // The validator does reject a broken job: the test would catch one.
    Files.writeString(file, yaml.replace("completions: 4", "completions: four"));
    assertNotEquals('0', kubernetesValidate(validate, file).charAt(0));
  }

  /** "EXIT\nOUTPUT" of kubernetes-validate --strict on {@code file}. */
  private static String kubernetesValidate(Path bin, Path file) throws Exception {
    Process p =
        new ProcessBuilder(
                bin.resolve("kubernetes-validate").toString(),
                "-k",
                "1.33.0",
                "--strict",
                file.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(2, TimeUnit.MINUTES));
    return p.exitValue() + "\n" + out;
  }

  @Test
  void aPodRunsItsOneTrialAsAChildOfTheParent(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("specs"));
    Files.writeString(dir.resolve("specs/base.yaml"), BASE);
    Files.writeString(dir.resolve("sweep.yaml"), SWEEP);
    Sweep sweep = new Sweep(Reporter.silent(), dir);
    RunResult run = sweep.runTrial(dir.resolve("sweep.yaml"), 2, "abc123");
    Path tags = run.directory().resolve("tags");
    assertEquals("abc123", Files.readString(tags.resolve("mlflow.parentRunId")));
    assertEquals("2", Files.readString(tags.resolve(Sweep.TRIAL_TAG)));
    assertEquals("0.003", Files.readString(run.directory().resolve("params/train.optimizer.lr")));
    assertEquals("16", Files.readString(run.directory().resolve("params/train.batch_size")));
    assertEquals("LR_sweep.1-2", run.name());
  }
}
