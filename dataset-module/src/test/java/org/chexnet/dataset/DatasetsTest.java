package org.chexnet.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.chexnet.common.FileTrees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {
  @TempDir Path dir;

  @Test
  void theRegistryNamesTheFourFormatsAndRejectsOthers() {
    assertEquals(List.of("chestxray14", "chexpert", "mimic_cxr_jpg", "padchest"), Datasets.names());
    assertEquals("chestxray14", Datasets.DEFAULT);
    assertInstanceOf(CheXpert.class, Datasets.named("chexpert"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Datasets.named("nih"));
    assertEquals(
        "unknown dataset 'nih', expected one of chestxray14, chexpert, mimic_cxr_jpg, padchest",
        e.getMessage());
  }

  @Test
  void chestXray14ThroughTheInterfaceSplitsAsBefore() throws IOException {
    SyntheticChestXray14.write(dir.resolve("nih"), 60, 32, 4);
    ChestXray14 nih = ChestXray14.open(dir.resolve("nih"));
    Dataset data = Datasets.open(ChestXray14.NAME, dir.resolve("nih"));
    assertEquals(Finding.labels(), data.findings());
    assertEquals(
        nih.split(new SplitPlan.Official(0.2), 3),
        data.split(new SplitPlan.Official(0.2), 3, LabelPolicy.DEFAULT, Set.of()));
    DataSplits pa =
        data.split(new SplitPlan.Official(0.2), 3, LabelPolicy.DEFAULT, Set.of(View.PA));
    assertEquals(
        nih.filterViewPositions(nih.split(new SplitPlan.Official(0.2), 3), Set.of("PA")), pa);

    List<ImageRecord> images = data.images();
    assertEquals(60, images.size());
    ImageRecord first = images.get(0);
    DataEntry entry = nih.entries().get(0);
    assertEquals(entry.imageIndex(), first.image());
    assertEquals(entry.patientId(), first.patientId());
    assertEquals(entry.viewPosition(), first.view().name());
    assertEquals(entry.age(), first.age());
    for (int f = 0; f < Finding.COUNT; f++) {
      assertEquals(
          entry.labels()[f] != 0f ? LabelState.POSITIVE : LabelState.NEGATIVE, first.state(f));
    }
    long test = images.stream().filter(i -> i.split() == Split.TEST).count();
    assertEquals(nih.split(new SplitPlan.Official(0.2), 3).test().size(), test);
  }

  @Test
  void chestXray14MetadataNeedsNoImagesButOpeningDoes() throws IOException {
    SyntheticChestXray14.write(dir.resolve("nih"), 20, 32, 4);
    FileTrees.delete(dir.resolve("nih/images"));
    assertEquals(20, ChestXray14.FORMAT.readMetadata(dir.resolve("nih")).images().size());
    NoSuchFileException e =
        assertThrows(NoSuchFileException.class, () -> ChestXray14.FORMAT.open(dir.resolve("nih")));
    assertTrue(e.getMessage().contains("images directory"), e.getMessage());
  }

  @Test
  void theListSplitPlanIsChestXray14s() throws IOException {
    SyntheticCheXpert.write(dir.resolve("chexpert"), 50, 10, 0, false, 1);
    Dataset data = Datasets.open(CheXpert.NAME, dir.resolve("chexpert"));
    Path list = dir.resolve("list.txt");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                data.split(
                    new SplitPlan.Lists(list, list, list, SplitPlan.LabelSource.DATA_ENTRY),
                    1,
                    LabelPolicy.DEFAULT,
                    Set.of()));
    assertTrue(e.getMessage().contains("official or patient_random"), e.getMessage());
  }

  @Test
  void padChestHasNoOfficialSplitButAPatientRandomOne() throws IOException {
    SyntheticPadChest.write(dir.resolve("padchest"), 500, 0, true, 2);
    Dataset data = Datasets.open(PadChest.NAME, dir.resolve("padchest"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> data.split(new SplitPlan.Official(0.1), 1, LabelPolicy.DEFAULT, Set.of()));
    assertEquals(
        "the padchest dataset has no official split here; split it with patient_random",
        e.getMessage());
    DataSplits splits =
        data.split(new SplitPlan.PatientRandom(0.8, 0.1, 0.1), 1, LabelPolicy.DEFAULT, Set.of());
    assertEquals(
        data.images().size(),
        splits.train().size() + splits.validation().size() + splits.test().size());
    assertEquals(PadChest.FINDINGS.size(), splits.classes());
  }
}
