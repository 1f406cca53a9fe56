package org.chexnet.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.chexnet.model.PythonTools;
import org.chexnet.training.listeners.EarlyStopping;
import org.chexnet.training.listeners.ModelCheckpoint;
import org.chexnet.training.listeners.MonitorMode;
import org.chexnet.training.listeners.ReduceLrOnPlateau;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our ReduceLROnPlateau, EarlyStopping and ModelCheckpoint decide as Keras' own do: {@code
 * src/test/python/keras_callbacks.py} feeds seeded metric sequences (plateaus, ties, steps of
 * exactly min_delta, NaN, missing epochs) with random parameters to tf-keras 2.18's callbacks and
 * records their decisions; ours get the same sequences and must decide the same, epoch by epoch.
 */
class KerasCallbacksTest {
  /**
   * Monitor names on which our mode "auto" deliberately differs from Keras' for some callback, and
   * the direction ours takes (true: maximise). Keras' rules differ between its callbacks (max when
   * ReduceLROnPlateau's name contains "acc", when EarlyStopping's ends with "acc", "accuracy" or
   * "auc", when ModelCheckpoint's contains "acc" or starts with "fmeasure"); ours is one rule for
   * all: max when the name contains "acc", "auc" or "auroc" in any case.
   */
  private static final Map<String, Boolean> OUR_AUTO_RULE =
      Map.of(
          "val_auc", true,
          "val_AUC", true,
          "val_mean_auroc", true,
          "test_auroc_Atelectasis", true,
          "val_acc_top5", true,
          "fmeasure", false);

  @TempDir static Path work;

  private static JsonNode keras;
  private static TrainableModel model;

  @BeforeAll
  static void driveKerasCallbacks() throws IOException {
    Path decisions = work.resolve("keras-callbacks.json");
    PythonTools.python(
        PythonTools.venvBin(PythonTools.TF_KERAS),
        Path.of("src/test/python/keras_callbacks.py"),
        decisions.toString());
    keras =
        JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build()
            .readTree(decisions.toFile());
    model = TinyNets.model(13);
  }

  @AfterAll
  static void closeModel() {
    model.close();
  }

  @Test
  void reduceLrOnPlateauDecidesAsKeras() throws Exception {
    assertSameDecisions("reduce_lr_on_plateau", KerasCallbacksTest::reduceLrOnPlateau);
  }

  @Test
  void earlyStoppingDecidesAsKeras() throws Exception {
    assertSameDecisions("early_stopping", KerasCallbacksTest::earlyStopping);
  }

  @Test
  void modelCheckpointDecidesAsKeras() throws Exception {
    assertSameDecisions("model_checkpoint", KerasCallbacksTest::modelCheckpoint);
  }

  @Test
  void autoModeIsKerasExceptWhereOurRuleSaysOtherwise() {
    List<String> unexplained = new ArrayList<>();
    Map<String, Boolean> differing = new TreeMap<>();
    keras
        .get("auto_maximises")
        .fields()
        .forEachRemaining(
            entry -> {
              String name = entry.getKey();
              boolean ours = MonitorMode.AUTO.resolve(name) == MonitorMode.MAX;
              entry
                  .getValue()
                  .fields()
                  .forEachRemaining(
                      callback -> {
                        if (callback.getValue().asBoolean() != ours) {
                          differing.put(name, ours);
                          if (!OUR_AUTO_RULE.containsKey(name)) {
                            unexplained.add(name + " (" + callback.getKey() + ")");
                          }
                        }
                      });
            });
    assertEquals(List.of(), unexplained, "auto differs from Keras on names not listed as ours");
    assertEquals(new TreeMap<>(OUR_AUTO_RULE), differing, "every listed difference is real");
  }

  /** One scenario's decisions, in the JSON form the Python script records them. */
  private record Decisions(
      List<Float> learningRates,
      int stoppedEpoch,
      int keptWeightsEpoch,
      List<Integer> savedEpochs) {}

  private interface Replay {
    Decisions run(JsonNode parameters, List<Double> values, double initialLr, Path dir)
        throws Exception;
  }

  private static void assertSameDecisions(String callback, Replay replay) throws Exception {
    List<String> mismatches = new ArrayList<>();
    int scenarios = 0;
    for (JsonNode scenario : keras.get("scenarios")) {
      if (!scenario.get("callback").asText().equals(callback)) {
        continue;
      }
      List<Double> values = new ArrayList<>();
      scenario.get("values").forEach(v -> values.add(v.isNull() ? null : v.asDouble()));
      Decisions expected =
          new Decisions(
              floats(scenario.get("learning_rates")),
              scenario.get("stopped_epoch").asInt(),
              scenario.get("kept_weights_epoch").asInt(),
              ints(scenario.get("saved_epochs")));
      Decisions actual =
          replay.run(
              scenario.get("parameters"),
              values,
              scenario.get("initial_lr").asDouble(),
              Files.createTempDirectory(work, callback));
      if (!expected.equals(actual)) {
        mismatches.add(
            String.format(
                "%s %s on %s:%n  Keras %s%n  ours  %s",
                callback, scenario.get("parameters"), values, expected, actual));
      }
      scenarios++;
    }
    System.out.printf(
        "%s: %d scripted sequences through tf-keras %s, %d decided differently%n",
        callback, scenarios, keras.get("keras").asText(), mismatches.size());
    assertTrue(scenarios >= 100, "too few scenarios: " + scenarios);
    assertEquals(List.of(), mismatches);
  }

