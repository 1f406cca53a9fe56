package org.chexnet.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MultiSourceTest {
  @TempDir Path dir;

  @Test
  void labelsASourceLacksAreMaskedAndPatientsAndImagesCannotCollide() throws IOException {
    SyntheticChestXray14.write(dir.resolve("nih"), 40, 32, 1);
    CheXpertTest.write(
        java.nio.file.Files.createDirectories(dir.resolve("chexpert")).resolve("train.csv"),
        CheXpertTest.TRAIN);
    Dataset nih = ChestXray14.open(dir.resolve("nih"));
    Dataset chexpert = new CheXpert().open(dir.resolve("chexpert"));
    SplitPlan plan = new SplitPlan.PatientRandom(1, 0, 0);
    DataSplits nihSplits = nih.split(plan, 1, LabelPolicy.DEFAULT, Set.of());
    DataSplits chexpertSplits = chexpert.split(plan, 1, LabelPolicy.DEFAULT, Set.of());
    List<String> findings = MultiSource.findings(List.of(nih, chexpert));
    assertEquals(14 + 7, findings.size(), "NIH's 14 and CheXpert's 7 it lacks");
    assertEquals("Atelectasis", findings.get(0));

    DataSplits joined =
        MultiSource.assemble(
            List.of(
                new MultiSource.Source(nih, nihSplits),
                new MultiSource.Source(chexpert, chexpertSplits)),
            findings);
    assertEquals(nihSplits.train().size() + chexpertSplits.train().size(), joined.train().size());
    LabeledImage fromNih = joined.train().get(0);
    LabeledImage nihImage = nihSplits.train().get(0);
    assertEquals("chestxray14:" + nihImage.imageIndex(), fromNih.imageIndex());
    assertEquals(
        dir.resolve("nih/images/" + nihImage.imageIndex()),
        MultiSource.imagePath(List.of(nih, chexpert), fromNih.imageIndex()));
    for (int f = 0; f < findings.size(); f++) {
      String nihName = HarmonisedFindings.nameIn(ChestXray14.NAME, findings.get(f));
      if (nihName == null) {
        assertEquals(0f, fromNih.mask()[f], findings.get(f));
      } else {
        assertEquals(1f, fromNih.mask()[f], findings.get(f));
        assertEquals(
            nihImage.labels()[Finding.fromLabel(nihName).ordinal()],
            fromNih.labels()[f],
            findings.get(f));
      }
    }

    // CheXpert row 2 (patient00002): uncertain Cardiomegaly masked by U-Ignore, Lung Opacity and
    // Fracture positive; NIH-only findings masked.
    LabeledImage fromChexpert =
        joined.train().stream()
            .filter(
                i -> i.imageIndex().equals("chexpert:train/patient00002/study2/view1_frontal.jpg"))
            .findFirst()
            .orElseThrow();
    int cardiomegaly = findings.indexOf("Cardiomegaly");
    int opacity = findings.indexOf("Lung Opacity");
    int mass = findings.indexOf("Mass");
    assertEquals(0f, fromChexpert.mask()[cardiomegaly]);
    assertEquals(1f, fromChexpert.labels()[opacity]);
    assertEquals(1f, fromChexpert.mask()[opacity]);
    assertEquals(0f, fromChexpert.mask()[mass]);

    long patients = joined.train().stream().mapToInt(LabeledImage::patientId).distinct().count();
    long expected =
        nihSplits.train().stream().mapToInt(LabeledImage::patientId).distinct().count()
            + chexpertSplits.train().stream().mapToInt(LabeledImage::patientId).distinct().count();
    assertEquals(expected, patients, "NIH patient 1 and CheXpert patient00001 stay two patients");
  }

  @Test
  void aSourceWithEveryFindingKnownHasNoMask() throws IOException {
    SyntheticChestXray14.write(dir.resolve("nih"), 20, 32, 2);
    Dataset nih = ChestXray14.open(dir.resolve("nih"));
    DataSplits splits =
        nih.split(new SplitPlan.PatientRandom(1, 0, 0), 1, LabelPolicy.DEFAULT, Set.of());
    DataSplits joined =
        MultiSource.assemble(List.of(new MultiSource.Source(nih, splits)), Finding.labels());
    assertNull(joined.train().get(0).mask());
    assertArrayEquals(splits.train().get(0).labels(), joined.train().get(0).labels());
    assertTrue(joined.train().get(0).imageIndex().startsWith("chestxray14:"));
  }
}
