package org.chexnet.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.chexnet.dataset.DataSplits;
import org.chexnet.dataset.Dataset;
import org.chexnet.dataset.DatasetSummary;
import org.chexnet.dataset.LabelPolicy;
import org.chexnet.dataset.Manifest;
import org.chexnet.dataset.NihDownload;
import org.chexnet.dataset.PreparedCache;
import org.chexnet.dataset.SplitPlan;
import org.chexnet.experiment.data.Datasets;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "data",
    description = "Datasets.",
    subcommands = {
      DataCommand.Synth.class,
      DataCommand.Snapshot.class,
      DataCommand.Verify.class,
      DataCommand.Download.class,
      DataCommand.Prepare.class,
      DataCommand.Splits.class,
      DataCommand.Summary.class
    })
final class DataCommand {
  @Command(
      name = "synth",
      description =
          "Write a synthetic dataset in a dataset's exact layout, with learnable labels (each"
              + " finding its own shape and region); the same seed gives the same files.")
  static final class Synth implements Callable<Integer> {
    @Mixin DatasetOption dataset;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "DIR",
        description = "new or empty directory")
    Path out;

    @Option(
        names = "--images",
        defaultValue = "1000",
        paramLabel = "N",
        description = "number of images")
    int images;

    @Option(
        names = "--image-size",
        defaultValue = "128",
        paramLabel = "PX",
        description = "image width and height")
    int imageSize;

    @Option(names = "--seed", defaultValue = "7", description = "random seed")
    long seed;

