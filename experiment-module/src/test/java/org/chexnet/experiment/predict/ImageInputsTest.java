package org.chexnet.experiment.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.chexnet.common.ChexnetException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageInputsTest {
  @TempDir Path dir;

  private Path touch(String relative) throws Exception {
    Path file = dir.resolve(relative);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, "");
  }

  @Test
  void aDirectoryGivesEveryImageBelowItSortedByPath() throws Exception {
    touch("images/b/00000002_000.png");
    touch("images/a/00000009_000.PNG");
    touch("images/a/notes.txt");
    touch("images/c.jpg");
    ImageInputs inputs = ImageInputs.of(dir.resolve("images"), null);
    assertEquals(List.of("00000009_000.PNG", "00000002_000.png", "c.jpg"), inputs.names());
    assertEquals(dir.resolve("images/a/00000009_000.PNG"), inputs.files().get(0));
  }

  @Test
  void aListsFirstFieldIsThePathAndAHeaderIsSkipped() throws Exception {
    touch("data/images/x.png");
    touch("data/images/y.png");
    Path list =
        Files.writeString(
            dir.resolve("data/preds.csv"),
            "Image Index,prob_Atelectasis\nimages/y.png,0.1\n\nimages/x.png,0.2\n");
    ImageInputs inputs = ImageInputs.of(list, null);
    assertEquals(List.of("y.png", "x.png"), inputs.names());
  }

  @Test
  void repeatedFileNamesAreKnownByTheirPathsAsCheXpertsAre() throws Exception {
    touch("CheXpert-v1.0-small/valid/patient00001/study1/view1_frontal.jpg");
    touch("CheXpert-v1.0-small/valid/patient00002/study1/view1_frontal.jpg");
    assertEquals(
        List.of("patient00001/study1/view1_frontal.jpg", "patient00002/study1/view1_frontal.jpg"),
        ImageInputs.of(dir.resolve("CheXpert-v1.0-small/valid"), null).names());
    Path list =
        Files.writeString(
            dir.resolve("CheXpert-v1.0-small/list.txt"),
            "valid/patient00002/study1/view1_frontal.jpg\n"
                + "valid/patient00001/study1/view1_frontal.jpg\n");
    assertEquals(
        List.of(
            "valid/patient00002/study1/view1_frontal.jpg",
            "valid/patient00001/study1/view1_frontal.jpg"),
        ImageInputs.of(list, null).names());
  }

  @Test
  void repeatedImagesAndEmptySourcesAreRefused() throws Exception {
    touch("images/a.png");
    Path list = Files.writeString(dir.resolve("list.txt"), "images/a.png\nimages/a.png\n");
    ChexnetException e = assertThrows(ChexnetException.class, () -> ImageInputs.of(list, null));
    assertEquals(
        list
            + ":2: image images/a.png already used by "
            + list
            + ":1; predictions are keyed by file name, or by path where file names repeat",
        e.getMessage());
    Files.createDirectories(dir.resolve("empty"));
    assertEquals(
        dir.resolve("empty") + ": no .png or .jpg images in this directory",
        assertThrows(ChexnetException.class, () -> ImageInputs.of(dir.resolve("empty"), null))
            .getMessage());
  }
}
