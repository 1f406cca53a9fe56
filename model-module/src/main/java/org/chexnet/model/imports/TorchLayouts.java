package org.chexnet.model.imports;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.chexnet.model.DenseNetConfig;

/**
 * The PyTorch checkpoint layouts of the CheXNet reproductions, read into {@link ImportedNetwork}: a
 * state dict (plain, DataParallel's {@code module.}, inside {@code {"state_dict": ...}}, inside
 * arnoweng's and zoogzog's {@code module.densenet121.} wrapper) or a whole pickled torchvision
 * DenseNet (jrzech), whose weights are read from the modules' pickled state.
 */
final class TorchLayouts {
  private static final Pattern WRAPPER = Pattern.compile("^module\\.(densenet\\d+)\\.");
  private static final String DENSENET = "torchvision.models.densenet.DenseNet";
  private static final String SEQUENTIAL = "torch.nn.modules.container.Sequential";
  private static final String LINEAR = "torch.nn.modules.linear.Linear";
  private static final String SIGMOID = "torch.nn.modules.activation.Sigmoid";
  private static final String BATCH_NORM = "torch.nn.modules.batchnorm.BatchNorm2d";

  private TorchLayouts() {}

  static ImportedNetwork read(Path file, TorchCheckpoint checkpoint, ImportFormat requested)
      throws IOException {
    return read(file, checkpoint.root(), checkpoint.container(), requested);
  }

  /** As above, for the pickled object itself (tests alter one before mapping it). */
  static ImportedNetwork read(
      Path file, Object root, TorchCheckpoint.Container torchContainer, ImportFormat requested)
      throws IOException {
    String container = torchContainer.description();
    if (!(root instanceof Map<?, ?> top)) {
      throw new IOException(
          file + ": holds a " + PickleGlobals.describe(root) + ", not a state dict or checkpoint");
    }
    if (top.get("model") instanceof PickledObject model) {
      require(file, requested, ImportFormat.JRZECH, "a pickled model ({\"model\": DenseNet})");
      return wholeModel(file, torchContainer, model, others(top, "model"));
    }
    Map<?, ?> stateDict = top;
    List<String> ignored = new ArrayList<>();
    if (top.get("state_dict") instanceof Map<?, ?> wrapped) {
      stateDict = wrapped;
      ignored.addAll(others(top, "state_dict"));
    } else if (!top.values().stream().allMatch(v -> v instanceof TorchTensor)) {
      throw new IOException(
          file
              + ": a PyTorch file holding "
              + new TreeSet<>(stringKeys(top))
              + ": expected a state dict, {\"state_dict\": ...} or {\"model\": ...}");
    }
    Matcher wrapper = WRAPPER.matcher(stringKeys(stateDict).stream().findFirst().orElse(""));
    ImportFormat detected =
        !wrapper.find()
            ? ImportFormat.TORCHVISION
            : top.containsKey("optimizer") ? ImportFormat.ZOOGZOG : ImportFormat.ARNOWENG;
    ImportFormat format = detected;
    if (requested != ImportFormat.AUTO) {
      boolean sameLayout =
          requested == detected
              || (detected != ImportFormat.TORCHVISION
                  && (requested == ImportFormat.ARNOWENG || requested == ImportFormat.ZOOGZOG));
      if (!sameLayout) {
        throw new IOException(
            file
                + ": --format "
                + requested.cliName()
                + " does not fit: the file has "
                + detected.cliName()
                + "'s layout"
                + (detected == ImportFormat.TORCHVISION
                    ? " (state dict keys without module.densenet121.)"
                    : " (state dict keys under " + wrapper.group() + ")"));
      }
      format = requested;
    }
    String prefix =
        format == ImportFormat.TORCHVISION ? dataParallelPrefix(stateDict) : wrapper.group();
    Map<String, Object> entries = new LinkedHashMap<>();
    stateDict.forEach((k, v) -> entries.put(String.valueOf(k), v));
    String classifierForm =
        entries.containsKey(prefix + "classifier.weight") ? "logits" : "sequential";
    String head =
        switch (format) {
          case ARNOWENG, ZOOGZOG ->
              "Linear + Sigmoid (classifier = Sequential(Linear, Sigmoid), as "
                  + format.project()
                  + ")";
          default ->
              classifierForm.equals("logits")
                  ? "Linear giving logits (classifier); the imported model applies a sigmoid"
                  : "Linear (classifier.0 of a Sequential; a state dict does not record the"
                      + " activation): the imported model applies a sigmoid";
        };
    return map(
        file,
        format,
        container,
        torchContainer,
        entries,
        prefix,
        DenseNetConfig.TORCHVISION_BN_EPSILON,
        ignored,
        head);
  }

