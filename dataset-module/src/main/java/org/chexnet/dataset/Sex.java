package org.chexnet.dataset;

/** The patient's sex as the metadata records it. */
public enum Sex {
  FEMALE,
  MALE,
  UNKNOWN
}
