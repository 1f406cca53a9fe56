package org.chexnet.model;

import java.util.List;

/**
 * What a model needs beside its weights to be used: the names of its outputs and how an image
 * becomes its input. A chexnet run's model has the 14 ChestX-ray14 findings and ImageNet
 * normalisation; an imported model (a directory with a SavedModel and its card) brings its own.
 *
 * @param classNames one per output, in output order
 */
public record ModelCard(List<String> classNames, Preprocessing preprocessing) {
  public ModelCard {
    classNames = List.copyOf(classNames);
  }
}
