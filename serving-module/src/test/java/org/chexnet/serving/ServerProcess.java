package org.chexnet.serving;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server in a JVM of its own, with the heap given and the options {@code chexnet serve} starts
 * with by default: what a test needs when the server may run out of memory, or when its start-up
 * output is what is tested. Closing it closes its stdin, on which it stops.
 */
final class ServerProcess implements AutoCloseable {
  private static final String PORT_LINE = "PORT ";

  private final Process process;
  private final Path log;
  private final int port;

  private ServerProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /**
   * @param artifacts an exported model ({@link TinyServedModel})
   * @param log where the server's stderr goes
   * @param classpathFirst put before the class path (e.g. another logging configuration)
   */
  static ServerProcess start(
      Path artifacts, Path log, List<String> jvmOptions, List<Path> classpathFirst)
      throws IOException {
    StringBuilder classpath = new StringBuilder();
    for (Path entry : classpathFirst) {
      classpath.append(entry.toAbsolutePath()).append(File.pathSeparator);
    }
    classpath.append(System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(
        List.of("-cp", classpath.toString(), ServerProcess.class.getName(), artifacts.toString()));
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.to(log.toFile())).start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      if (line.startsWith(PORT_LINE)) {
        return new ServerProcess(
            process, log, Integer.parseInt(line.substring(PORT_LINE.length())));
      }
    }
    process.destroyForcibly();
    throw new IOException("the server process ended before listening:\n" + Files.readString(log));
  }

  int port() {
    return port;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** What the server wrote to stderr so far. */
  String log() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() throws Exception {
    process.getOutputStream().close();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  /** The server process: serves args[0] until stdin closes. */
  public static void main(String[] args) throws Exception {
    try (ServingServer server =
        TinyServedModel.serve(
            Path.of(args[0]),
            new ServingServer.Options("127.0.0.1", 0, 20L << 20, 8, Duration.ofMillis(5)))) {
      System.out.println(PORT_LINE + server.port());
      System.out.flush();
      System.in.readAllBytes();
    }
  }
}
