package org.chexnet.serving;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.javalin.Javalin;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import io.javalin.http.UploadedFile;
import io.javalin.json.JavalinJackson;
import io.javalin.util.JavalinBindException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.imageio.ImageIO;
import org.chexnet.common.ChexnetException;
import org.chexnet.dataset.ImageDecoder;
import org.chexnet.model.ClassActivationMaps;
import org.chexnet.model.ModelCard;
import org.chexnet.model.ModelInfo;
import org.chexnet.model.Preprocessing;
import org.chexnet.model.ProbabilityCalibration;
import org.chexnet.model.SavedModelPredictor;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.server.ConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web page and REST API over one loaded model. Requests are answered from memory only: uploads
 * are read into byte arrays, decoded in memory, and multipart parts are never spooled to disk (the
 * in-memory threshold is the upload limit).
 *
 * <p>Hostile clients are bounded: request bodies and decoded pixels are reserved against one {@link
 * MemoryBudget} before they are allocated; at most {@link #maxUploads} uploads are handled at once
 * (more get 503 at once, so blocked uploads never take every thread); a body that stalls for {@link
 * #READ_TIMEOUT} or trickles slower than {@link #MIN_UPLOAD_RATE} bytes/s gets 408; and at most
 * {@link #MAX_CONNECTIONS} connections are open at once.
 */
public final class ServingServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServingServer.class);
  private static final String RESOURCES = "/org/chexnet/serving/";

  /** How long a request waits for its batch before giving up with 503. */
  private static final Duration PREDICTION_TIMEOUT = Duration.ofSeconds(60);

  /** How long a request waits for memory that other requests hold before giving up with 503. */
  static final Duration MEMORY_WAIT = Duration.ofSeconds(2);

  /** A read of the request that gets no data for this long fails: 408. */
  static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

  /** Bytes per second below which an upload fails (408): a trickle would hold its slot. */
  static final long MIN_UPLOAD_RATE = 32 * 1024;

  /** Open connections at most; beyond, new ones wait in the kernel's backlog. */
  static final int MAX_CONNECTIONS = 512;

  /** While at {@link #MAX_CONNECTIONS}, connections idle this long are closed. */
  private static final Duration IDLE_TIMEOUT_AT_LIMIT = Duration.ofSeconds(1);

  /**
   * Uploads handled at once, of Jetty's 250 threads: the rest stay free for the page, {@code
   * /health} and the model info however many uploads stall.
   */
  private static final int MAX_UPLOADS = 64;

  /** Bytes a body takes while read: the buffer it is read into and the copy it ends in. */
  private static final int BODY_COPIES = 2;

  /** {@link ImageDecoder#toGraySquare} holds one float per source pixel besides the image. */
  private static final int GRAY_BYTES_PER_PIXEL = Float.BYTES;

  /**
   * @param host address to listen on
   * @param port 0 for any free port
   * @param maxUploadBytes largest image accepted
   * @param maxBatch most images in one model run
   * @param batchWindow how long a batch waits for more images after its first
   * @param memoryBudgetBytes heap that requests may hold at once for their bodies and decoded
   *     pixels (default {@link #defaultMemoryBudget()}); beyond it requests wait briefly, then get
   *     503, and an image larger than the whole budget gets 413
   */
  public record Options(
      String host,
      int port,
      long maxUploadBytes,
      int maxBatch,
      Duration batchWindow,
      long memoryBudgetBytes) {
    public Options {
      if (maxUploadBytes < 1 || maxUploadBytes > Integer.MAX_VALUE - 65536) {
        throw ChexnetException.invalidInput(
            "max upload bytes must be in [1, "
                + (Integer.MAX_VALUE - 65536)
                + "], got "
                + maxUploadBytes);
      }
      if (port < 0 || port > 65535) {
        throw ChexnetException.invalidInput("port must be in [0, 65535], got " + port);
      }
      if (maxBatch < 1 || batchWindow.isNegative()) {
        throw ChexnetException.invalidInput(
            "max batch must be positive and batch window not negative, got "
                + maxBatch
                + " and "
                + batchWindow.toMillis()
                + " ms");
      }
      if (memoryBudgetBytes < 1 << 20) {
        throw ChexnetException.invalidInput(
            "the memory budget must be at least 1 MiB, got " + memoryBudgetBytes + " bytes");
      }
    }

    /** With the default memory budget. */
    public Options(String host, int port, long maxUploadBytes, int maxBatch, Duration batchWindow) {
      this(host, port, maxUploadBytes, maxBatch, batchWindow, defaultMemoryBudget());
    }

    /**
     * Half the JVM's maximum heap ({@code -Xmx}; by default a quarter of the machine's memory): the
     * other half is for everything else (Jetty's buffers, responses, the batcher's arrays; the
     * model's weights live outside the heap, in TensorFlow's native memory).
     */
    public static long defaultMemoryBudget() {
      return Runtime.getRuntime().maxMemory() / 2;
    }
  }

  private final ModelInfo info;
  private final SavedModelPredictor predictor;
  private final Optional<ProbabilityCalibration> calibration;

  /** Per finding, the operating threshold on the scale of the served probabilities. */
  private final Map<String, Double> servedThresholds;

  /** The model card's Markdown, read once at start; null when the model has none. */
  private final byte[] modelCard;

  private final MicroBatcher batcher;
  private final Preprocessing preprocessing;

  /** Decodes uploads for predictions: at the model's resize, before its crops. */
  private final ImageDecoder decoder;

  /** Decodes uploads for class activation maps: the whole image at the input size. */
  private final ImageDecoder camDecoder;

  private final Options options;
  private final List<String> findings;
  private final Map<String, byte[]> staticFiles = new LinkedHashMap<>();
  private final MemoryBudget memory;
  private final int maxUploads;
  private final Semaphore uploads;
  private final Javalin app;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ServingServer(
      ModelInfo info,
      SavedModelPredictor predictor,
      Preprocessing preprocessing,
      Optional<ProbabilityCalibration> calibration,
      Options options)
      throws IOException {
    if (preprocessing.inputSize() != predictor.imageSize()) {
      throw ChexnetException.invalidInput(
          "the preprocessing gives "
              + preprocessing.inputSize()
              + " pixel inputs, "
              + predictor.source()
              + " takes "
              + predictor.imageSize());
    }
    if (!predictor.hasClassActivationMaps()) {
      throw ChexnetException.invalidInput(
          predictor.source()
              + " gives no feature maps: serving shows class activation maps, export the model"
              + " with chexnet (a run's saved_model/)");
    }
    this.info = info;
    this.predictor = predictor;
    this.calibration = calibration;
    this.options = options;
    this.findings = predictor.classNames();
    this.servedThresholds = servedThresholds(info.thresholds(), findings, calibration);
    this.modelCard = info.modelCardFile() == null ? null : Files.readAllBytes(info.modelCardFile());
    this.preprocessing = preprocessing;
    this.decoder = preprocessing.decoder();
    this.camDecoder = preprocessing.wholeImage().decoder();
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
    this.memory = new MemoryBudget(options.memoryBudgetBytes(), MEMORY_WAIT);
    // Enough in flight to fill two batches, whatever the batch size.
    this.maxUploads = Math.max(MAX_UPLOADS, 2 * options.maxBatch());
    this.uploads = new Semaphore(maxUploads);
    ObjectMapper json = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    long requestLimit = options.maxUploadBytes() + 65536; // room for multipart headers
    this.app =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              config.jsonMapper(new JavalinJackson(json, false));
              config.http.prefer405over404 = true;
              config.jetty.modifyHttpConfiguration(
                  http -> {
                    // While a request is handled, a read of its body that gets nothing this long
                    // fails. (Not Jetty 11's minimum data rate: it counts from the first byte
                    // whether or not the server was reading, so a body read after a wait for
                    // memory would fail; bodyDeadline does that job.)
                    http.setIdleTimeout(READ_TIMEOUT.toMillis());
                    http.setSendServerVersion(false);
                  });
              config.jetty.modifyServer(
                  server -> {
                    ConnectionLimit limit = new ConnectionLimit(MAX_CONNECTIONS, server);
                    limit.setIdleTimeout(IDLE_TIMEOUT_AT_LIMIT.toMillis());
                    server.addBean(limit);
                    server.setErrorHandler(new JsonErrorHandler());
                  });
              config.jetty.modifyServletContextHandler(
                  context -> context.setErrorHandler(new JsonErrorHandler()));
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
   *
   * @throws ChexnetException when the address cannot be listened on (a port in use); the predictor
   *     is closed
   */
  public static ServingServer start(ModelInfo info, SavedModelPredictor predictor, Options options)
      throws IOException {
    return start(info, predictor, predictor.preprocessing(), Optional.empty(), options);
  }

  /**
   * @param preprocessing how uploads become the network's inputs: the model's own ({@link
   *     SavedModelPredictor#preprocessing()}) or an override of the same input size ({@code serve
   *     --tta}); the page and {@code /api/v1/model} show it
   * @param calibration applied to every probability served (and to the thresholds, so that they
   *     stay on the same scale); empty to serve the network's own probabilities
   */
  public static ServingServer start(
      ModelInfo info,
      SavedModelPredictor predictor,
      Preprocessing preprocessing,
      Optional<ProbabilityCalibration> calibration,
      Options options)
      throws IOException {
    ServingServer server = new ServingServer(info, predictor, preprocessing, calibration, options);
    try {
      server.app.start(options.host(), options.port());
    } catch (JavalinBindException e) {
      server.close();
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw ChexnetException.invalidInput(
          "cannot listen on "
              + options.host()
              + ":"
              + options.port()
              + ": "
              + cause.getMessage()
              + " (another server on that port? choose another --port, or --host)");
    }
    return server;
  }

  /**
   * The thresholds mapped by the calibration, to be shown on the scale of the served probabilities.
   * Whether a finding is positive is still decided on the network's own scale, where they were
   * chosen (the same answer for an increasing map, as Platt scaling with a positive slope).
   */
  private static Map<String, Double> servedThresholds(
      Map<String, Double> thresholds,
      List<String> findings,
      Optional<ProbabilityCalibration> calibration) {
    if (calibration.isEmpty()) {
      return thresholds;
    }
    float[] row = new float[findings.size()];
    for (int c = 0; c < row.length; c++) {
      row[c] = thresholds.getOrDefault(findings.get(c), 0.5).floatValue();
    }
    float[] mapped = calibration.get().apply(row);
    Map<String, Double> served = new LinkedHashMap<>();
    for (int c = 0; c < row.length; c++) {
      if (thresholds.containsKey(findings.get(c))) {
        served.put(findings.get(c), (double) mapped[c]);
      }
    }
    return served;
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
    app.get("/model-card", this::modelCard);
    app.post("/api/v1/predict", upload(this::predict));
    app.post("/api/v1/cam", upload(this::cam));

    app.exception(
        ApiException.class,
        (e, ctx) -> {
          // One line, no trace: the request was refused, nothing failed.
          LOG.info("{} {}: {} {}", ctx.method(), ctx.path(), e.status(), e.getMessage());
          e.retryAfter()
              .ifPresent(wait -> ctx.header("Retry-After", Long.toString(wait.toSeconds())));
          error(ctx, e.status(), e.getMessage());
        });
    app.exception(
        HttpResponseException.class,
        (e, ctx) -> {
          String message = e.getMessage();
          if (e.getStatus() == 413) {
            message =
                "the upload is larger than the limit of " + options.maxUploadBytes() + " bytes";
          } else if (e.getStatus() == 405) {
            // Javalin lists them as "[GET, POST]".
            String allowed =
                e.getDetails().getOrDefault("availableMethods", "").replaceAll("[\\[\\] ]", "");
            ctx.header("Allow", allowed);
            message = ctx.method() + " is not allowed on " + ctx.path() + ", only " + allowed;
          }
          error(ctx, e.getStatus(), message);
        });
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

  /** An upload endpoint, run in one of the upload slots or refused at once when all are taken. */
  private Handler upload(Handler endpoint) {
    return ctx -> {
      if (!uploads.tryAcquire()) {
        throw ApiException.busy(
            "the server is busy: " + maxUploads + " uploads are in progress; retry later");
      }
      try {
        endpoint.handle(ctx);
      } finally {
        uploads.release();
      }
    };
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

  /** The card's Markdown as plain text, which every browser shows as it is. */
  private void modelCard(Context ctx) {
    if (modelCard == null) {
      throw new ApiException(
          404,
          "the model has no card (no "
              + ModelInfo.MODEL_CARD_MD
              + " beside its SavedModel; every run writes one)");
    }
    ctx.contentType("text/plain; charset=utf-8")
        .header("Cache-Control", "no-cache")
        .header("X-Content-Type-Options", "nosniff")
        .result(modelCard);
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
    body.put("thresholds", ordered(servedThresholds));
    body.put("threshold_rule", info.thresholdRule());
    body.put("calibration", calibrationJson());
    body.put("model_card", modelCard == null ? null : "model-card");
    body.put("findings", findings);
    body.put("image_size", predictor.imageSize());
    body.put("preprocessing", preprocessing.describe());
    body.put("imported", imported(info.card()));
    body.put("max_upload_bytes", options.maxUploadBytes());
    body.put("memory_budget_bytes", options.memoryBudgetBytes());
    body.put(
        "batching",
        Map.of("max_batch", batcher.maxBatch(), "window_ms", batcher.window().toNanos() / 1e6));
    return body;
  }

  /** Where an imported model came from and what its project published; null for ours. */
  private static Map<String, Object> imported(ModelCard card) {
    if (card == null) {
      return null;
    }
    Map<String, Object> source = new LinkedHashMap<>();
    source.put("project", card.source().project());
    source.put("file", card.source().file());
    source.put("sha256", card.source().sha256());
    source.put("bytes", card.source().bytes());
    source.put("format", card.source().format());
    source.put("container", card.source().container());
    source.put("imported_at", card.importedAt());
    List<Map<String, Object>> published = new ArrayList<>();
    for (ModelCard.PublishedAuroc auroc : card.published()) {
      published.add(
          mapOf(
              "model", auroc.model(),
              "mean", auroc.mean(),
              "per_class", auroc.perClass(),
              "citation", auroc.citation(),
              "note", auroc.note()));
    }
    source.put("published_auroc", published);
    return source;
  }

  private void predict(Context ctx) {
    byte[] gray = grayUpload(ctx, decoder);
    // One request per network input (ten for a ten-crop model), batched with others' requests.
    float[] inputs = preprocessing.inputs(gray);
    int values = predictor.imageValues();
    List<CompletableFuture<MicroBatcher.Prediction>> crops = new ArrayList<>();
    for (int i = 0; i < preprocessing.inputsPerImage(); i++) {
      crops.add(batcher.submit(Arrays.copyOfRange(inputs, i * values, (i + 1) * values)));
    }
    float[] cropProbabilities = new float[crops.size() * findings.size()];
    int batchSize = 0;
    for (int i = 0; i < crops.size(); i++) {
      MicroBatcher.Prediction crop = await(crops.get(i));
      System.arraycopy(
          crop.probabilities(), 0, cropProbabilities, i * findings.size(), findings.size());
      batchSize = Math.max(batchSize, crop.batchSize());
    }
    float[] predicted = preprocessing.combine(cropProbabilities, findings.size());
    float[] served = served(predicted);
    Map<String, Object> body = new LinkedHashMap<>();
    Map<String, Double> probabilities = new LinkedHashMap<>();
    List<String> positive = new ArrayList<>();
    for (int c = 0; c < findings.size(); c++) {
      String finding = findings.get(c);
      probabilities.put(finding, (double) served[c]);
      // Decided on the network's own scale, where the thresholds were chosen.
      Double threshold = info.thresholds().get(finding);
      if (threshold != null && predicted[c] >= threshold) {
        positive.add(finding);
      }
    }
    body.put("probabilities", probabilities);
    body.put("thresholds", ordered(servedThresholds));
    body.put("positive", positive);
    body.put("calibration", calibrationJson());
    body.put(
        "model", mapOf("name", info.name(), "version", info.version(), "run_id", info.runId()));
    body.put("batch_size", batchSize);
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
    byte[] gray = grayUpload(ctx, camDecoder);
    MicroBatcher.Prediction prediction =
        await(batcher.submit(preprocessing.wholeImage().inputs(gray)));
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
        .header(
            "X-Chexnet-Probability", Float.toString(served(prediction.probabilities())[classIndex]))
        .result(png.toByteArray());
  }

  /**
   * The request's image (raw body, or the multipart part 'image' or the only file) as gray at the
   * size of {@code decoder}. The body and then the decoded pixels are reserved against the memory
   * budget before they are allocated.
   */
  private byte[] grayUpload(Context ctx, ImageDecoder decoder) {
    long announced = announcedLength(ctx);
    String contentType = Optional.ofNullable(ctx.contentType()).orElse("");
    boolean multipart =
        contentType.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data");
    long bodyBytes = announced >= 0 ? announced : options.maxUploadBytes();
    try (MemoryBudget.Reservation body = memory.reserve(BODY_COPIES * bodyBytes, "the upload")) {
      bodyDeadline(ctx, bodyBytes);
      byte[] bytes = multipart ? multipartImage(ctx) : boundedBody(ctx);
      if (bytes.length > options.maxUploadBytes()) {
        throw tooLarge();
      }
      try (UploadedImages.Header image = UploadedImages.open(bytes);
          MemoryBudget.Reservation pixels =
              memory.reserve(
                  image.decodedBytes()
                      + (long) image.width() * image.height() * GRAY_BYTES_PER_PIXEL,
                  "decoding " + image.describe())) {
        return decoder.toGraySquare(image.decode());
      }
    }
  }

  /**
   * From now, the body must arrive within {@link #READ_TIMEOUT} plus its length at {@link
   * #MIN_UPLOAD_RATE}: a client trickling a byte now and then never trips the idle timeout. Checked
   * as each piece of the body arrives; past the deadline the read fails, and the request gets 408.
   */
  private static void bodyDeadline(Context ctx, long bodyBytes) {
    Request request = Request.getBaseRequest(ctx.req());
    if (request == null) {
      return;
    }
    long deadline =
        System.nanoTime()
            + READ_TIMEOUT.toNanos()
            + TimeUnit.SECONDS.toNanos(1) * bodyBytes / MIN_UPLOAD_RATE;
    request
        .getHttpInput()
        .addInterceptor(
            content -> {
              if (!content.isSpecial() && System.nanoTime() - deadline > 0) {
                throw new BadMessageException(408, "upload slower than the minimum rate");
              }
              return content;
            });
  }

  /** Content-Length, or -1 without one (chunked). */
  private long announcedLength(Context ctx) {
    String length = ctx.header("Content-Length");
    if (length == null) {
      return -1;
    }
    long announced;
    try {
      announced = Long.parseLong(length.strip());
    } catch (NumberFormatException e) {
      throw new ApiException(400, "Content-Length is not a number");
    }
    if (announced > options.maxUploadBytes() + 65536) {
      throw tooLarge();
    }
    return announced;
  }

  /**
   * The body, reading at most one byte past the limit: a chunked upload has no Content-Length to
   * refuse it by up front (and Javalin's bodyAsBytes would read it all).
   */
  private byte[] boundedBody(Context ctx) {
    try (InputStream in = ctx.req().getInputStream()) {
      return in.readNBytes((int) options.maxUploadBytes() + 1);
    } catch (IOException | RuntimeException e) {
      throw readFailure(e, "cannot read the request body");
    }
  }

  private byte[] multipartImage(Context ctx) {
    List<UploadedFile> files;
    try {
      UploadedFile named = ctx.uploadedFile("image");
      files = named != null ? List.of(named) : ctx.uploadedFiles();
    } catch (Exception e) { // Javalin rethrows Jetty's checked exceptions unchecked
      if (String.valueOf(e.getMessage()).contains("exceeds")
          || e.getCause() instanceof IllegalStateException) {
        throw tooLarge();
      }
      throw readFailure(
          e,
          "malformed multipart body: expected parts between the lines of the boundary that"
              + " Content-Type names");
    }
    if (files.size() != 1) {
      throw new ApiException(
          400, "a multipart upload needs one file (field 'image'), got " + files.size() + " files");
    }
    try (InputStream in = files.get(0).content()) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw readFailure(e, "cannot read the uploaded file");
    }
  }

  /**
   * 408 when the body stalled or trickled (Jetty's idle timeout or {@link #bodyDeadline}), else 400
   * with {@code problem} and Jetty's reason when it is a plain sentence: never a class name.
   */
  private static ApiException readFailure(Throwable failure, String problem) {
    String reason = null;
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof TimeoutException
          || t instanceof InterruptedIOException
          || t instanceof BadMessageException bad && bad.getCode() == 408) {
        return new ApiException(
            408,
            "the upload stalled: the body must arrive at "
                + MIN_UPLOAD_RATE / 1024
                + " KiB/s or more, without a pause of "
                + READ_TIMEOUT.toSeconds()
                + " s");
      }
      String message = t.getMessage();
      if (reason == null && message != null && message.matches("[A-Za-z][\\w ,'-]*")) {
        reason = message;
      }
    }
    return new ApiException(400, reason == null ? problem : problem + " (" + reason + ")");
  }

  private ApiException tooLarge() {
    return new ApiException(
        413, "the upload is larger than the limit of " + options.maxUploadBytes() + " bytes");
  }

  private static MicroBatcher.Prediction await(CompletableFuture<MicroBatcher.Prediction> result) {
    try {
      return result.get(PREDICTION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "interrupted while waiting for the model");
    } catch (TimeoutException e) {
      throw ApiException.busy("the model did not answer within " + PREDICTION_TIMEOUT);
    } catch (ExecutionException | CompletionException e) {
      if (e.getCause() instanceof MicroBatcher.OverloadedException overloaded) {
        throw ApiException.busy(overloaded.getMessage());
      }
      throw new IllegalStateException("model run failed", e.getCause());
    }
  }

  /** The probabilities as served: calibrated when the server was started with a calibration. */
  private float[] served(float[] probabilities) {
    return calibration.map(c -> c.apply(probabilities)).orElse(probabilities);
  }

  /** {@code {"method": ..., "description": ...}}, or null when probabilities are the network's. */
  private Map<String, Object> calibrationJson() {
    return calibration
        .map(c -> mapOf("method", c.method(), "description", c.description()))
        .orElse(null);
  }

  private static void error(Context ctx, int status, String message) {
    ctx.status(status)
        .contentType(JsonErrorHandler.CONTENT_TYPE)
        .result(JsonErrorHandler.body(status, message));
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
