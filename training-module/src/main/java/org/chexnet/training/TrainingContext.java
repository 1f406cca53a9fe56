package org.chexnet.training;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The state every listener shares: where training is (epoch, batch, step), the latest logs
 * (Keras-style maps from metric name to value), the model, and a way to ask the loop to stop.
 */
public final class TrainingContext {
  public static final String LOSS = "loss";
  public static final String VAL_LOSS = "val_loss";
  public static final String VAL_MEAN_AUROC = "val_mean_auroc";
  public static final String LEARNING_RATE = "learning_rate";

  private final TrainableModel model;
  private final int epochs;
  private final int batchesPerEpoch;
  private final Map<String, Double> batchLogs = new LinkedHashMap<>();
  private final Map<String, Double> epochLogs = new LinkedHashMap<>();
  private int epoch;
  private int batch;
  private String stopReason;

  TrainingContext(TrainableModel model, int epochs, int batchesPerEpoch) {
    this.model = model;
    this.epochs = epochs;
    this.batchesPerEpoch = batchesPerEpoch;
  }

  public TrainableModel model() {
    return model;
  }

  /** The current epoch, 0-based as in Keras' logs. */
  public int epoch() {
    return epoch;
  }

  public int epochs() {
    return epochs;
  }

  /** The batch just finished within the epoch, 0-based. */
  public int batch() {
    return batch;
  }

  public int batchesPerEpoch() {
    return batchesPerEpoch;
  }

  /** Optimizer steps since training began, across resumes. */
  public long globalStep() {
    return model.step();
  }

  public Map<String, Double> batchLogs() {
    return Collections.unmodifiableMap(batchLogs);
  }

  public Map<String, Double> epochLogs() {
    return Collections.unmodifiableMap(epochLogs);
  }

  public OptionalDouble epochMetric(String name) {
    Double value = epochLogs.get(name);
    return value == null ? OptionalDouble.empty() : OptionalDouble.of(value);
  }

  /** Ends training after the current epoch; the first reason given is kept. */
  public void requestStop(String reason) {
    if (stopReason == null) {
      stopReason = reason;
    }
  }

  public boolean stopRequested() {
    return stopReason != null;
  }

  public String stopReason() {
    return stopReason;
  }

  void startEpoch(int epoch) {
    this.epoch = epoch;
    epochLogs.clear();
  }

  void endBatch(int batch, Map<String, Double> logs) {
    this.batch = batch;
    batchLogs.clear();
    batchLogs.putAll(logs);
  }

  void endEpoch(Map<String, Double> logs) {
    epochLogs.clear();
    epochLogs.putAll(logs);
  }
}