  /** DataParallel's {@code module.} when every key has it, else nothing. */
  private static String dataParallelPrefix(Map<?, ?> stateDict) {
    return !stateDict.isEmpty()
            && stringKeys(stateDict).stream().allMatch(k -> k.startsWith("module."))
        ? "module."
        : "";
  }

  private static void require(Path file, ImportFormat requested, ImportFormat layout, String what)
      throws IOException {
    if (requested != ImportFormat.AUTO && requested != layout) {
      throw new IOException(
          file
              + ": --format "
              + requested.cliName()
              + " does not fit: the file holds "
              + what
              + ", "
              + layout.cliName()
              + "'s layout");
    }
  }

  /**
   * jrzech's checkpoint: parameters and buffers from the modules' pickled state, named as
   * state_dict() would name them; the batch-norm epsilon and the head's form from the modules.
   */
  private static ImportedNetwork wholeModel(
      Path file,
      TorchCheckpoint.Container torchContainer,
      PickledObject model,
      List<String> ignored)
      throws IOException {
    if (!model.className().equals(DENSENET)) {
      throw new IOException(
          file + ": \"model\" is a " + model.className() + ", expected " + DENSENET);
    }
    Map<String, Object> entries = new LinkedHashMap<>();
    Map<String, PickledObject> modules = new LinkedHashMap<>();
    flatten(file, model, "", entries, modules);
    Set<Object> epsilons = new LinkedHashSet<>();
    modules.values().stream()
        .filter(m -> m.className().equals(BATCH_NORM))
        .forEach(m -> epsilons.add(m.state().get("eps")));
    if (epsilons.size() > 1
        || (epsilons.size() == 1 && !(epsilons.iterator().next() instanceof Number))) {
      throw new IOException(file + ": the batch norms' eps differ or are not numbers: " + epsilons);
    }
    double epsilon =
        epsilons.isEmpty()
            ? DenseNetConfig.TORCHVISION_BN_EPSILON
            : ((Number) epsilons.iterator().next()).doubleValue();
    checkStem(file, modules);
    return map(
        file,
        ImportFormat.JRZECH,
        torchContainer.description() + ", the whole model pickled",
        torchContainer,
        entries,
        "",
        epsilon,
        ignored,
        head(file, modules.get("classifier")));
  }

