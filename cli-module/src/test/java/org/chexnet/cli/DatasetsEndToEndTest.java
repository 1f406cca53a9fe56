package org.chexnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.chexnet.dataset.Dataset;
import org.chexnet.dataset.Datasets;
import org.chexnet.dataset.LabelPolicy;
import org.chexnet.dataset.ModelFindings;
import org.chexnet.dataset.SplitPlan;
import org.chexnet.tracking.DatasetInput;
import org.chexnet.tracking.LocalRunStore;
import org.chexnet.tracking.RunRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * CheXpert, MIMIC-CXR-JPG and PadChest end to end through the command line, on synthetic data in
 * each dataset's exact layout: label summary, manifest, prepared cache with a bad image skipped, a
 * run on the dataset's findings with MLflow dataset inputs, serving and predicting with those
 * findings, scoring the run's model on its own test split (the same AUROCs as the run), and a
 * ChestX-ray14 model scored on CheXpert over the findings the two share.
 */
class DatasetsEndToEndTest {
  private static final Pattern URL = Pattern.compile("at (http://127\\.0\\.0\\.1:\\d+/)");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long SEED = 3;

  @TempDir Path work;

  /** A command's exit code and what it printed on its output and error streams. */
  private record Result(int exit, String out, String err) {}

  private static Result chexnet(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Chexnet.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  private static String spec(String dataset, Path root, Path mlruns) {
    String split =
        dataset.equals("padchest") // PadChest has no official split
            ? "  split: patient_random\n  fractions: {train: 0.7, validation: 0.15, test: 0.15}\n"
            : "";
    return """
        name: tiny-%1$s
        seed: %4$d
        data:
          root: %2$s
          dataset: %1$s
          image_size: 32
          prepared_cache: build
          on_bad_image: skip
        %5$smodel:
          architecture: custom
          blocks: [1, 1, 1, 1]
          growth_rate: 4
          weights: none
        train:
          epochs: 1
          batch_size: 16
          horizontal_flip: false
          callbacks:
            - type: model_checkpoint
            - type: mlflow_logger
        evaluate:
          bootstrap: {replicates: 100}
        tracking:
          uri: %3$s
        """
        .formatted(dataset, root, mlruns, SEED, split);
  }

  private static SplitPlan plan(String dataset) {
    return dataset.equals("padchest")
        ? new SplitPlan.PatientRandom(0.7, 0.15, 0.15)
        : new SplitPlan.Official(0.1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"chexpert", "mimic_cxr_jpg", "padchest"})
  void aDatasetTrainsEvaluatesAndIsServedWithItsFindings(String dataset) throws Exception {
    Path root = work.resolve(dataset);
    Path mlruns = work.resolve("mlruns");
    List<String> findings = Datasets.named(dataset).findings();
    assertEquals(
        0,
        chexnet(
                "data",
                "synth",
                "--dataset",
                dataset,
                "--out",
                root.toString(),
                "--images",
                "160",
                "--image-size",
                "32")
            .exit());

    // The labels from the metadata alone.
    Path summaryJson = work.resolve("summary.json");
    Result summary =
        chexnet(
            "data",
            "summary",
            root.toString(),
            "--dataset",
            dataset,
            "--json",
            summaryJson.toString());
    assertEquals(0, summary.exit(), summary.err());
    JsonNode counts = JSON.readTree(summaryJson.toFile());
    assertEquals(dataset, counts.get("dataset").asText());
    assertTrue(counts.get("images").asInt() > 100, counts.toString());
    List<String> summarised = new ArrayList<>();
    counts.get("findings").fieldNames().forEachRemaining(summarised::add);
    assertEquals(findings, summarised);
    assertTrue(summary.out().contains(findings.get(findings.size() - 1)), summary.out());

    // A split as the run will make it, with the policy's masked labels, before training.
    List<String> splitArgs =
        new ArrayList<>(List.of("data", "splits", root.toString(), "--dataset", dataset));
    if (dataset.equals("padchest")) {
      splitArgs.addAll(List.of("--patient-random", "0.7", "0.15", "0.15"));
    }
    Result split = chexnet(splitArgs.toArray(String[]::new));
    assertEquals(0, split.exit(), split.err());
    findings.forEach(f -> assertTrue(split.out().contains(f), split.out()));

    // One image of the training split made unreadable: the cache skips it, the run leaves it out.
    Dataset data = Datasets.open(dataset, root);
    String bad =
        data.split(plan(dataset), SEED, LabelPolicy.DEFAULT, Set.of()).train().get(0).imageIndex();
    Files.writeString(data.imagePath(bad), "not an image");
    assertEquals(0, chexnet("data", "snapshot", root.toString()).exit());

    Path specFile = work.resolve(dataset + ".yaml");
    Files.writeString(specFile, spec(dataset, root, mlruns));
    Result run = chexnet("run", specFile.toString());
    assertEquals(0, run.exit(), run.err());
    LocalRunStore store = new LocalRunStore(mlruns);
    RunRecord record = store.listRuns(java.util.Optional.of("tiny-" + dataset)).get(0);
    assertEquals("FINISHED", record.status());
    Path runDir = store.runDirectory(record);
    Path artifacts = runDir.resolve("artifacts");
    assertEquals(dataset, record.tags().get("chexnet.data.dataset"));
    assertTrue(
        record.tags().get("chexnet.data.source").startsWith("prepared "), record.tags().toString());
    assertEquals(
        root.resolve("chexnet-manifest.json").toString(),
        record.tags().get("chexnet.data.manifest"));
    assertTrue(record.tags().get("chexnet.dataset.digest").startsWith("sha256:"));
    assertEquals("1", record.tags().get("chexnet.data.skipped_images"));
    assertTrue(Files.readString(artifacts.resolve("skipped-images.tsv")).contains(bad));

    // The network's outputs are the dataset's findings, everywhere they are named.
    String header = Files.readAllLines(artifacts.resolve("predictions.csv")).get(0);
    assertEquals("Image Index,prob_" + String.join(",prob_", findings), header);
    JsonNode metrics = JSON.readTree(artifacts.resolve("metrics.json").toFile());
    List<String> scored = new ArrayList<>();
    metrics.get("auroc").fieldNames().forEachRemaining(scored::add);
    assertEquals(findings, scored);
    assertEquals(new ModelFindings(dataset, findings), ModelFindings.read(artifacts).orElseThrow());
    assertEquals(
        new ModelFindings(dataset, findings),
        ModelFindings.read(artifacts.resolve("saved_model")).orElseThrow());
    String splits = Files.readString(artifacts.resolve("splits.md"));
    findings.forEach(f -> assertTrue(splits.contains("| " + f + " |"), f));
    if (!dataset.equals("padchest")) {
      // CheXpert's labeler marks uncertain labels, which U-Ignore (the default) masks.
      assertTrue(splits.contains(" masked |"), splits);
      assertTrue(metrics.has("masked"), metrics.toString());
    }

    // MLflow's "Datasets used": the three splits of the dataset, each with its context.
    List<DatasetInput> inputs = store.datasetInputs(record);
    assertEquals(
        Set.of("train", "validation", "test"),
        new TreeSet<>(inputs.stream().map(DatasetInput::context).toList()));
    inputs.forEach(i -> assertEquals(dataset, i.name()));
    assertEquals(3, inputs.stream().map(DatasetInput::digest).distinct().count());

    assertEquals(0, chexnet("data", "verify", root.toString()).exit());

    // Predicted and served with the dataset's findings.
    Path predictions = work.resolve("predicted.csv");
    Path list =
        Files.write(
            work.resolve("images.txt"),
            data.images().stream()
                .map(i -> data.imagePath(i.image()).toString())
                .filter(p -> !p.equals(data.imagePath(bad).toString()))
                .limit(3)
                .toList());
    Result predict =
        chexnet(
            "predict",
            "--model",
            runDir.toString(),
            "--images",
            list.toString(),
            "--out",
            predictions.toString());
    assertEquals(0, predict.exit(), predict.err());
    assertEquals(header, Files.readAllLines(predictions).get(0));
    servedFindingsAre(runDir, findings, Path.of(Files.readAllLines(list).get(0)));

    // Its own test split scored through the SavedModel: the run's AUROCs.
    Path evaluation = work.resolve("evaluation");
    List<String> args =
        new ArrayList<>(
            List.of(
                "evaluate",
                "--model",
                runDir.toString(),
                "--dataset",
                dataset,
                "--root",
                root.toString(),
                "--split",
                "test",
                "--split-seed",
                Long.toString(SEED),
                "--bootstrap",
                "100",
                "--out",
                evaluation.toString()));
    if (dataset.equals("padchest")) {
      args.addAll(List.of("--patient-random", "0.7", "0.15", "0.15"));
    }
    Result evaluate = chexnet(args.toArray(String[]::new));
    assertEquals(0, evaluate.exit(), evaluate.err());
    JsonNode scoredAgain = JSON.readTree(evaluation.resolve("metrics.json").toFile());
    assertEquals(metrics.get("images").asInt(), scoredAgain.get("images").asInt());
    for (String finding : findings) {
      JsonNode expected = metrics.get("auroc").get(finding);
      JsonNode actual = scoredAgain.get("auroc").get(finding);
      if (expected.isNull()) {
        assertTrue(actual.isNull(), finding);
      } else {
        assertEquals(expected.asDouble(), actual.asDouble(), 1e-6, finding);
      }
    }
    assertEquals(findings.size(), scoredAgain.get("findings").get("compared").size());
    assertEquals(0, scoredAgain.get("findings").get("skipped").size());
    // The same validation split predicted: the run's calibration before and after, and its
    // subgroups from the same normalised metadata.
    for (String finding : findings) {
      JsonNode expected = metrics.get("calibration").get(finding);
      JsonNode actual = scoredAgain.get("calibration").get(finding);
      assertEquals(expected.get("brier").asDouble(), actual.get("brier").asDouble(), 1e-6, finding);
      assertEquals(expected.has("calibrated"), actual.has("calibrated"), finding);
      if (expected.has("calibrated")) {
        assertEquals(
            expected.get("calibrated").get("brier").asDouble(),
            actual.get("calibrated").get("brier").asDouble(),
            1e-5,
            finding);
      }
    }
    for (String attribute : List.of("sex", "age", "view")) {
      JsonNode expected = metrics.get("subgroups").get(attribute);
      JsonNode actual = scoredAgain.get("subgroups").get(attribute);
      assertEquals(fieldNames(expected), fieldNames(actual), attribute);
      expected
          .fieldNames()
          .forEachRemaining(
              value ->
                  assertEquals(
                      expected.get(value).get("images").asInt(),
                      actual.get(value).get("images").asInt(),
                      attribute + " = " + value));
    }
    assertTrue(Files.isRegularFile(evaluation.resolve("model-card.md")));

    // The run's predictions scored against the dataset's labels and metadata: the run's report,
    // calibration and subgroups included.
    Path fromPredictions = work.resolve("predictions-evaluation");
    Result scoredPredictions =
        chexnet(
            "evaluate",
            "--predictions",
            artifacts.resolve("predictions.csv").toString(),
            "--validation-predictions",
            artifacts.resolve("validation-predictions.csv").toString(),
            "--dataset",
            dataset,
            "--root",
            root.toString(),
            "--bootstrap",
            "100",
            "--seed",
            Long.toString(SEED),
            "--out",
            fromPredictions.toString());
    assertEquals(0, scoredPredictions.exit(), scoredPredictions.err());
    JsonNode rescored = JSON.readTree(fromPredictions.resolve("metrics.json").toFile());
    assertEquals(List.of("sex", "age", "view"), fieldNames(rescored.get("subgroups")));
    for (String key : List.of("images", "auroc", "masked", "calibration", "subgroups")) {
      // The predictions file has 6 decimals of the run's float probabilities (Platt's fit moves).
      assertClose(metrics.get(key), rescored.get(key), key);
    }
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** The same JSON tree, numbers within 1e-3. */
  private static void assertClose(JsonNode expected, JsonNode actual, String path) {
    if (expected == null || actual == null) {
      assertEquals(expected, actual, path);
    } else if (expected.isNumber() && actual.isNumber()) {
      assertEquals(expected.asDouble(), actual.asDouble(), 1e-3, path);
    } else if (expected.isContainerNode()) {
      assertEquals(fieldNames(expected), fieldNames(actual), path);
      assertEquals(expected.size(), actual.size(), path);
      for (int i = 0; expected.isArray() && i < expected.size(); i++) {
        assertClose(expected.get(i), actual.get(i), path + "[" + i + "]");
      }
      expected
          .fieldNames()
          .forEachRemaining(
              name -> assertClose(expected.get(name), actual.get(name), path + "." + name));
    } else {
      assertEquals(expected, actual, path);
    }
  }

  @Test
  void aChestXray14ModelIsScoredOnCheXpertOverTheSharedFindings() throws Exception {
    Path nih = work.resolve("nih");
    Path chexpert = work.resolve("chexpert");
    Path mlruns = work.resolve("mlruns");
    Path specFile = work.resolve("nih.yaml");
    Files.writeString(
        specFile,
        spec("chestxray14", nih, mlruns)
            .replace("  dataset: chestxray14\n", "  synthetic: {images: 120, image_size: 32}\n")
            .replace("  prepared_cache: build\n", ""));
    assertEquals(0, chexnet("run", specFile.toString()).exit());
    assertEquals(
        0,
        chexnet(
                "data",
                "synth",
                "--dataset",
                "chexpert",
                "--out",
                chexpert.toString(),
                "--images",
                "120",
                "--image-size",
                "32")
            .exit());
    LocalRunStore store = new LocalRunStore(mlruns);
    Path run = store.runDirectory(store.listRuns(java.util.Optional.empty()).get(0));

    Path out = work.resolve("nih-on-chexpert");
    Result evaluate =
        chexnet(
            "evaluate",
            "--model",
            run.toString(),
            "--dataset",
            "chexpert",
            "--root",
            chexpert.toString(),
            "--split",
            "test",
            // CheXpert has no test split: a share of its train patients, larger than by default.
            "--validation-fraction",
            "0.4",
            "--bootstrap",
            "100",
            "--out",
            out.toString());
    assertEquals(0, evaluate.exit(), evaluate.err());
    JsonNode metrics = JSON.readTree(out.resolve("metrics.json").toFile());
    JsonNode findings = metrics.get("findings");
    assertEquals("chestxray14", findings.get("model").asText());
    assertEquals("chexpert", findings.get("dataset").asText());
    // The seven findings docs/datasets.md says the two share, in the model's order.
    List<String> compared = new ArrayList<>();
    findings.get("compared").fieldNames().forEachRemaining(compared::add);
    assertEquals(
        List.of(
            "Atelectasis",
            "Cardiomegaly",
            "Effusion",
            "Pneumonia",
            "Pneumothorax",
            "Consolidation",
            "Edema"),
        compared);
    assertEquals(
        "Pleural Effusion", findings.get("compared").get("Effusion").get("dataset").asText());
    List<String> auroc = new ArrayList<>();
    metrics.get("auroc").fieldNames().forEachRemaining(auroc::add);
    assertEquals(compared, auroc);
    // The other seven of NIH's and of CheXpert's, each with the reason.
    List<String> skipped = new ArrayList<>();
    findings
        .get("skipped")
        .forEach(
            s -> {
              skipped.add(s.get("whose").asText() + " " + s.get("finding").asText());
              assertFalse(s.get("reason").asText().isBlank(), s.toString());
            });
    assertEquals(14, skipped.size(), skipped.toString());
    assertTrue(skipped.contains("chestxray14 Infiltration"), skipped.toString());
    assertTrue(skipped.contains("chexpert Fracture"), skipped.toString());
    assertTrue(skipped.contains("chexpert Lung Opacity"), skipped.toString());
    String report = Files.readString(out.resolve("report.md"));
    assertTrue(report.contains("## Findings compared"), report);
    assertTrue(report.contains("## Findings skipped"), report);
    assertTrue(evaluate.out().contains("Effusion: Effusion = Pleural Effusion"), evaluate.out());

    // The clinical report: calibration on the scored images, recomputed here from
    // predictions.csv and CheXpert's own rows (U-Ignore masks -1.0, a blank is negative).
    Map<String, String[]> rows = cheXpertRows(chexpert);
    String[] header = rows.get("");
    List<String> predictions = Files.readAllLines(out.resolve("predictions.csv"));
    List<String> columns = List.of(predictions.get(0).split(","));
    int scored = predictions.size() - 1;
    assertEquals(scored, metrics.get("images").asInt());
    for (String finding : List.of("Cardiomegaly", "Effusion")) {
      int probability = columns.indexOf("prob_" + finding);
      int label =
          List.of(header).indexOf(findings.get("compared").get(finding).get("dataset").asText());
      double squares = 0;
      int known = 0;
      for (String line : predictions.subList(1, predictions.size())) {
        String[] cells = line.split(",");
        String code = rows.get(cells[0])[label];
        if (!code.equals("-1.0")) {
          double y = code.equals("1.0") ? 1 : 0;
          double p = Double.parseDouble(cells[probability]);
          squares += (p - y) * (p - y);
          known++;
        }
      }
      JsonNode calibration = metrics.get("calibration").get(finding);
      assertEquals(known, calibration.get("images").asInt(), finding);
      assertEquals(squares / known, calibration.get("brier").asDouble(), 1e-5, finding);
      double ece = calibration.get("ece").asDouble();
      assertTrue(ece >= 0 && ece <= 1, finding + " ECE " + ece);
      // Platt scaling fitted on CheXpert's validation split, reported after.
      JsonNode after = calibration.get("calibrated");
      assertEquals("platt", after.get("method").asText(), finding);
      double eceAfter = after.get("ece").asDouble();
      assertTrue(eceAfter >= 0 && eceAfter <= 1, finding + " calibrated ECE " + eceAfter);
    }
    assertTrue(Files.isRegularFile(out.resolve("calibration.json")));
    assertTrue(Files.isRegularFile(out.resolve("reliability.png")));
    assertTrue(
        Pattern.compile("after platt \\(fitted on [1-9]\\d* validation images\\)")
            .matcher(evaluate.out())
            .find(),
        evaluate.out());

    // Subgroups from CheXpert's Sex, Age (in bands; 0 is unknown), Frontal/Lateral and AP/PA of
    // the scored images, as the dataset reader normalises them.
    Map<String, Map<String, Integer>> expected = new TreeMap<>();
    int sex = List.of(header).indexOf("Sex");
    int age = List.of(header).indexOf("Age");
    int frontalLateral = List.of(header).indexOf("Frontal/Lateral");
    int apPa = List.of(header).indexOf("AP/PA");
    for (String line : predictions.subList(1, predictions.size())) {
      String[] row = rows.get(line.substring(0, line.indexOf(',')));
      expected
          .computeIfAbsent("sex", k -> new TreeMap<>())
          .merge(row[sex].substring(0, 1), 1, Integer::sum);
      int years = Integer.parseInt(row[age]);
      if (years > 0) {
        String band = years >= 80 ? "80+" : (years / 20 * 20) + "-" + (years / 20 * 20 + 19);
        expected.computeIfAbsent("age", k -> new TreeMap<>()).merge(band, 1, Integer::sum);
      }
      String view = row[frontalLateral].equals("Lateral") ? "LATERAL" : row[apPa];
      expected.computeIfAbsent("view", k -> new TreeMap<>()).merge(view, 1, Integer::sum);
    }
    for (Map.Entry<String, Map<String, Integer>> attribute : expected.entrySet()) {
      JsonNode subgroups = metrics.get("subgroups").get(attribute.getKey());
      Map<String, Integer> actual = new TreeMap<>();
      subgroups
          .fieldNames()
          .forEachRemaining(v -> actual.put(v, subgroups.get(v).get("images").asInt()));
      assertEquals(attribute.getValue(), actual, attribute.getKey());
    }
    assertEquals(
        scored,
        expected.get("sex").values().stream().mapToInt(Integer::intValue).sum(),
        "every scored image has a sex");
    assertTrue(metrics.get("subgroup_gaps").has("view"), metrics.toString());
    assertTrue(Files.isRegularFile(out.resolve("image-metadata.csv")));

    String card = Files.readString(out.resolve("model-card.md"));
    assertTrue(card.contains("External validation"), card);
    assertTrue(card.contains("sex = F"), card);
    assertTrue(card.contains("view = LATERAL"), card);
    assertTrue(card.contains("ECE after platt"), card);
    assertTrue(card.contains("chexpert dataset at"), card);

    // An attribute the dataset's metadata has no column for stops it before anything is predicted.
    Path refused = work.resolve("refused");
    Result unknown =
        chexnet(
            "evaluate",
            "--model",
            run.toString(),
            "--dataset",
            "chexpert",
            "--root",
            chexpert.toString(),
            "--subgroups",
            "sex,ethnicity",
            "--out",
            refused.toString());
    assertEquals(Chexnet.USAGE_ERROR, unknown.exit(), unknown.err());
    assertTrue(unknown.err().startsWith("error: --subgroups: "), unknown.err());
    assertTrue(unknown.err().contains("no column 'ethnicity'"), unknown.err());
    assertEquals(1, unknown.err().strip().lines().count(), unknown.err());
    assertFalse(Files.exists(refused));
  }

  /** CheXpert's rows by image key (the Path without its folder), the header under "". */
  private static Map<String, String[]> cheXpertRows(Path root) throws Exception {
    Map<String, String[]> rows = new HashMap<>();
    for (String csv : List.of("train.csv", "valid.csv")) {
      List<String> lines = Files.readAllLines(root.resolve(csv));
      rows.put("", lines.get(0).split(",", -1));
      for (String line : lines.subList(1, lines.size())) {
        String[] cells = line.split(",", -1);
        rows.put(cells[0].substring(cells[0].indexOf('/') + 1), cells);
      }
    }
    return rows;
  }

  @Test
  void badMetadataIsOneLineNamingFileLineAndColumnAndExitTwo() throws Exception {
    Path root = work.resolve("chexpert");
    assertEquals(
        0,
        chexnet(
                "data",
                "synth",
                "--dataset",
                "chexpert",
                "--out",
                root.toString(),
                "--images",
                "40",
                "--image-size",
                "32")
            .exit());
    Path csv = root.resolve("train.csv");
    List<String> lines = new ArrayList<>(Files.readAllLines(csv));
    String[] fields = lines.get(2).split(",", -1);
    fields[7] = "2.0"; // Cardiomegaly
    lines.set(2, String.join(",", fields));
    Files.write(csv, lines);
    String expected =
        "error: "
            + csv
            + ":3: column 'Cardiomegaly': unknown label code '2.0'; expected 1.0, 0.0,"
            + " -1.0 (uncertain) or blank";

    Result summary = chexnet("data", "summary", root.toString(), "--dataset", "chexpert");
    assertEquals(Chexnet.USAGE_ERROR, summary.exit());
    assertEquals(expected, summary.err().strip());

    Path specFile = work.resolve("bad.yaml");
    Files.writeString(specFile, spec("chexpert", root, work.resolve("mlruns")));
    Result run = chexnet("run", specFile.toString());
    assertEquals(Chexnet.USAGE_ERROR, run.exit());
    assertEquals(expected, run.err().strip());
    assertFalse(Files.exists(work.resolve("mlruns")), "nothing recorded");

    Result unknown = chexnet("data", "summary", root.toString(), "--dataset", "nih");
    assertEquals(Chexnet.USAGE_ERROR, unknown.exit());
    assertEquals(
        "error: unknown dataset 'nih', expected one of chestxray14, chexpert, mimic_cxr_jpg,"
            + " padchest",
        unknown.err().strip());
  }

  /** `chexnet serve` names its outputs by the run's findings and predicts an uploaded image. */
  private static void servedFindingsAre(Path run, List<String> findings, Path image)
      throws Exception {
    StringWriter out = new StringWriter();
    CommandLine cli = Chexnet.commandLine();
    cli.setOut(new PrintWriter(out, true));
    AtomicInteger code = new AtomicInteger(-1);
    Thread serving =
        new Thread(() -> code.set(cli.execute("serve", "--model", run.toString(), "--port", "0")));
    serving.start();
    try {
      Matcher url = URL.matcher("");
      for (int i = 0; i < 600 && !url.reset(out.toString()).find(); i++) {
        Thread.sleep(100);
      }
      assertTrue(url.reset(out.toString()).find(), out.toString());
      HttpClient http = HttpClient.newHttpClient();
      JsonNode model =
          JSON.readTree(
              http.send(
                      HttpRequest.newBuilder(URI.create(url.group(1) + "api/v1/model"))
                          .timeout(Duration.ofSeconds(30))
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
      List<String> served = new ArrayList<>();
      model.get("findings").forEach(f -> served.add(f.asText()));
      assertEquals(findings, served);

      String boundary = "chexnet-boundary";
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      body.write(
          ("--"
                  + boundary
                  + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\""
                  + image.getFileName()
                  + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
              .getBytes(StandardCharsets.UTF_8));
      body.write(Files.readAllBytes(image));
      body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
      HttpResponse<String> predicted =
          http.send(
              HttpRequest.newBuilder(URI.create(url.group(1) + "api/v1/predict"))
                  .timeout(Duration.ofSeconds(60))
                  .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, predicted.statusCode(), predicted.body());
      List<String> probabilities = new ArrayList<>();
      JSON.readTree(predicted.body())
          .get("probabilities")
          .fieldNames()
          .forEachRemaining(probabilities::add);
      assertEquals(findings, probabilities);
    } finally {
      serving.interrupt();
      serving.join(30_000);
    }
    assertEquals(0, code.get());
  }
}
