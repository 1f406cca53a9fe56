package org.chexnet.dataset;

import java.util.List;

/**
 * One batch: {@code images} is NHWC float32 with 3 ImageNet-normalised channels (see {@link
 * ImageNetNormalization}), length size*H*W*3; {@code labels} is size*classes in the dataset's
 * findings order ({@link Finding} order for ChestX-ray14); {@code labelMask} is the same shape, 1f
 * where a label counts and 0f where it is masked out of the loss ({@link LabeledImage#mask()});
 * {@code imageIndexes} names each image. Here {@code size} is the number of images in the batch.
 */
public record Batch(
    float[] images, float[] labels, float[] labelMask, int size, List<String> imageIndexes) {}
