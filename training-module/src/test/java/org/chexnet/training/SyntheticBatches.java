package org.chexnet.training;

import java.io.IOException;
import java.nio.file.Path;
import org.chexnet.dataset.BatchLoader;
import org.chexnet.dataset.ChestXray14;
import org.chexnet.dataset.DataSplits;
import org.chexnet.dataset.SyntheticChestXray14;

/**
 * Training and validation batches of 120 synthetic ChestX-ray14 images at {@link
 * TinyNets#IMAGE_SIZE}: NIH's official split with a quarter of train_val for validation, training
 * batches shuffled and flipped, both cached in memory.
 */
record SyntheticBatches(BatchLoader train, BatchLoader validation) {

  /** Writes the dataset into {@code dir} and opens its loaders. */
  static SyntheticBatches write(Path dir, int batchSize, int threads) throws IOException {
    SyntheticChestXray14.write(dir, 120, TinyNets.IMAGE_SIZE, 7);
    ChestXray14 data = ChestXray14.open(dir);
    DataSplits splits = data.officialSplit(0.25, 1);
    return new SyntheticBatches(
        new BatchLoader(
            data, splits.train(), TinyNets.IMAGE_SIZE, batchSize, true, true, true, 1, threads),
        new BatchLoader(
            data,
            splits.validation(),
            TinyNets.IMAGE_SIZE,
            batchSize,
            false,
            false,
            true,
            1,
            threads));
  }
}