  private static void flatten(
      Path file,
      PickledObject module,
      String prefix,
      Map<String, Object> entries,
      Map<String, PickledObject> modules)
      throws IOException {
    modules.put(prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1), module);
    Object nonPersistent = module.state().get("_non_persistent_buffers_set");
    for (String attribute : List.of("_parameters", "_buffers")) {
      Object values = module.state().get(attribute);
      if (values == null) {
        continue;
      }
      if (!(values instanceof Map<?, ?> map)) {
        throw new IOException(file + ": " + prefix + attribute + " is not a dict");
      }
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        boolean skipped =
            entry.getValue() == null
                || (nonPersistent instanceof Collection<?> names && names.contains(entry.getKey()));
        if (!skipped) {
          entries.put(prefix + entry.getKey(), entry.getValue());
        }
      }
    }
    if (module.state().get("_modules") instanceof Map<?, ?> children) {
      for (Map.Entry<?, ?> child : children.entrySet()) {
        if (child.getValue() instanceof PickledObject submodule) {
          flatten(file, submodule, prefix + child.getKey() + ".", entries, modules);
        } else if (child.getValue() != null) {
          throw new IOException(
              file
                  + ": module "
                  + prefix
                  + child.getKey()
                  + " is a "
                  + PickleGlobals.describe(child.getValue()));
        }
      }
    }
  }

  /** The settings our graph's stem assumes: conv0 stride 2 padding 3, pool0 3x3 stride 2 pad 1. */
  private static void checkStem(Path file, Map<String, PickledObject> modules) throws IOException {
    List<String> wrong = new ArrayList<>();
    expect(modules.get("features.conv0"), "stride", 2, wrong, "features.conv0");
    expect(modules.get("features.conv0"), "padding", 3, wrong, "features.conv0");
    expect(modules.get("features.pool0"), "kernel_size", 3, wrong, "features.pool0");
    expect(modules.get("features.pool0"), "stride", 2, wrong, "features.pool0");
    expect(modules.get("features.pool0"), "padding", 1, wrong, "features.pool0");
    if (!wrong.isEmpty()) {
      throw new IOException(
          file + ": not torchvision's DenseNet stem: " + String.join("; ", wrong));
    }
  }

  private static void expect(
      PickledObject module, String setting, int value, List<String> wrong, String name) {
    Object actual = module == null ? null : module.state().get(setting);
    List<Object> values =
        actual instanceof Object[] tuple ? Arrays.asList(tuple) : Arrays.asList(actual);
    if (!values.stream().allMatch(v -> v instanceof Number n && n.intValue() == value)) {
      wrong.add(
          name
              + "."
              + setting
              + " is "
              + (actual instanceof Object[] t ? Arrays.toString(t) : actual)
              + ", expected "
              + value);
    }
  }

  private static String head(Path file, PickledObject classifier) throws IOException {
    if (classifier != null && classifier.className().equals(LINEAR)) {
      return "Linear giving logits (classifier); the imported model applies a sigmoid";
    }
    if (classifier != null
        && classifier.className().equals(SEQUENTIAL)
        && classifier.state().get("_modules") instanceof Map<?, ?> parts
        && parts.size() == 2
        && parts.get("0") instanceof PickledObject linear
        && linear.className().equals(LINEAR)
        && parts.get("1") instanceof PickledObject sigmoid
        && sigmoid.className().equals(SIGMOID)) {
      return "Linear + Sigmoid (classifier = Sequential(Linear, Sigmoid))";
    }
    throw new IOException(
        file
            + ": the classifier is "
            + (classifier == null ? "missing" : describeModule(classifier))
            + ", expected Linear or Sequential(Linear, Sigmoid)");
  }

  private static String describeModule(PickledObject module) {
    if (module.state().get("_modules") instanceof Map<?, ?> parts && !parts.isEmpty()) {
      return module.className() + parts.values().stream().map(String::valueOf).toList().toString();
    }
    return module.className();
  }

  /**
   * Maps state-dict entries (names as in the file) onto our variables: strips {@code prefix},
   * renames torchvision's old layer names, infers the network from the shapes.
   */
  static ImportedNetwork map(
      Path file,
      ImportFormat format,
      String container,
      TorchCheckpoint.Container torchContainer,
      Map<String, Object> entries,
      String prefix,
      double epsilon,
      List<String> ignoredContent,
      String head)
      throws IOException {
    List<String> problems = new ArrayList<>();
    List<String> ignored = new ArrayList<>(ignoredContent);
    Map<String, String> fileNames = new LinkedHashMap<>();
    Map<String, TorchTensor> tensors = new LinkedHashMap<>();
    int counters = 0;
    for (Map.Entry<String, Object> entry : entries.entrySet()) {
      String name = entry.getKey();
      if (!(entry.getValue() instanceof TorchTensor tensor)) {
        problems.add(
            "unexpected "
                + name
                + ": a "
                + PickleGlobals.describe(entry.getValue())
                + ", not a tensor");
        continue;
      }
      if (!name.startsWith(prefix)) {
        problems.add("unexpected " + name + " (outside " + prefix + ")");
        continue;
      }
      if (name.endsWith("." + TorchvisionDenseNet.BATCHES_TRACKED)) {
        counters++;
        continue;
      }
      String canonical = TorchvisionDenseNet.currentName(name.substring(prefix.length()));
      fileNames.put(canonical, name);
      tensors.put(canonical, tensor);
    }
    if (counters > 0) {
      ignored.add(counters + " batch-norm num_batches_tracked counters (training state)");
    }
    String classifier = classifier(file, tensors.keySet(), prefix);
    DenseNetConfig config = config(file, tensors, prefix, classifier, epsilon);
    Map<String, String> sourceNames = new LinkedHashMap<>();
    Map<String, SourceTensor> mapped = new LinkedHashMap<>();
    Set<String> used = new LinkedHashSet<>();
    TorchvisionDenseNet.names(config, classifier)
        .forEach(
            (variable, canonical) -> {
              String inFile = fileNames.getOrDefault(canonical, prefix + canonical);
              sourceNames.put(variable, inFile);
              TorchTensor tensor = tensors.get(canonical);
              if (tensor == null) {
                return;
              }
              used.add(canonical);
              mapped.put(
                  variable,
                  new SourceTensor(
                      inFile,
                      tensor.size(),
                      TorchvisionDenseNet.layout(variable),
                      tensor::toFloats,
                      tensor.dtype().floatingPoint()
                          ? null
                          : "holds " + tensor.dtype() + " values, expected floating point"));
            });
    for (String canonical : tensors.keySet()) {
      if (!used.contains(canonical)) {
        problems.add(
            "unexpected "
                + fileNames.get(canonical)
                + " "
                + Arrays.toString(tensors.get(canonical).size())
                + " (no such weight in "
                + org.chexnet.model.ModelCard.Architecture.of(config, "").name()
                + ")");
      }
    }
    return new ImportedNetwork(
        format, container, torchContainer, config, sourceNames, mapped, problems, ignored, head);
  }

  private static String classifier(Path file, Set<String> names, String prefix) throws IOException {
    boolean linear = names.contains("classifier.weight");
    boolean sequential = names.contains("classifier.0.weight");
    if (linear == sequential) {
      throw new IOException(
          file
              + ": "
              + (linear
                  ? "both " + prefix + "classifier.weight and " + prefix + "classifier.0.weight"
                  : "no classifier ("
                      + prefix
                      + "classifier.weight or "
                      + prefix
                      + "classifier.0.weight)"));
    }
    return linear ? "classifier" : "classifier.0";
  }

  /** The network the tensors' shapes describe; image size 224 until the preprocessing says. */
  private static DenseNetConfig config(
      Path file, Map<String, TorchTensor> tensors, String prefix, String classifier, double epsilon)
      throws IOException {
    TorchTensor stem = tensors.get("features.conv0.weight");
    TorchTensor firstLayer = tensors.get("features.denseblock1.denselayer1.conv1.weight");
    TorchTensor firstGrowth = tensors.get("features.denseblock1.denselayer1.conv2.weight");
    TorchTensor head = tensors.get(classifier + ".weight");
    if (stem == null || firstLayer == null || firstGrowth == null || head.size().length != 2) {
      throw new IOException(
          file
              + ": not a torchvision DenseNet: no "
              + prefix
              + (stem == null
                  ? "features.conv0.weight"
                  : "features.denseblock1.denselayer1.conv1/conv2.weight")
              + " (its first tensors: "
              + tensors.keySet().stream().limit(5).map(n -> prefix + n).toList()
              + ")");
    }
    List<Integer> blocks = new ArrayList<>();
    for (int b = 1; tensors.containsKey(layerKey(b, 1)); b++) {
      int layers = 0;
      while (tensors.containsKey(layerKey(b, layers + 1))) {
        layers++;
      }
      blocks.add(layers);
    }
    int growth = (int) firstGrowth.size()[0];
    int bottleneck = (int) firstLayer.size()[0];
    if (growth < 1 || bottleneck % growth != 0) {
      throw new IOException(
          file
              + ": dense layers with "
              + bottleneck
              + " bottleneck channels and growth "
              + growth
              + ": not a torchvision DenseNet");
    }
    try {
      return new DenseNetConfig(
          blocks,
          growth,
          (int) stem.size()[0],
          bottleneck / growth,
          0.5,
          224,
          (int) head.size()[0],
          epsilon);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  private static String layerKey(int block, int layer) {
    return "features.denseblock" + block + ".denselayer" + layer + ".conv1.weight";
  }

  private static List<String> stringKeys(Map<?, ?> map) {
    return map.keySet().stream().map(String::valueOf).toList();
  }

  /** The top-level entries other than {@code kept}, for the card: training state left behind. */
  private static List<String> others(Map<?, ?> top, String kept) {
    return stringKeys(top).stream().filter(k -> !k.equals(kept)).toList();
  }
}
