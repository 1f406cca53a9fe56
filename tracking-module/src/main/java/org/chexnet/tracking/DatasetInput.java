package org.chexnet.tracking;

import java.util.Objects;

/**
 * A dataset a run read, as MLflow records run inputs (its UI lists them under "Datasets used"):
 * MLflow's {@code Dataset} fields and the {@value #CONTEXT_TAG} input tag. MLflow keys a dataset by
 * name and digest, so two splits of one dataset are two datasets with their own digests.
 *
 * @param name e.g. the dataset's registry name, {@code chexpert}
 * @param digest short, as MLflow's own (at most 36 characters: its SQL stores' column)
 * @param sourceType e.g. {@code local}
 * @param source where it was read, as the source type writes it (local: {@code {"uri": ...}})
 * @param schema MLflow's schema JSON ({@code {"mlflow_colspec": [...]}}); may be null
 * @param profile a JSON summary (sizes, the full digest); may be null
 * @param context the split it was read as: {@code train}, {@code validation}, {@code test}, ...
 */
public record DatasetInput(
    String name,
    String digest,
    String sourceType,
    String source,
    String schema,
    String profile,
    String context) {
  /** MLflow's input tag naming what the dataset was used for. */
  public static final String CONTEXT_TAG = "mlflow.data.context";

  /** MLflow's SQL stores' longest digest. */
  public static final int MAX_DIGEST = 36;

  public DatasetInput {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(sourceType, "sourceType");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(context, "context");
    if (digest == null || digest.isEmpty() || digest.length() > MAX_DIGEST) {
      throw new IllegalArgumentException(
          "a dataset digest has 1 to " + MAX_DIGEST + " characters, got '" + digest + "'");
    }
  }

  /** Name, digest and context: what tells two inputs of a run apart. */
  String key() {
    return name + "\u0000" + digest + "\u0000" + context;
  }
}
