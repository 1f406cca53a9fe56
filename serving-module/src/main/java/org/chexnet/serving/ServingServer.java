package org.chexnet.serving;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.javalin.Javalin;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.UploadedFile;
import io.javalin.json.JavalinJackson;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.imageio.ImageIO;
import org.chexnet.common.ChexnetException;
import org.chexnet.dataset.ImageDecoder;
import org.chexnet.dataset.ImageNetNormalization;
import org.chexnet.model.ClassActivationMaps;
import org.chexnet.model.SavedModelPredictor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web page and REST API over one loaded model. Requests are answered from memory only: uploads
 * are read into byte arrays, decoded in memory, and multipart parts are never spooled to disk (the
 * in-memory threshold is the upload limit).
 */
public final class ServingServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServingServer.class);
  private static final String RESOURCES = "/org/chexnet/serving/";

  /** How long a request waits for its batch before giving up with 503. */
  private static final Duration PREDICTION_TIMEOUT = Duration.ofSeconds(60);

  /**
   * @param host address to listen on
   * @param port 0 for any free port
   * @param maxUploadBytes largest image accepted
   * @param maxBatch most images in one model run
   * @param batchWindow how long a batch waits for more images after its first
   */
  public record Options(
      String host, int port, long maxUploadBytes, int maxBatch, Duration batchWindow) {
    public Options {
      if (maxUploadBytes < 1 || maxUploadBytes > Integer.MAX_VALUE - 65536) {
        throw new IllegalArgumentException(
            "max upload bytes must be in [1, "
                + (Integer.MAX_VALUE - 65536)
                + "], got "
                + maxUploadBytes);
      }
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
      }
    }
  }

  private final ModelInfo info;
  private final SavedModelPredictor predictor;
  private final MicroBatcher batcher;
  private final ImageDecoder decoder;
  private final Options options;
  private final List<String> findings;
  private final Map<String, byte[]> staticFiles = new LinkedHashMap<>();
  private final Javalin app;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ServingServer(ModelInfo info, SavedModelPredictor predictor, Options options)
      throws IOException {
    if (!predictor.hasClassActivationMaps()) {
      throw ChexnetException.invalidInput(
          predictor.source()
              + " gives no feature maps: serving shows class activation maps, export the model"
              + " with chexnet (a run's saved_model/)");
    }
    this.info = info;
    this.predictor = predictor;
    this.options = options;
    this.findings = predictor.card().classNames();
    this.decoder = new ImageDecoder(predictor.imageSize());
    // ImageIO's default stream cache is a temporary file: requests stay in memory.
    ImageIO.setUseCache(false);
    for (String name : List.of("index.html", "app.js", "app.css", "openapi.json")) {
      staticFiles.put(name, resource(name));
    }
    this.batcher =
        new MicroBatcher(
            batchModel(predictor),
            options.maxBatch(),
            options.batchWindow(),
            32 * options.maxBatch());
    ObjectMapper json = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    long requestLimit = options.maxUploadBytes() + 65536; // room for multipart headers
    this.app =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              config.jsonMapper(new JavalinJackson(json, false));
              config.http.maxRequestSize = requestLimit;
              config.jetty.multipartConfig.maxFileSize(options.maxUploadBytes(), SizeUnit.BYTES);
              config.jetty.multipartConfig.maxTotalRequestSize(requestLimit, SizeUnit.BYTES);
              // Parts below this stay in memory: as large as the largest allowed part.
              config.jetty.multipartConfig.maxInMemoryFileSize((int) requestLimit, SizeUnit.BYTES);
            });
    routes();
  }

  private static MicroBatcher.BatchModel batchModel(SavedModelPredictor predictor) {
    return new MicroBatcher.BatchModel() {
      @Override
      public MicroBatcher.Outputs run(float[] images, int count) {
        SavedModelPredictor.Outputs outputs = predictor.run(images, count);
        return new MicroBatcher.Outputs(outputs.probabilities(), outputs.featureMaps());
      }

      @Override
      public int imageValues() {
        return predictor.imageValues();
      }

      @Override
      public int featureValuesPerImage() {
        return predictor.featureValuesPerImage();
      }
    };
  }

  /**
   * Loads nothing itself: {@code predictor} is loaded and warm (with the findings' class names,
   * which {@link SavedModelPredictor#load} checked); the server owns it from here.
   */
  public static ServingServer start(ModelInfo info, SavedModelPredictor predictor, Options options)
      throws IOException {
    ServingServer server = new ServingServer(info, predictor, options);
    server.app.start(options.host(), options.port());
    return server;
  }

  public int port() {
    return app.port();
  }

  public MicroBatcher batcher() {
    return batcher;
  }

  private void routes() {
    app.get("/", ctx -> serveStatic(ctx, "index.html", "text/html; charset=utf-8"));
    app.get("/app.js", ctx -> serveStatic(ctx, "app.js", "text/javascript; charset=utf-8"));
    app.get("/app.css", ctx -> serveStatic(ctx, "app.css", "text/css; charset=utf-8"));
    app.get(
        "/api/v1/openapi.json",
        ctx -> serveStatic(ctx, "openapi.json", "application/json; charset=utf-8"));
    app.get("/health", this::health);
    app.get("/api/v1/model", ctx -> ctx.json(modelJson()));
    app.post("/api/v1/predict", this::predict);
    app.post("/api/v1/cam", this::cam);

    app.exception(ApiException.class, (e, ctx) -> error(ctx, e.status(), e.getMessage()));
    app.exception(
        HttpResponseException.class,
        (e, ctx) ->
            error(
                ctx,
                e.getStatus(),
                e.getStatus() == 413
                    ? "the upload is larger than the limit of "
                        + options.maxUploadBytes()
                        + " bytes"
                    : e.getMessage()));
    app.exception(
        Exception.class,
        (e, ctx) -> {
          LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
          error(ctx, 500, "internal error: " + e.getClass().getSimpleName());
        });
    app.error(
        404,
        ctx -> {
          if (ctx.result() == null || ctx.result().isEmpty()) {
            error(ctx, 404, "no such endpoint: " + ctx.method() + " " + ctx.path());
          }
        });
  }

  private void serveStatic(Context ctx, String name, String contentType) {
    ctx.contentType(contentType)
        .header("Cache-Control", "no-cache")
        .header("X-Content-Type-Options", "nosniff");
    if (name.equals("index.html")) {
      // Uploads are shown as blob: URLs; nothing is loaded from elsewhere.
      ctx.header(
          "Content-Security-Policy",
          "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; base-uri 'none'");
    }
    ctx.result(staticFiles.get(name));
  }

  private void health(Context ctx) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "ok");
    body.put("model", info.name());
    body.put("batches", batcher.batches());
    body.put("images", batcher.images());
    body.put("largest_batch", batcher.largestBatch());
    ctx.json(body);
  }

  private Map<String, Object> modelJson() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", info.name());
    body.put("version", info.version());
    body.put("run_id", info.runId());
    body.put("source", info.source());
    body.put("test_mean_auroc", info.testMeanAuroc());
    body.put("test_auroc", ordered(info.testAuroc()));
    body.put("thresholds", ordered(info.thresholds()));
    body.put("threshold_rule", info.thresholdRule());
    body.put("findings", findings);
    body.put("image_size", predictor.imageSize());
    body.put("max_upload_bytes", options.maxUploadBytes());
    body.put(
        "batching",
        Map.of("max_batch", batcher.maxBatch(), "window_ms", batcher.window().toNanos() / 1e6));
    return body;
  }

  private void predict(Context ctx) {
    byte[] gray = grayUpload(ctx);
    MicroBatcher.Prediction prediction = infer(gray);
    Map<String, Object> body = new LinkedHashMap<>();
    Map<String, Double> probabilities = new LinkedHashMap<>();
    List<String> positive = new java.util.ArrayList<>();
    for (int c = 0; c < findings.size(); c++) {
      String finding = findings.get(c);
      double p = prediction.probabilities()[c];
      probabilities.put(finding, p);
      Double threshold = info.thresholds().get(finding);
      if (threshold != null && p >= threshold) {
        positive.add(finding);
      }
    }
    body.put("probabilities", probabilities);
    body.put("thresholds", ordered(info.thresholds()));
    body.put("positive", positive);
    body.put(
        "model", mapOf("name", info.name(), "version", info.version(), "run_id", info.runId()));
    body.put("batch_size", prediction.batchSize());
    ctx.json(body);
  }

  private void cam(Context ctx) {
    String finding = ctx.queryParam("finding");
    if (finding == null || finding.isBlank()) {
      throw new ApiException(400, "give the finding: /api/v1/cam?finding=NAME, one of " + findings);
    }
    int classIndex = findings.indexOf(finding);
    if (classIndex < 0) {
      throw new ApiException(
          400, "unknown finding '" + printable(finding) + "', expected one of " + findings);
    }
    byte[] gray = grayUpload(ctx);
    MicroBatcher.Prediction prediction = infer(gray);
    BufferedImage overlay =
        ClassActivationMaps.overlay(predictor.cam(prediction.featureMaps(), classIndex), gray);
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(overlay, "png", png)) {
        throw new IllegalStateException("no PNG writer in this Java runtime");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ctx.contentType("image/png")
        .header("X-Chexnet-Probability", Float.toString(prediction.probabilities()[classIndex]))
        .result(png.toByteArray());
  }

  /** The request's image (raw body, or the multipart part 'image' or the only file) as gray. */
  private byte[] grayUpload(Context ctx) {
    String length = ctx.header("Content-Length");
    if (length != null) {
      try {
        if (Long.parseLong(length.strip()) > options.maxUploadBytes() + 65536) {
          throw tooLarge();
        }
      } catch (NumberFormatException e) {
        throw new ApiException(400, "Content-Length is not a number");
      }
    }
    String contentType = Optional.ofNullable(ctx.contentType()).orElse("");
    byte[] bytes;
    if (contentType.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data")) {
      bytes = multipartImage(ctx);
    } else {
      bytes = boundedBody(ctx);
    }
    if (bytes.length > options.maxUploadBytes()) {
      throw tooLarge();
    }
    return decoder.toGraySquare(UploadedImages.decode(bytes));
  }

  /**
   * The body, reading at most one byte past the limit: a chunked upload has no Content-Length to
   * refuse it by up front (and Javalin's bodyAsBytes would read it all).
   */
  private byte[] boundedBody(Context ctx) {
    try (InputStream in = ctx.req().getInputStream()) {
      byte[] bytes = in.readNBytes((int) options.maxUploadBytes() + 1);
      if (bytes.length > options.maxUploadBytes()) {
        throw tooLarge();
      }
      return bytes;
    } catch (IOException e) {
      throw new ApiException(400, "cannot read the request body: " + e.getMessage());
    }
  }

  private byte[] multipartImage(Context ctx) {
    List<UploadedFile> files;
    try {
      UploadedFile named = ctx.uploadedFile("image");
      files = named != null ? List.of(named) : ctx.uploadedFiles();
    } catch (RuntimeException e) {
      if (String.valueOf(e.getMessage()).contains("exceeds")
          || e.getCause() instanceof IllegalStateException) {
        throw tooLarge();
      }
      throw new ApiException(400, "malformed multipart body: " + e.getMessage());
    }
    if (files.size() != 1) {
      throw new ApiException(
          400, "a multipart upload needs one file (field 'image'), got " + files.size() + " files");
    }
    try (InputStream in = files.get(0).content()) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new ApiException(400, "cannot read the uploaded file: " + e.getMessage());
    }
  }

  private ApiException tooLarge() {
    return new ApiException(
        413, "the upload is larger than the limit of " + options.maxUploadBytes() + " bytes");
  }

  private MicroBatcher.Prediction infer(byte[] gray) {
    float[] image = ImageNetNormalization.toHwc(gray, predictor.imageSize(), false);
    try {
      return batcher.submit(image).get(PREDICTION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "interrupted while waiting for the model");
    } catch (TimeoutException e) {
      throw new ApiException(503, "the model did not answer within " + PREDICTION_TIMEOUT);
    } catch (ExecutionException | CompletionException e) {
      if (e.getCause() instanceof MicroBatcher.OverloadedException overloaded) {
        throw new ApiException(503, overloaded.getMessage());
      }
      throw new IllegalStateException("model run failed", e.getCause());
    }
  }

  private static void error(Context ctx, int status, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", message);
    body.put("status", status);
    ctx.status(status).json(body);
  }

  /** Findings in the model's order (the registry and files give no order). */
  private Map<String, Double> ordered(Map<String, Double> values) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String finding : findings) {
      if (values.containsKey(finding)) {
        out.put(finding, values.get(finding));
      }
    }
    return out;
  }

  private static Map<String, Object> mapOf(Object... keyValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put((String) keyValues[i], keyValues[i + 1]);
    }
    return map;
  }

  /** A query value echoed in an error, cut short and stripped of control characters. */
  private static String printable(String value) {
    String clean = value.replaceAll("\\p{Cntrl}", "?");
    return clean.length() > 64 ? clean.substring(0, 64) + "..." : clean;
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = ServingServer.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IOException("missing resource " + RESOURCES + name);
      }
      return in.readAllBytes();
    }
  }

  /** Stops accepting requests, then the batcher, then frees the model; once. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    app.stop();
    batcher.close();
    predictor.close();
  }
}
