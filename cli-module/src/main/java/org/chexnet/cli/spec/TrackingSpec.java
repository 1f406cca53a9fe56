package org.chexnet.cli.spec;

/**
 * Where runs are recorded.
 *
 * @param uri a local directory in MLflow's file-store layout, or an MLflow server ({@code
 *     http(s)://...}) that the run is mirrored to from the local store {@code mlruns}
 * @param experiment the MLflow experiment; the spec's name when left out
 * @param runName the run's name; the spec's name and the start time when left out
 */
public record TrackingSpec(
    @Default("mlruns") String uri,
    @Default("null") String experiment,
    @Default("null") String runName) {}
