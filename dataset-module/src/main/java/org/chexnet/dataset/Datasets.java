package org.chexnet.dataset;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The dataset formats chexnet reads, by name. A new dataset is one {@link DatasetFormat} class and
 * one line in {@link #FORMATS}: a list here rather than a {@code ServiceLoader} file, because the
 * formats all live in this module, a missing services entry would fail silently at run time (the
 * name just unknown), and the list is where a reader looks first.
 */
public final class Datasets {
  /** {@code data.dataset}'s default, so every existing spec keeps reading ChestX-ray14. */
  public static final String DEFAULT = ChestXray14.NAME;

  private static final List<DatasetFormat> FORMATS =
      List.of(ChestXray14.FORMAT, new CheXpert(), new MimicCxrJpg(), new PadChest());

  private Datasets() {}

  /** Every format, ChestX-ray14 first. */
  public static List<DatasetFormat> all() {
    return FORMATS;
  }

  /** The registry names, in {@link #all()} order. */
  public static List<String> names() {
    return FORMATS.stream().map(DatasetFormat::name).toList();
  }

  /**
   * @throws IllegalArgumentException naming the unknown name and the known ones
   */
  public static DatasetFormat named(String name) {
    for (DatasetFormat format : FORMATS) {
      if (format.name().equals(name)) {
        return format;
      }
    }
    throw new IllegalArgumentException(
        "unknown dataset '" + name + "', expected one of " + String.join(", ", names()));
  }

  /** {@code named(name).open(root)}. */
  public static Dataset open(String name, Path root) throws IOException {
    return named(name).open(root);
  }
}
