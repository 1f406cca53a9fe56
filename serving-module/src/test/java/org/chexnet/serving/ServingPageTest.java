package org.chexnet.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.chexnet.common.FileTrees;
import org.chexnet.dataset.Finding;
import org.chexnet.model.ModelCard;
import org.chexnet.model.ModelInfo;
import org.chexnet.model.Preprocessing;
import org.chexnet.model.ProbabilityCalibration;
import org.chexnet.model.SavedModelPredictor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page in headless Chromium (Debian's chromium and chromium-driver): a server with a
 * calibration and a model card; upload a real X-ray, see 14 sorted bars of calibrated probabilities
 * labelled as such, click one, see its class activation map, follow the link to the model card. An
 * imported model's header says where it came from and what its project published. Saves
 * target/serving-page.png. Fails without Chromium, naming what to install.
 */
class ServingPageTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path SCREENSHOT = Path.of("target", "serving-page.png");

  @TempDir Path dir;

  @Test
  void uploadAnXraySeeFourteenSortedCalibratedBarsTheCamOfAClickedFindingAndTheModelCard()
      throws Exception {
    requireChromium();
    TinyServedModel model = TinyServedModel.export(dir.resolve("artifacts"));
    Files.writeString(
        model.artifacts.resolve(ModelInfo.MODEL_CARD_MD), "# Model card: artifacts\n");
    ModelInfo served =
        ModelInfo.read("artifacts", null, null, model.artifacts.toString(), model.artifacts);
    Path upload = dir.resolve("00000282_000.png");
    Files.write(upload, TinyServedModel.xrayPng());

    SavedModelPredictor predictor =
        SavedModelPredictor.load(model.artifacts.resolve("saved_model"), Finding.labels());
    try (ServingServer server =
        ServingServer.start(
            served,
            predictor,
            predictor.preprocessing(),
            Optional.of(HALVED),
            new ServingServer.Options("127.0.0.1", 0, 1 << 22, 8, Duration.ofMillis(5)))) {
      ChromeDriver browser = browser();
      try {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
        browser.get("http://127.0.0.1:" + server.port() + "/");
        wait.until(d -> d.findElement(By.id("model-info")).getText().contains("0.813"));
        String info = browser.findElement(By.id("model-info")).getText();
        assertTrue(info.contains("artifacts"), info);
        WebElement label = browser.findElement(By.id("calibration-label"));
        assertTrue(label.isDisplayed(), "the page says which probabilities it shows");
        assertEquals(
            "Calibrated probabilities: halved, for the test; thresholds on the same scale.",
            label.getText());

        browser.findElement(By.id("file")).sendKeys(upload.toAbsolutePath().toString());
        wait.until(d -> d.findElements(By.cssSelector("#bars .bar")).size() == 14);
        assertTrue(loaded(browser, "preview"), "the uploaded X-ray is shown");
        List<WebElement> bars = browser.findElements(By.cssSelector("#bars .bar"));
        List<Double> shown = new ArrayList<>();
        for (WebElement bar : bars) {
          shown.add(Double.parseDouble(bar.findElement(By.className("value")).getText()));
        }
        List<Double> sorted = new ArrayList<>(shown);
        sorted.sort((a, b) -> Double.compare(b, a));
        assertEquals(sorted, shown, "bars sorted by probability");
        float effusionProbability = model.expectedProbabilities[Finding.EFFUSION.ordinal()];
        assertEquals(
            effusionProbability / 2,
            Double.parseDouble(
                browser
                    .findElement(By.cssSelector("#bars .bar[data-finding=Effusion] .value"))
                    .getText()),
            0.0006,
            "the calibrated probability is shown");
        assertEquals(
            13,
            browser.findElements(By.cssSelector("#bars .bar .threshold")).size(),
            "a threshold tick for every finding with an operating point (not Hernia)");

        WebElement effusion =
            browser.findElement(By.cssSelector("#bars .bar[data-finding=Effusion]"));
        effusion.click();
        wait.until(
            d ->
                "Effusion".equals(d.findElement(By.id("cam")).getAttribute("data-finding"))
                    && loaded(browser, "cam"));
        assertTrue(browser.findElement(By.id("cam")).isDisplayed());
        assertTrue(browser.findElement(By.id("cam-caption")).getText().contains("Effusion"));
        assertEquals("", browser.findElement(By.id("status")).getText());

        Files.createDirectories(SCREENSHOT.getParent());
        File png = browser.getScreenshotAs(OutputType.FILE);
        Files.copy(png.toPath(), SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);

        // A file that is not an image: the server's error is shown, the page stays usable.
        Path notAnImage = dir.resolve("notes.png");
        Files.writeString(notAnImage, "not an X-ray");
        browser.findElement(By.id("file")).sendKeys(notAnImage.toAbsolutePath().toString());
        wait.until(d -> d.findElement(By.id("status")).getText().contains("not an image"));
        assertEquals("error", browser.findElement(By.id("status")).getAttribute("class"));

        // The footer links the model card, which opens as text.
        WebElement card = browser.findElement(By.id("model-card-link"));
        assertTrue(card.isDisplayed(), "a model with a card links it");
        card.click();
        wait.until(d -> d.getCurrentUrl().endsWith("/model-card"));
        assertEquals(
            "# Model card: artifacts", browser.findElement(By.tagName("body")).getText().strip());
      } finally {
        browser.quit();
      }
    }
  }

  @Test
  void anImportedModelsHeaderSaysWhereItCameFromAndWhatItsProjectPublished() throws Exception {
    requireChromium();
    TinyServedModel model = TinyServedModel.export(dir.resolve("artifacts"));
    Path directory = dir.resolve("imported");
    FileTrees.copy(model.artifacts.resolve("saved_model"), directory);
    ModelCard.PublishedAuroc published =
        new ModelCard.PublishedAuroc(
            "arnoweng/CheXNet, \"Our Implemented CheXNet\"",
            "https://github.com/arnoweng/CheXNet#comparsion",
            Map.of(),
            0.8434,
            null);
    ModelCard card =
        new ModelCard(
            "arnoweng/CheXNet model.pth.tar",
            new ModelCard.Source(
                "model.pth.tar",
                "0123456789abcdef".repeat(4),
                28_000_000,
                "arnoweng",
                "arnoweng/CheXNet",
                "PyTorch legacy",
                List.of()),
            new ModelCard.Architecture(
                "DenseNet", List.of(1, 1), 4, 8, 4, 0.5, 1e-5, TinyServedModel.SIZE, "Linear"),
            Finding.labels(),
            Preprocessing.resize(TinyServedModel.SIZE),
            List.of(published),
            "2024-01-01T00:00:00Z");
    for (Map.Entry<String, byte[]> file : card.files().entrySet()) {
      Files.write(directory.resolve(file.getKey()), file.getValue());
    }
    // Served as `serve --tta tencrop` would: the page says which preprocessing uploads get.
    Preprocessing tenCrops = card.preprocessing().tenCrops();

    try (ServingServer server =
        ServingServer.start(
            ModelInfo.imported(card, directory.toString(), directory),
            SavedModelPredictor.load(directory, card),
            tenCrops,
            Optional.empty(),
            new ServingServer.Options("127.0.0.1", 0, 1 << 22, 8, Duration.ofMillis(5)))) {
      ChromeDriver browser = browser();
      try {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
        browser.get("http://127.0.0.1:" + server.port() + "/");
        wait.until(d -> d.findElement(By.id("model-info")).getText().contains("imported from"));
        WebElement header = browser.findElement(By.id("model-info"));
        String info = header.getText();
        assertTrue(info.startsWith("Model " + card.name()), info);
        assertTrue(info.contains("imported from arnoweng/CheXNet"), info);
        assertTrue(info.contains("file model.pth.tar"), info);
        assertTrue(info.contains("SHA-256 0123456789ab"), info);
        assertTrue(
            info.contains(
                "published AUROC "
                    + String.format(Locale.ROOT, "%.3f", published.mean())
                    + " ("
                    + published.model()
                    + ")"),
            info);
        assertFalse(info.contains("test AUROC"), "no test AUROC of ours: " + info);
        assertEquals(
            published.citation(),
            header.findElement(By.tagName("a")).getAttribute("href"),
            "the published AUROC links its source");
        assertEquals("Preprocessing: " + tenCrops.describe(), header.getAttribute("title"));
      } finally {
        browser.quit();
      }
    }
  }

  private static void requireChromium() {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      fail(
          "no "
              + CHROMIUM
              + " / "
              + CHROMEDRIVER
              + " (tools/test-prerequisites.sh installs them: apt-get install chromium"
              + " chromium-driver)");
    }
  }

  private static ChromeDriver browser() {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1000");
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    return new ChromeDriver(service, options);
  }

  /** Halves every probability: increasing, and visible on the bars. */
  private static final ProbabilityCalibration HALVED =
      new TestCalibration("halved, for the test", p -> p / 2);

  private static boolean loaded(ChromeDriver browser, String imageId) {
    Object ready =
        ((JavascriptExecutor) browser)
            .executeScript(
                "const i = document.getElementById(arguments[0]);"
                    + " return i.complete && i.naturalWidth > 0;",
                imageId);
    return Boolean.TRUE.equals(ready);
  }
}
