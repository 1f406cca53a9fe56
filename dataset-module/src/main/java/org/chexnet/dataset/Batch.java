package org.chexnet.dataset;

import java.util.List;

/**
 * One batch: {@code images} is NHWC float32 with 3 ImageNet-normalised channels (see {@link
 * ImageNetNormalization}), length size*H*W*3; {@code labels} is size*14 in {@link Finding} order;
 * {@code imageIndexes} names each image. Here {@code size} is the number of images in the batch.
 */
public record Batch(float[] images, float[] labels, int size, List<String> imageIndexes) {}
