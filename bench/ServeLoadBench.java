import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.chexnet.model.DenseNetConfig;
import org.chexnet.training.TrainableModel;

/**
 * Run by bench/serve-load.sh.
 *   export SIZE DIR: a full DenseNet-121 (random weights) at SIZE x SIZE as a SavedModel in DIR.
 *   load URL PNG CLIENTS REQUESTS MAX_SECONDS: CLIENTS closed-loop clients POST the PNG to
 *     URL/api/v1/predict until REQUESTS answers or MAX_SECONDS; prints one JSON line with
 *     p50/p99 latency, throughput and the mean batch size the server reported.
 */
public final class ServeLoadBench {
  public static void main(String[] args) throws Exception {
    if (args[0].equals("export")) {
      int size = Integer.parseInt(args[1]);
      try (TrainableModel model = TrainableModel.create(DenseNetConfig.densenet121(size, 14),
          new TrainableModel.AdamSettings(1e-3f, 0.9f, 0.999f, 1e-7f), 1)) {
        model.exportSavedModel(Path.of(args[2]));
      }
      return;
    }
    String url = args[1];
    byte[] png = Files.readAllBytes(Path.of(args[2]));
    int clients = Integer.parseInt(args[3]);
    int requests = Integer.parseInt(args[4]);
    long deadline = System.nanoTime() + Duration.ofSeconds(Long.parseLong(args[5])).toNanos();
    if (!URI.create(url).getHost().equals("127.0.0.1")) {
      throw new IllegalArgumentException("load goes to 127.0.0.1 only, got " + url);
    }
    HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(clients)).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/api/v1/predict"))
        .timeout(Duration.ofSeconds(120))
        .header("Content-Type", "image/png")
        .POST(HttpRequest.BodyPublishers.ofByteArray(png))
        .build();
    // Warm-up: one request per client, not counted.
    for (int i = 0; i < clients; i++) {
      http.send(request, HttpResponse.BodyHandlers.ofString());
    }
    AtomicInteger issued = new AtomicInteger();
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger failures = new AtomicInteger();
    AtomicInteger batchSum = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    long start = System.nanoTime();
    List<Future<?>> running = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      running.add(pool.submit(() -> {
        while (issued.getAndIncrement() < requests && System.nanoTime() < deadline) {
          long t0 = System.nanoTime();
          HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
          long took = System.nanoTime() - t0;
          if (response.statusCode() != 200) {
            failures.incrementAndGet();
            continue;
          }
          latencies.add(took);
          int at = response.body().indexOf("\"batch_size\":");
          batchSum.addAndGet(Integer.parseInt(
              response.body().substring(at + 13).replaceAll("[^0-9].*", "")));
        }
        return null;
      }));
    }
    for (Future<?> f : running) {
      f.get();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    pool.shutdown();
    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    int n = sorted.size();
    System.out.printf(
        "{\"clients\": %d, \"requests\": %d, \"failures\": %d, \"seconds\": %.1f, \"p50_ms\": %.1f,"
            + " \"p99_ms\": %.1f, \"images_per_s\": %.2f, \"mean_batch\": %.2f}%n",
        clients, n, failures.get(), seconds, percentile(sorted, 0.50), percentile(sorted, 0.99),
        n / seconds, n == 0 ? 0 : (double) batchSum.get() / n);
    System.exit(0);
  }

  private static double percentile(List<Long> sorted, double q) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(q * sorted.size()) - 1;
    return sorted.get(Math.max(0, index)) / 1e6;
  }
}
