package org.chexnet.tracking;

/**
 * Receives each record of a {@link Run} right after it is on local disk, to copy it elsewhere (a
 * tracking server). Implementations never throw: the local run is the record that must not fail.
 */
interface RunMirror {
  RunMirror NONE = new RunMirror() {};

  default void started(Run run) {}

  default void param(String key, String value) {}

  default void tag(String key, String value) {}

  default void metric(String key, double value, long timestamp, long step) {}

  default void inputs(java.util.List<DatasetInput> inputs) {}

  /** The run has its final status and end time; its artifacts directory is complete. */
  default void ended(Run run) {}
}
