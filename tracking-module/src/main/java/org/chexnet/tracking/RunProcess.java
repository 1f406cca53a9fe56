package org.chexnet.tracking;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The process a run is RUNNING in, recorded as tags when it starts or resumes, so that a run whose
 * process was killed ({@code kill -9}, a power cut) can be told from one still going. A pid alone
 * could be reused by a later process: the process's start time tells them apart.
 *
 * @param startMillis when the process started (epoch milliseconds), 0 when the platform does not
 *     say
 */
public record RunProcess(long pid, String host, long startMillis) {
  /** The tags' common prefix: they describe the process, not the run's results. */
  public static final String TAG_PREFIX = "chexnet.process.";

  public static final String PID_TAG = TAG_PREFIX + "pid";
  public static final String HOST_TAG = TAG_PREFIX + "host";
  public static final String START_TAG = TAG_PREFIX + "start";

  /** Two readings of one process's start time agree to within this (clock tick rounding). */
  private static final long SAME_START_MILLIS = 1000;

  /** This JVM. */
  public static RunProcess current() {
    ProcessHandle self = ProcessHandle.current();
    return new RunProcess(
        self.pid(), hostName(), self.info().startInstant().map(Instant::toEpochMilli).orElse(0L));
  }

  Map<String, String> tags() {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(PID_TAG, String.valueOf(pid));
    tags.put(HOST_TAG, host);
    tags.put(START_TAG, String.valueOf(startMillis));
    return tags;
  }

  /** The process recorded in a run's tags; empty for runs recorded before these tags. */
  public static Optional<RunProcess> of(Map<String, String> tags) {
    try {
      String pid = tags.get(PID_TAG);
      String host = tags.get(HOST_TAG);
      String start = tags.get(START_TAG);
      if (pid == null || host == null || start == null) {
        return Optional.empty();
      }
      return Optional.of(new RunProcess(Long.parseLong(pid), host, Long.parseLong(start)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * True when a RUNNING run's process is known to be gone: it ran on this host and no process with
   * its pid and start time exists. A run from another host, or without the tags, is not judged.
   */
  public static boolean interrupted(RunRecord run) {
    return RunStatus.RUNNING.name().equals(run.status())
        && of(run.tags()).map(RunProcess::gone).orElse(false);
  }

  private boolean gone() {
    if (!host.equals(hostName())) {
      return false;
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (process.isEmpty()) {
      return true;
    }
    Optional<Instant> started = process.get().info().startInstant();
    // The pid belongs to a process started at another time: the run's process is gone.
    return startMillis != 0
        && started.isPresent()
        && Math.abs(started.get().toEpochMilli() - startMillis) > SAME_START_MILLIS;
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown";
    }
  }
}