    @Override
    public Integer call() throws Exception {
      Datasets.writeSynthetic(
          dataset.name, out, images, imageSize, seed, new ConsoleReporter(System.out));
      System.out.printf(
          "Wrote %d synthetic %s images (%dx%d) to %s%n",
          images, dataset.name, imageSize, imageSize, out);
      return 0;
    }
  }

  @Command(
      name = "snapshot",
      description =
          "Write DIR/"
              + Manifest.FILE_NAME
              + ": size and sha-256 of every data file (not .names; unchanged files not read"
              + " again) and one digest over all, small enough to commit.")
  static final class Snapshot implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "the dataset directory")
    Path dir;

    @Override
    public Integer call() throws Exception {
      Manifest manifest = Manifest.snapshot(dir, new ConsoleReporter(System.out));
      System.out.printf(
          "Wrote %s: %d files, digest %s%n",
          dir.resolve(Manifest.FILE_NAME), manifest.files().size(), manifest.digest());
      return 0;
    }
  }

  @Command(
      name = "verify",
      description = {
        "Compare DIR with its " + Manifest.FILE_NAME + ": list missing, extra and changed files.",
        "Exit code 0 when the data matches, 1 when it does not."
      })
  static final class Verify implements Callable<Integer> {
    @Parameters(
        paramLabel = "DIR",
        arity = "0..1",
        defaultValue = "data/chestxray14",
        description = "the dataset directory")
    Path dir;

    @Option(
        names = "--full",
        description = "read every file instead of trusting unchanged size and mtime")
    boolean full;

    @Option(
        names = "--limit",
        defaultValue = "20",
        paramLabel = "N",
        description = "files listed per kind")
    int limit;

    @Override
    public Integer call() throws Exception {
      Manifest manifest = Manifest.read(dir);
      Manifest.Report report = manifest.verify(dir, full, new ConsoleReporter(System.out));
      System.out.print(report.describe(limit));
      System.out.println(
          report.matches()
              ? "OK: " + dir + " matches " + manifest.digest()
              : "MISMATCH: " + dir + " no longer matches " + manifest.digest());
      return report.matches() ? 0 : 1;
    }
  }

  @Command(
      name = "download",
      description =
          "Fetch NIH ChestX-ray14's archives (unpacked) and metadata into DIR, resuming an"
              + " interrupted transfer; checksums and mirrors: docs/reproducing.md.")
  static final class Download implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "target directory")
    Path out;

    @Option(
        names = "--base-url",
        paramLabel = "URL",
        description = "a mirror holding every file as URL/NAME")
    URI baseUrl;

    @Option(
        names = "--checksums",
        paramLabel = "FILE",
        description = "sha256sum-style file ('HEX  NAME' lines) of expected hashes")
    Path checksums;

    @Option(
        names = "--only",
        split = ",",
        paramLabel = "NAME",
        description = "fetch only these files (comma-separated names)")
    List<String> only;

    @Option(
        names = "--keep-archives",
        description = "keep the archives in DIR/.downloads after unpacking")
    boolean keepArchives;

    @Option(
        names = "--attempts",
        defaultValue = "5",
        paramLabel = "N",
        description = "tries per file, each resuming the last")
    int attempts;

    @Option(
        names = "--stall-timeout",
        defaultValue = "60",
        paramLabel = "SECONDS",
        description = "give an attempt up when the server sends nothing for this long")
    int stallTimeoutSeconds;

    @Override
    public Integer call() throws Exception {
      NihDownload.Outcome outcome =
          Datasets.download(
              out,
              baseUrl,
              checksums,
              only,
              keepArchives,
              attempts,
              Duration.ofSeconds(stallTimeoutSeconds),
              new ConsoleReporter(System.out));
      System.out.print(outcome.describe(out));
      return outcome.unavailable().isEmpty() ? 0 : 1;
    }
  }

  @Command(
      name = "prepare",
      description =
          "Decode and resize every image once into shards keyed by the manifest digest (`data"
              + " snapshot` first), size and decoder; killed, it continues where it stopped.")
  static final class Prepare implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "the dataset directory")
    Path dir;

    @Mixin DatasetOption dataset;

    @Option(
        names = "--image-size",
        defaultValue = "224",
        paramLabel = "PX",
        description = "width and height (256 for ten-crop at 224)")
    int imageSize;

    @Option(
        names = "--on-bad-image",
        defaultValue = "fail",
        paramLabel = "fail|skip",
        description = "a missing or undecodable image stops (default) or is skipped and listed")
    PreparedCache.OnBadImage onBadImage;

    @Option(
        names = "--cache-dir",
        paramLabel = "DIR",
        description = "cache root (default DIR/" + PreparedCache.DEFAULT_DIR + ")")
    Path cacheDir;

    @Option(
        names = "--workers",
        paramLabel = "N",
        description = "images decoded at once, one per thread (default: all cores)")
    Integer workers;

    @Override
    public Integer call() throws Exception {
      PreparedCache cache =
          Datasets.prepareCache(
              dataset.name,
              dir,
              imageSize,
              onBadImage,
              cacheDir,
              workers != null ? workers : Runtime.getRuntime().availableProcessors(),
              new ConsoleReporter(System.out));
      System.out.printf(
          "Prepared %d images at %dpx in %s%n", cache.imageCount(), imageSize, cache.directory());
      cache.skipped().forEach((name, why) -> System.out.printf("skipped %s: %s%n", name, why));
      return 0;
    }
  }

  @Command(
      name = "splits",
      description = "Split DIR as a spec would; print each split's size, patients and prevalences.")
  static final class Splits implements Callable<Integer> {
    @Spec CommandSpec command;

    @Parameters(paramLabel = "DIR", description = "the dataset directory")
    Path dir;

    @Mixin DatasetOption dataset;

    @Mixin LabelPolicyOptions labelPolicy;

    @ArgGroup(exclusive = true)
    Kind kind = new Kind();

    static final class Kind {
      @Option(
          names = "--official",
          paramLabel = "VAL_FRACTION",
          description = "the dataset's own splits; a missing one carved by patient (0.1)")
      Double validationFraction;

      @Option(
          names = "--lists",
          arity = "3",
          paramLabel = "LIST",
          description = "train, validation and test list files")
      List<Path> lists;

      @Option(
          names = "--patient-random",
          arity = "3",
          paramLabel = "FRACTION",
          description = "train, validation and test fractions of the patients")
      List<Double> fractions;
    }

    @Option(
        names = "--labels",
        defaultValue = "data_entry",
        paramLabel = "data_entry|list",
        description = "with --lists: whose labels to use")
    SplitPlan.LabelSource labels;

    @Option(
        names = "--view",
        split = ",",
        paramLabel = "VIEW",
        description = "keep only these views: PA, AP, LATERAL, OTHER, UNKNOWN")
    Set<String> views;

    @Option(
        names = "--subsample",
        paramLabel = "FRACTION",
        description = "keep this share of patients, every label kept present")
    Double subsample;

    @Option(names = "--seed", defaultValue = "42", description = "seed of the split's random parts")
    long seed;

    @Override
    public Integer call() throws Exception {
      SplitPlan plan;
      if (kind.lists != null) {
        plan = new SplitPlan.Lists(kind.lists.get(0), kind.lists.get(1), kind.lists.get(2), labels);
      } else if (kind.fractions != null) {
        plan =
            new SplitPlan.PatientRandom(
                kind.fractions.get(0), kind.fractions.get(1), kind.fractions.get(2));
      } else {
        plan =
            new SplitPlan.Official(kind.validationFraction != null ? kind.validationFraction : 0.1);
      }
      Dataset data = Datasets.open(dataset.name, dir);
      DataSplits splits =
          Datasets.split(
              data, plan, views, labelPolicy.policy(), subsample != null ? subsample : 1, seed, "");
      PrintWriter out = command.commandLine().getOut();
      out.print(splits.prevalenceTable(data.findings()));
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "summary",
      description =
          "Count ROOT's labels per finding (positive, negative, uncertain, missing), images,"
              + " patients and views from its metadata alone, before downloading the images.")
  static final class Summary implements Callable<Integer> {
    @Spec CommandSpec command;

    @Parameters(paramLabel = "ROOT", description = "the dataset directory")
    Path root;

    @Option(
        names = "--dataset",
        required = true,
        paramLabel = "NAME",
        description = "chestxray14, chexpert, mimic_cxr_jpg or padchest")
    String dataset;

    @Option(
        names = "--uncertain",
        paramLabel = "P",
        description = "ignore, zeros or ones: also count the training labels this makes")
    String uncertain;

    @Option(
        names = "--missing",
        paramLabel = "P",
        description = "negative or ignore: also count the training labels this makes")
    String missing;

    @Option(
        names = "--views",
        arity = "1..*",
        split = ",",
        paramLabel = "V",
        description = "count only these views: PA, AP, LATERAL, OTHER, UNKNOWN")
    List<String> views;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the counts as JSON")
    Path json;

    @Override
    public Integer call() throws Exception {
      LabelPolicy policy =
          uncertain == null && missing == null
              ? null
              : LabelPolicyOptions.policy(
                  uncertain != null ? uncertain : "ignore", missing != null ? missing : "negative");
      DatasetSummary summary =
          Datasets.summary(dataset, root, Datasets.views(views, "--views: "), policy);
      PrintWriter out = command.commandLine().getOut();
      out.print(summary.table());
      if (json != null) {
        summary.writeJson(json);
        out.printf("Wrote %s%n", json);
      }
      out.flush();
      return 0;
    }
  }
}
