package org.chexnet.cli.spec;

/**
 * Where the images are and how they are split and shaped.
 *
 * @param root a directory in NIH's ChestX-ray14 layout, relative to the working directory
 * @param split {@code official}: NIH's test list, validation carved by patient from train_val
 * @param synthetic when set and {@code root} does not exist yet, a synthetic dataset is written
 *     there first
 */
public record DataSpec(
    String root,
    @Default("official") Split split,
    @Default("0.1") @Range(min = 0, max = 1) double validationFraction,
    @Default("224") @Min(32) int imageSize,
    @Default("null") SyntheticSpec synthetic,
    @Default("false") boolean cacheInMemory,
    @Default("2") @Min(1) int loaderThreads) {

  public enum Split {
    OFFICIAL
  }

  /** A generated dataset in the ChestX-ray14 layout whose labels are learnable. */
  public record SyntheticSpec(
      @Default("1000") @Min(10) int images,
      @Default("128") @Min(32) int imageSize,
      @Default("7") long seed) {}
}
