package org.chexnet.dataset;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.chexnet.common.AtomicFiles;

/**
 * A dataset's labels counted from its metadata files alone (no images): per finding the positive,
 * negative, uncertain and missing labels before any policy, plus images, patients, studies and
 * views. What {@code chexnet data summary} prints and writes.
 *
 * @param findings the dataset's findings, in label order
 * @param studies null for a dataset without study IDs (ChestX-ray14)
 * @param counts per finding, per {@link LabelState} (by ordinal)
 * @param read the metadata files read
 * @param missing the optional metadata files that were not there
 * @param notes what the reader left out or could not map
 */
public record DatasetSummary(
    String dataset,
    List<String> findings,
    int images,
    int patients,
    Integer studies,
    Map<View, Integer> views,
    long[][] counts,
    List<Path> read,
    List<String> missing,
    List<String> notes,
    LabelPolicy policy,
    long[][] trained) {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * Reads {@code root}'s metadata as {@code dataset} and counts it: the one call behind {@code
   * chexnet data summary}.
   *
   * @param views the views to count; empty counts all
   * @param policy also count the training labels this policy makes (positive, negative, masked);
   *     null to leave that out
   */
  public static DatasetSummary read(String dataset, Path root, Set<View> views, LabelPolicy policy)
      throws IOException {
    return of(Datasets.named(dataset).readMetadata(root), views, policy);
  }

  /** Counts {@code metadata}'s images of {@code views} (all when empty). */
  public static DatasetSummary of(DatasetMetadata metadata, Set<View> views, LabelPolicy policy) {
    List<String> findings = metadata.format().findings();
    long[][] counts = new long[findings.size()][LabelState.values().length];
    long[][] trained = policy == null ? null : new long[findings.size()][3];
    LabelPolicy.Labeler labeler = policy == null ? null : policy.labeler(findings);
    Set<Integer> patients = new HashSet<>();
    Set<String> studies = new HashSet<>();
    Map<View, Integer> viewCounts = new EnumMap<>(View.class);
    int images = 0;
    for (ImageRecord record : metadata.images()) {
      if (!views.isEmpty() && !views.contains(record.view())) {
        continue;
      }
      images++;
      patients.add(record.patientId());
      if (record.study() != null) {
        studies.add(record.study());
      }
      viewCounts.merge(record.view(), 1, Integer::sum);
      byte[] states = record.states();
      for (int f = 0; f < states.length; f++) {
        counts[f][states[f]]++;
      }
      if (labeler != null) {
        LabeledImage labeled = labeler.label(record);
        for (int f = 0; f < states.length; f++) {
          trained[f][!labeled.known(f) ? 2 : labeled.labels()[f] != 0f ? 0 : 1]++;
        }
      }
    }
    boolean hasStudies = metadata.images().stream().anyMatch(r -> r.study() != null);
    return new DatasetSummary(
        metadata.format().name(),
        findings,
        images,
        patients.size(),
        hasStudies ? studies.size() : null,
        viewCounts,
        counts,
        metadata.read(),
        metadata.missing(),
        metadata.notes(),
        policy,
        trained);
  }

  public long count(int finding, LabelState state) {
    return counts[finding][state.ordinal()];
  }

  /** Positives over images (0 without images). */
  public double prevalence(int finding) {
    return images == 0 ? 0 : (double) count(finding, LabelState.POSITIVE) / images;
  }

  /**
   * {@code {"dataset", "images", "patients", "findings": {name: {"positive", "negative",
   * "uncertain", "missing"}}}}, counted before policies, then {@code "studies"} (null without study
   * IDs), {@code "views"}, {@code "metadata_read"}, {@code "metadata_missing"} and {@code "notes"}.
   */
  public String toJson() throws IOException {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("dataset", dataset);
    root.put("images", images);
    root.put("patients", patients);
    Map<String, Object> perFinding = new LinkedHashMap<>();
    for (int f = 0; f < findings.size(); f++) {
      Map<String, Long> states = new LinkedHashMap<>();
      for (LabelState state : LabelState.values()) {
        states.put(state.key(), count(f, state));
      }
      perFinding.put(findings.get(f), states);
    }
    root.put("findings", perFinding);
    root.put("studies", studies);
    Map<String, Integer> viewCounts = new LinkedHashMap<>();
    views.forEach((view, n) -> viewCounts.put(view.name(), n));
    root.put("views", viewCounts);
    root.put("metadata_read", read.stream().map(Path::toString).toList());
    root.put("metadata_missing", missing);
    root.put("notes", notes);
    return JSON.writeValueAsString(root) + "\n";
  }

  /** Writes {@link #toJson()} to {@code file} atomically. */
  public void writeJson(Path file) throws IOException {
    AtomicFiles.write(file, toJson().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The counts as a table: one row a finding with positive, negative, uncertain, missing and
   * prevalence (positives over images), then, with a policy, the training labels it makes; then
   * images, patients, studies, views, the files read and missing, and the notes.
   */
  public String table() {
    int width = Math.max(10, 2 + findings.stream().mapToInt(String::length).max().orElse(0));
    String name = "%-" + width + "s";
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, name, "finding"));
    out.append(
        String.format(
            Locale.ROOT,
            "%10s%10s%10s%10s%12s",
            "positive",
            "negative",
            "uncertain",
            "missing",
            "prevalence"));
    String policyName =
        policy == null
            ? ""
            : "uncertain "
                + policy.uncertain().name().toLowerCase(Locale.ROOT)
                + ", missing "
                + policy.missing().name().toLowerCase(Locale.ROOT);
    if (trained != null) {
      out.append(
          String.format(
              Locale.ROOT, "   | %s: %10s%10s%10s", policyName, "positive", "negative", "masked"));
    }
    out.append('\n');
    for (int f = 0; f < findings.size(); f++) {
      out.append(String.format(Locale.ROOT, name, findings.get(f)));
      for (LabelState state : LabelState.values()) {
        out.append(String.format(Locale.ROOT, "%10d", count(f, state)));
      }
      out.append(String.format(Locale.ROOT, "%11.2f%%", 100 * prevalence(f)));
      if (trained != null) {
        out.append(" ".repeat(5 + policyName.length() + 2));
        for (long n : trained[f]) {
          out.append(String.format(Locale.ROOT, "%10d", n));
        }
      }
      out.append('\n');
    }
    out.append(
        String.format(Locale.ROOT, "%n%s: %d images, %d patients", dataset, images, patients));
    if (studies != null) {
      out.append(String.format(Locale.ROOT, ", %d studies", studies));
    }
    List<String> viewParts = new ArrayList<>();
    views.forEach((view, n) -> viewParts.add(view.name() + " " + n));
    out.append("\nviews: ").append(viewParts.isEmpty() ? "none" : String.join(", ", viewParts));
    out.append("\nread: ").append(String.join(", ", read.stream().map(Path::toString).toList()));
    if (!missing.isEmpty()) {
      out.append("\nmissing: ").append(String.join("; ", missing));
    }
    notes.forEach(note -> out.append("\nnote: ").append(note));
    return out.append('\n').toString();
  }
}
