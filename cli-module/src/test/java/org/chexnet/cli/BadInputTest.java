package org.chexnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.chexnet.dataset.Finding;
import org.chexnet.dataset.Manifest;
import org.chexnet.dataset.SyntheticChestXray14;
import org.chexnet.model.DenseNetConfig;
import org.chexnet.training.TrainableModel;
import org.chexnet.training.optimizers.Adam;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every command, walked through the picocli tree, gets the mistakes a new user makes and the inputs
 * an attacker tries: directories for files and the reverse, missing paths, binary and empty files,
 * data that fails its check. Each must end with the documented exit code, one line naming the path,
 * no stack trace or exception name, and nothing written. A command or path option added later fails
 * {@link #everyCommandAndPathOptionIsInTheTable} until its bad inputs are listed here.
 */
class BadInputTest {
  /** Placeholders for the bad inputs; every case names one of them, which its error must name. */
  private static final Set<String> BAD =
      Set.of(
          "DIR",
          "MISSING",
          "BINARY",
          "BINARY_PNG",
          "EMPTY",
          "TEXT",
          "NON_EMPTY_DIR",
          "CHANGED",
          "BAD_IMAGE",
          "BAD_MANIFEST",
          "BUSY_PORT",
          "CHANGED_SPEC",
          "BAD_IMAGE_SPEC",
          "REFUSED");

  /**
   * A spec whose data fails its check: the error names the data, not the spec; a server that is not
   * there: its address.
   */
  private static final Map<String, String> NAMED_INSTEAD =
      Map.of(
          "CHANGED_SPEC", "CHANGED", "BAD_IMAGE_SPEC", "BAD_IMAGE", "REFUSED", "REFUSED_ADDRESS");

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Z_]+)}");

  private record Case(int exit, List<String> args) {
    String command(Set<String> commands) {
      String two = args.size() > 1 ? args.get(0) + " " + args.get(1) : "";
      return commands.contains(two) ? two : args.get(0);
    }

    /** The bad placeholder whose path (or port) the error must name. */
    String bad() {
      for (String arg : args) {
        Matcher m = PLACEHOLDER.matcher(arg);
        while (m.find()) {
          if (BAD.contains(m.group(1))) {
            return m.group(1);
          }
        }
      }
      throw new IllegalStateException("a case without a bad input: " + args);
    }
  }

  /** A command line, its words separated by single spaces (no fixture path holds a space). */
  private static Case usage(String line) {
    return new Case(Chexnet.USAGE_ERROR, List.of(line.split(" ")));
  }

  private static Case failedCheck(String line) {
    return new Case(Chexnet.FAILED, List.of(line.split(" ")));
  }

  private static final List<Case> CASES =
      List.of(
          usage("run {DIR}"),
          usage("run {MISSING}"),
          usage("run {BINARY}"),
          usage("run {EMPTY}"),
          usage("run {TEXT}"),
          usage("run --resume {MISSING} --store {RUNS}"),
          usage("run --resume abc123 --store {MISSING}"),
          usage("run --resume abc123 --store {TEXT}"),
          usage("run {SPEC} --out {TEXT}"),
          failedCheck("run {CHANGED_SPEC}"),
          failedCheck("run {BAD_IMAGE_SPEC}"),
          usage("spec {DIR}"),
          usage("spec {MISSING}"),
          usage("spec {BINARY}"),
          usage("spec {EMPTY}"),
          usage("data synth --out {TEXT}"),
          usage("data synth --out {NON_EMPTY_DIR}"),
          usage("data snapshot {TEXT}"),
          usage("data snapshot {MISSING}"),
          usage("data verify {DIR}"),
          usage("data verify {TEXT}"),
          usage("data verify {MISSING}"),
          failedCheck("data verify {BAD_MANIFEST}"),
          failedCheck("data verify {CHANGED}"),
          usage("data download --out {TEXT} --base-url {NO_SERVER}"),
          usage("data download --out {NEW} --checksums {BINARY}"),
          usage("data download --out {NEW} --checksums {DIR}"),
          usage("data download --out {NEW} --checksums {MISSING}"),
          usage("data prepare {TEXT}"),
          usage("data prepare {MISSING}"),
          usage("data prepare {DIR}"),
          usage("data prepare {DATA} --cache-dir {TEXT}"),
          failedCheck("data prepare {CHANGED} --cache-dir {NEW}"),
          usage("data summary {TEXT} --dataset chestxray14"),
          usage("data summary {MISSING} --dataset chestxray14"),
          usage("data summary {DIR} --dataset chexpert"),
          usage("data summary {DATA} --dataset chestxray14 --json {DIR}"),
          usage("data splits {TEXT}"),
          usage("data splits {MISSING}"),
          usage("data splits {DIR}"),
          usage("data splits {DATA} --lists {BINARY} {TEXT} {TEXT}"),
          usage("data splits {DATA} --lists {MISSING} {TEXT} {TEXT}"),
          usage("models download-weights --out {TEXT} --url {NO_SERVER}/w.h5"),
          usage("models register abc123 --name x --to {NO_SERVER} --store {TEXT}"),
          usage("models register abc123 --name x --to {NO_SERVER} --store {MISSING}"),
          usage("models download models:/x@y --from {NO_SERVER} --out {TEXT}"),
          usage("runs push --to {NO_SERVER} --store {MISSING}"),
          usage("runs push --to {NO_SERVER} --store {TEXT}"),
          usage("runs list --from {MISSING}"),
          usage("runs list --from {TEXT}"),
          usage("runs compare a b --from {MISSING}"),
          usage("runs list --from {REFUSED}"),
          usage("models download models:/x@y --from {REFUSED} --out {NEW}"),
          usage("sweep {DIR}"),
          usage("sweep {MISSING}"),
          usage("sweep {BINARY}"),
          usage("sweep {EMPTY}"),
          usage("sweep {SWEEP} --emit k8s --image x --out {DIR}"),
          usage("predict --model {MISSING} --images {IMAGES} --out {NEW}"),
          usage("predict --model {DIR} --images {IMAGES} --out {NEW}"),
          usage("predict --model {TEXT} --images {IMAGES} --out {NEW}"),
          usage("predict --model {MODEL} --images {MISSING} --out {NEW}"),
          usage("predict --model {MODEL} --images {DIR} --out {NEW}"),
          usage("predict --model {MODEL} --images {BINARY} --out {NEW}"),
          usage("predict --model {MODEL} --images {EMPTY} --out {NEW}"),
          usage("predict --model {MODEL} --images {BINARY_PNG} --out {NEW}"),
          usage("predict --model {MODEL} --images {IMAGES} --out {DIR}"),
          usage("predict --model {MODEL} --images {LIST} --image-root {MISSING} --out {NEW}"),
          usage("predict --model abc123 --runs {TEXT} --images {IMAGES} --out {NEW}"),
          usage("predict --spec {BINARY} --weights {TEXT} --images {IMAGES} --out {NEW}"),
          usage("predict --spec {SPEC} --weights {BINARY} --images {IMAGES} --out {NEW}"),
          usage("evaluate --predictions {BINARY} --labels {LABELS} --out {NEW}"),
          usage("evaluate --predictions {DIR} --labels {LABELS} --out {NEW}"),
          usage("evaluate --predictions {MISSING} --labels {LABELS} --out {NEW}"),
          usage("evaluate --predictions {EMPTY} --labels {LABELS} --out {NEW}"),
          usage("evaluate --predictions {PREDICTIONS} --labels {BINARY} --out {NEW}"),
          usage("evaluate --predictions {PREDICTIONS} --labels {DIR} --out {NEW}"),
          usage("evaluate --predictions {PREDICTIONS} --labels {LABELS} --out {TEXT}"),
          usage(
              "evaluate --predictions {PREDICTIONS} --labels {LABELS} --out {NEW}"
                  + " --validation-predictions {BINARY}"),
          usage(
              "evaluate --predictions {PREDICTIONS} --labels {LABELS} --out {NEW}"
                  + " --validation-predictions {PREDICTIONS} --validation-labels {DIR}"),
          usage(
              "evaluate --predictions {PREDICTIONS} --labels {LABELS} --out {NEW}"
                  + " --baseline {MISSING}"),
          usage("evaluate --model {MISSING} --images {IMAGES} --labels {LABELS} --out {NEW}"),
          usage("evaluate --model {MODEL} --images {MISSING} --labels {LABELS} --out {NEW}"),
          usage("evaluate --model {MODEL} --images {BINARY} --labels {LABELS} --out {NEW}"),
          usage(
              "evaluate --model {MODEL} --images {LIST} --image-root {MISSING} --labels {LABELS}"
                  + " --out {NEW}"),
          usage(
              "evaluate --model abc123 --runs {TEXT} --images {IMAGES} --labels {LABELS}"
                  + " --out {NEW}"),
          usage("evaluate --model {MODEL} --images {IMAGES} --labels {LABELS} --out {TEXT}"),
          usage(
              "evaluate --predictions {PREDICTIONS} --labels {LABELS} --out {NEW}"
                  + " --metadata {BINARY}"),
          usage(
              "evaluate --predictions {PREDICTIONS} --labels {LABELS} --out {NEW}"
                  + " --metadata {DIR}"),
          usage("evaluate --model {MODEL} --dataset chestxray14 --root {MISSING} --out {NEW}"),
          usage("evaluate --model {MODEL} --dataset chestxray14 --root {TEXT} --out {NEW}"),
          // Flags of the other modes, refused with --dataset (its labels, splits and metadata).
          usage(
              "evaluate --model {MODEL} --dataset chestxray14 --root {DATA} --out {NEW}"
                  + " --predictions {TEXT}"),
          usage(
              "evaluate --model {MODEL} --dataset chestxray14 --root {DATA} --out {NEW}"
                  + " --labels {TEXT}"),
          usage(
              "evaluate --model {MODEL} --dataset chestxray14 --root {DATA} --out {NEW}"
                  + " --images {TEXT}"),
          usage(
              "evaluate --model {MODEL} --dataset chestxray14 --root {DATA} --out {NEW}"
                  + " --baseline {TEXT}"),
          usage(
              "evaluate --model {MODEL} --dataset chestxray14 --root {DATA} --out {NEW}"
                  + " --metadata {TEXT}"),
          usage(
              "evaluate --model {MODEL} --dataset chestxray14 --root {DATA} --out {NEW}"
                  + " --validation-predictions {TEXT}"),
          usage(
              "evaluate --model {MODEL} --dataset chestxray14 --root {DATA} --out {NEW}"
                  + " --validation-labels {TEXT}"),
          usage("models import {DIR} --out {NEW}"),
          usage("models import {MISSING} --out {NEW}"),
          usage("models import {BINARY} --out {NEW}"),
          usage("models import {EMPTY} --out {NEW}"),
          usage("models import {BINARY} --out {TEXT}"),
          usage("localize --model {MODEL} --bbox {BINARY} --images {IMAGES} --out {NEW}"),
          usage("localize --model {MODEL} --bbox {DIR} --images {IMAGES} --out {NEW}"),
          usage("localize --model {MODEL} --bbox {MISSING} --images {IMAGES} --out {NEW}"),
          usage("localize --model {MODEL} --bbox {BBOX} --images {TEXT} --out {NEW}"),
          usage("localize --model {MISSING} --bbox {BBOX} --images {IMAGES} --out {NEW}"),
          usage("localize --model {MODEL} --bbox {BBOX} --images {IMAGES} --out {TEXT}"),
          usage(
              "localize --model abc123 --runs {MISSING} --bbox {BBOX} --images {IMAGES}"
                  + " --out {NEW}"),
          usage(
              "localize --spec {SPEC} --weights {BINARY} --bbox {BBOX} --images {IMAGES}"
                  + " --out {NEW}"),
          usage(
              "localize --spec {BINARY} --weights {TEXT} --bbox {BBOX} --images {IMAGES}"
                  + " --out {NEW}"),
          usage("serve --model {MISSING}"),
          usage("serve --model {DIR}"),
          usage("serve --model {TEXT}"),
          usage("serve --model models:/x@y --from {NO_SERVER} --cache {TEXT}"),
          usage("serve --model {MODEL} --port {BUSY_PORT}"));

  @TempDir static Path root;
  private static final Map<String, String> FIXTURES = new HashMap<>();
  private static ServerSocket busyPort;

  @BeforeAll
  static void fixtures() throws Exception {
    byte[] binary = new byte[4096];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) (i * 131 + 7); // invalid UTF-8 from the first 0x80-0xff byte on
    }
    put("DIR", Files.createDirectories(root.resolve("a-directory")));
    put("MISSING", root.resolve("no-such-path"));
    put("BINARY", Files.write(root.resolve("binary.bin"), binary));
    put("BINARY_PNG", Files.write(root.resolve("binary.png"), binary));
    put("EMPTY", Files.createFile(root.resolve("empty.txt")));
    put("TEXT", Files.writeString(root.resolve("text.txt"), "not what was expected\n"));
    Path nonEmpty = Files.createDirectories(root.resolve("non-empty"));
    Files.writeString(nonEmpty.resolve("keep.txt"), "x\n");
    put("NON_EMPTY_DIR", nonEmpty);
    put("NEW", root.resolve("new-output"));

    Path data = dataset("data");
    put("DATA", data);
    put("IMAGES", data.resolve("images"));
    List<String> images;
    try (Stream<Path> list = Files.list(data.resolve("images"))) {
      images = list.map(p -> p.getFileName().toString()).sorted().toList();
    }
    put("LIST", Files.writeString(root.resolve("list.txt"), images.get(0) + "\n"));
    Path changed = dataset("changed");
    Files.writeString(changed.resolve("train_val_list.txt"), "edited\n", StandardOpenOption.APPEND);
    put("CHANGED", changed);
    Path badImage = dataset("bad-image");
    Files.write(badImage.resolve("images").resolve(images.get(0)), binary);
    Manifest.snapshot(badImage);
    put("BAD_IMAGE", badImage);
    Path badManifest = dataset("bad-manifest");
    Files.write(badManifest.resolve(Manifest.FILE_NAME), binary);
    put("BAD_MANIFEST", badManifest);

    put("SPEC", spec("spec.yaml", root.resolve("no-data-here"), ""));
    put("CHANGED_SPEC", spec("changed.yaml", changed, "  prepared_cache: none\n"));
    put("BAD_IMAGE_SPEC", spec("bad-image.yaml", badImage, "  prepared_cache: none\n"));
    put(
        "SWEEP",
        Files.writeString(
            root.resolve("sweep.yaml"),
            """
            name: s
            base: spec.yaml
            objective: {metric: val_loss, mode: min}
            search: {type: grid, parameters: {train.optimizer.lr: [0.1, 0.2]}}
            """));
    StringBuilder predictions = new StringBuilder("Image Index");
    StringBuilder labels = new StringBuilder();
    Finding.labels().forEach(f -> predictions.append(",prob_").append(f));
    for (int i = 0; i < images.size(); i++) {
      predictions.append('\n').append(images.get(i));
      labels.append(images.get(i));
      for (int c = 0; c < Finding.COUNT; c++) {
        predictions.append(",0.").append((i + c) % 10);
        labels.append(' ').append((i + c) % 2);
      }
      labels.append('\n');
    }
    put("PREDICTIONS", Files.writeString(root.resolve("predictions.csv"), predictions + "\n"));
    put("LABELS", Files.writeString(root.resolve("labels.txt"), labels.toString()));
    put(
        "BBOX",
        Files.writeString(
            root.resolve("bbox.csv"),
            "Image Index,Finding Label,Bbox [x,y,w,h],,,\n" + images.get(0) + ",Mass,1,1,8,8\n"));
    Path run = root.resolve("mlruns/1/abc123");
    put("RUNS", root.resolve("mlruns"));
    put("MODEL", tinyRun(run));
    busyPort = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
    FIXTURES.put("BUSY_PORT", String.valueOf(busyPort.getLocalPort()));
    // A server that is not there: a port just closed, refusing connections.
    try (ServerSocket closed = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      FIXTURES.put("REFUSED_ADDRESS", "127.0.0.1:" + closed.getLocalPort());
    }
    FIXTURES.put("NO_SERVER", "http://" + FIXTURES.get("REFUSED_ADDRESS"));
    FIXTURES.put("REFUSED", FIXTURES.get("NO_SERVER"));
  }

  private static void put(String name, Path path) {
    FIXTURES.put(name, path.toString());
  }

  /** A synthetic ChestX-ray14 directory with its manifest. */
  private static Path dataset(String name) throws Exception {
    Path dir = root.resolve(name);
    SyntheticChestXray14.write(dir, 10, 32, 5);
    Manifest.snapshot(dir);
    return dir;
  }

  private static Path spec(String file, Path dataRoot, String dataExtra) throws Exception {
    return Files.writeString(
        root.resolve(file),
        """
        name: bad-input
        data:
          root: %s
          image_size: 32
        %smodel: {architecture: custom, blocks: [1, 1, 1, 1], growth_rate: 4, weights: none}
        train: {epochs: 1, batch_size: 4}
        tracking: {uri: %s}
        """
            .formatted(dataRoot, dataExtra, root.resolve("mlruns")));
  }

  /** A run directory as `chexnet run` leaves it: meta.yaml, spec, best checkpoint, SavedModel. */
  private static Path tinyRun(Path run) throws Exception {
    Path artifacts = Files.createDirectories(run.resolve("artifacts"));
    Files.writeString(run.resolve("meta.yaml"), "run_id: abc123\nstatus: 3\n");
    Files.writeString(
        artifacts.resolve("spec.yaml"),
        """
        name: tiny
        data: {root: data/x, image_size: 32}
        model: {architecture: custom, blocks: [1, 1, 1, 1], growth_rate: 4, weights: none}
        """);
    DenseNetConfig config = DenseNetConfig.custom(List.of(1, 1, 1, 1), 4, 32, Finding.COUNT);
    try (TrainableModel model =
        TrainableModel.create(
            config, new TrainableModel.AdamSettings(0.05f, 0.9f, 0.999f, Adam.KERAS_EPSILON), 7)) {
      model.saveCheckpoint(artifacts.resolve("checkpoints/best"));
      model.exportSavedModel(artifacts.resolve("saved_model"));
    }
    return artifacts;
  }

  /** Leaf commands by their names under chexnet ("data verify"), without picocli's help. */
  private static Map<String, CommandSpec> commands() {
    Map<String, CommandSpec> commands = new TreeMap<>();
    collect(Chexnet.commandLine(), commands);
    return commands;
  }

  private static void collect(CommandLine command, Map<String, CommandSpec> into) {
    if (command.getSubcommands().isEmpty()) {
      String name = command.getCommandSpec().qualifiedName(" ");
      if (!name.equals("chexnet help")) {
        into.put(name.substring("chexnet ".length()), command.getCommandSpec());
      }
      return;
    }
    command.getSubcommands().values().forEach(sub -> collect(sub, into));
  }

  @Test
  void everyCommandAndPathOptionIsInTheTable() {
    Map<String, CommandSpec> commands = commands();
    Set<String> missing = new TreeSet<>();
    for (Map.Entry<String, CommandSpec> command : commands.entrySet()) {
      List<Case> cases =
          CASES.stream()
              .filter(c -> c.command(commands.keySet()).equals(command.getKey()))
              .toList();
      if (cases.isEmpty()) {
        missing.add(command.getKey() + " (no case at all)");
      }
      for (ArgSpec arg : command.getValue().args()) {
        if (!takesAPath(arg)) {
          continue;
        }
        boolean covered =
            arg instanceof OptionSpec option
                ? cases.stream().anyMatch(c -> badAfter(c.args(), option.names()))
                : cases.stream().anyMatch(c -> positionalIsBad(c.args()));
        if (!covered) {
          missing.add(command.getKey() + " " + arg.paramLabel());
        }
      }
    }
    assertTrue(missing.isEmpty(), "add bad inputs for: " + missing);
  }

  /** Path-typed, or a MODEL / RUN / URI|DIR string that names a path too. */
  private static boolean takesAPath(ArgSpec arg) {
    boolean path =
        arg.type() == Path.class
            || arg.auxiliaryTypes().length > 0 && arg.auxiliaryTypes()[0] == Path.class;
    return path || List.of("MODEL", "URI|DIR").contains(arg.paramLabel());
  }

  private static boolean badAfter(List<String> args, String[] names) {
    for (int i = 0; i + 1 < args.size(); i++) {
      if (List.of(names).contains(args.get(i)) && isBad(args.get(i + 1))) {
        return true;
      }
    }
    return false;
  }

  private static boolean positionalIsBad(List<String> args) {
    for (int i = 0; i < args.size(); i++) {
      if (isBad(args.get(i)) && (i == 0 || !args.get(i - 1).startsWith("--"))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isBad(String arg) {
    Matcher m = PLACEHOLDER.matcher(arg);
    return m.matches() && BAD.contains(m.group(1));
  }

  @Test
  void everyBadInputIsOneLineNamingThePathAndWritesNothing() throws Exception {
    List<String> failures = new ArrayList<>();
    for (Case c : CASES) {
      List<String> args = c.args().stream().map(BadInputTest::resolve).toList();
      String named = FIXTURES.get(NAMED_INSTEAD.getOrDefault(c.bad(), c.bad()));
      Map<String, String> before = tree(root);
      Set<String> workDirBefore = workDir();
      Outcome o = execute(args);
      String where = String.join(" ", args) + "\n" + o.err() + o.out();
      if (o.exit() != c.exit()) {
        failures.add("exit " + o.exit() + ", expected " + c.exit() + ": " + where);
      }
      if (!(o.err() + o.out()).contains(named)) {
        failures.add("does not name " + named + ": " + where);
      }
      for (String line : (o.err() + o.out()).split("\n")) {
        if (line.strip().startsWith("at ") || line.contains("Exception")) {
          failures.add("a stack trace or an exception's name: " + where);
          break;
        }
      }
      Map<String, String> after = tree(root);
      if (!before.equals(after) || !workDirBefore.equals(workDir())) {
        Set<String> changed = new TreeSet<>(after.keySet());
        changed.addAll(before.keySet());
        changed.removeIf(p -> java.util.Objects.equals(before.get(p), after.get(p)));
        failures.add("wrote " + changed + " " + workDir() + ": " + where);
      }
    }
    if (!failures.isEmpty()) {
      fail(failures.size() + " of " + CASES.size() + " cases:\n" + String.join("\n", failures));
    }
  }

  /** Two of the table through the launcher, in a process of their own: its real exit code. */
  @Test
  void aFewThroughTheLauncherInTheirOwnProcess() throws Exception {
    List<String> chexnet = ChildCli.launcher(root.resolve("install"));
    for (Case c :
        List.of(usage("spec {DIR}"), usage("evaluate --predictions {BINARY} --labels {BINARY}"))) {
      List<String> args = c.args().stream().map(BadInputTest::resolve).toList();
      ChildCli.Result result = ChildCli.run(root, null, Map.of(), chexnet, args);
      assertEquals(c.exit(), result.exit(), args + "\n" + result.all());
      List<String> lines = result.err().strip().lines().toList();
      assertEquals(1, lines.size(), args + "\n" + result.all());
      assertTrue(lines.get(0).startsWith("error: "), lines.get(0));
      assertTrue(lines.get(0).contains(FIXTURES.get(c.bad())), lines.get(0));
    }
  }

  private static String resolve(String arg) {
    Matcher m = PLACEHOLDER.matcher(arg);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = FIXTURES.get(m.group(1));
      if (value == null) {
        throw new IllegalStateException("no fixture " + m.group(1));
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    return m.appendTail(out).toString();
  }

  private record Outcome(int exit, String out, String err) {}

  /**
   * One command in this JVM through the CLI's entry, its console output captured. A command that
   * wrongly accepts its input and waits (a server) is interrupted after two minutes.
   */
  private static Outcome execute(List<String> args) {
    Thread caller = Thread.currentThread();
    ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
    watchdog.schedule(caller::interrupt, 2, TimeUnit.MINUTES);
    try {
      return executeHere(args);
    } finally {
      watchdog.shutdownNow();
      Thread.interrupted();
    }
  }

  private static Outcome executeHere(List<String> args) {
    PrintStream systemOut = System.out;
    PrintStream systemErr = System.err;
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream captured = new PrintStream(console, true, StandardCharsets.UTF_8);
    // Before the CommandLine exists: picocli's default strategy keeps the System.err it was built
    // with and, when that is no longer System.err, resets the error writer set below to it.
    System.setOut(captured);
    System.setErr(captured);
    try {
      CommandLine cli = Chexnet.commandLine();
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      cli.setOut(new PrintWriter(out, true));
      cli.setErr(new PrintWriter(err, true));
      int exit = cli.execute(args.toArray(String[]::new));
      return new Outcome(exit, out + console.toString(StandardCharsets.UTF_8), err.toString());
    } finally {
      System.setOut(systemOut);
      System.setErr(systemErr);
    }
  }

  /** Every file and directory under {@code dir} with its size and modification time. */
  private static Map<String, String> tree(Path dir) throws Exception {
    Map<String, String> tree = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      // A dataset's hash cache (size and mtime to sha-256) may learn what a failed check read.
      for (Path p : walk.filter(p -> !p.endsWith(".chexnet-hash-cache")).toList()) {
        tree.put(
            dir.relativize(p).toString(),
            Files.isDirectory(p)
                ? "dir"
                : Files.size(p) + " " + Files.getLastModifiedTime(p).toMillis());
      }
    }
    return tree;
  }

  /** What the working directory (the module) holds: a command may not write there either. */
  private static Set<String> workDir() throws Exception {
    try (Stream<Path> list = Files.list(Path.of("").toAbsolutePath())) {
      return new TreeSet<>(list.map(p -> p.getFileName().toString()).toList());
    }
  }
}