  private static Decisions reduceLrOnPlateau(
      JsonNode p, List<Double> values, double initialLr, Path dir) throws Exception {
    ReduceLrOnPlateau listener =
        new ReduceLrOnPlateau(
            p.get("monitor").asText(),
            mode(p),
            p.get("factor").asDouble(),
            p.get("patience").asInt(),
            p.get("min_delta").asDouble(),
            p.get("cooldown").asInt(),
            p.get("min_lr").asDouble());
    model.setLearningRate(initialLr);
    List<Float> learningRates = new ArrayList<>();
    ScriptedEpochs epochs = new ScriptedEpochs(model, values.size());
    epochs.trainBegin(listener);
    for (Double value : values) {
      epochs.epoch(logs(p, value), listener);
      learningRates.add((float) model.learningRate());
    }
    epochs.trainEnd(listener);
    return new Decisions(learningRates, -1, values.size() - 1, List.of());
  }

  /**
   * The learning rate marks the epoch (checkpoints save it): after training ends, it says whose
   * weights the model has.
   */
  private static Decisions earlyStopping(
      JsonNode p, List<Double> values, double initialLr, Path dir) throws Exception {
    EarlyStopping listener =
        new EarlyStopping(
            p.get("monitor").asText(),
            mode(p),
            p.get("min_delta").asDouble(),
            p.get("patience").asInt(),
            p.get("baseline").isNull() ? null : p.get("baseline").asDouble(),
            p.get("restore_best_weights").asBoolean(),
            p.get("start_from_epoch").asInt(),
            dir.resolve("best"));
    List<Float> learningRates = new ArrayList<>();
    ScriptedEpochs epochs = new ScriptedEpochs(model, values.size());
    epochs.trainBegin(listener);
    int stopped = -1;
    for (int epoch = 0; epoch < values.size() && stopped < 0; epoch++) {
      model.setLearningRate(marker(epoch));
      epochs.epoch(logs(p, values.get(epoch)), listener);
      learningRates.add((float) initialLr);
      if (epochs.context().stopRequested()) {
        stopped = epoch;
      }
    }
    epochs.trainEnd(listener);
    int kept = (int) Math.round(model.learningRate() / marker(0)) - 1;
    return new Decisions(learningRates, stopped, kept, List.of());
  }

  private static Decisions modelCheckpoint(
      JsonNode p, List<Double> values, double initialLr, Path dir) throws Exception {
    boolean bestOnly = p.get("save_best_only").asBoolean();
    ModelCheckpoint listener =
        new ModelCheckpoint(dir, p.get("monitor").asText(), mode(p), bestOnly);
    List<Float> learningRates = new ArrayList<>();
    List<Integer> saved = new ArrayList<>();
    ScriptedEpochs epochs = new ScriptedEpochs(model, values.size());
    epochs.trainBegin(listener);
    for (int epoch = 0; epoch < values.size(); epoch++) {
      epochs.epoch(logs(p, values.get(epoch)), listener);
      learningRates.add((float) initialLr);
      boolean savedNow =
          bestOnly
              ? listener.bestEpoch() == epoch
              : Files.isDirectory(dir.resolve(String.format("epoch-%03d", epoch + 1)));
      if (savedNow) {
        saved.add(epoch);
      }
    }
    epochs.trainEnd(listener);
    return new Decisions(learningRates, -1, values.size() - 1, saved);
  }

  private static Map<String, Double> logs(JsonNode parameters, Double value) {
    Map<String, Double> logs = new HashMap<>();
    logs.put(TrainingContext.LOSS, 0.5);
    if (value != null) {
      logs.put(parameters.get("monitor").asText(), value);
    }
    return logs;
  }

  private static MonitorMode mode(JsonNode parameters) {
    return MonitorMode.valueOf(parameters.get("mode").asText().toUpperCase(Locale.ROOT));
  }

  private static double marker(int epoch) {
    return (epoch + 1) * 1e-3;
  }

  private static List<Float> floats(JsonNode array) {
    List<Float> list = new ArrayList<>();
    array.forEach(v -> list.add((float) v.asDouble()));
    return list;
  }

  private static List<Integer> ints(JsonNode array) {
    List<Integer> list = new ArrayList<>();
    array.forEach(v -> list.add(v.asInt()));
    return list;
  }
}
