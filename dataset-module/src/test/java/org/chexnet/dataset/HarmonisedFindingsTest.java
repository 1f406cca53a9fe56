package org.chexnet.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HarmonisedFindingsTest {
  /** torchxrayvision's datasets.default_pathologies, copied from its source. */
  static final List<String> TORCHXRAYVISION_DEFAULT_PATHOLOGIES =
      List.of(
          "Atelectasis",
          "Consolidation",
          "Infiltration",
          "Pneumothorax",
          "Edema",
          "Emphysema",
          "Fibrosis",
          "Effusion",
          "Pneumonia",
          "Pleural_Thickening",
          "Cardiomegaly",
          "Nodule",
          "Mass",
          "Hernia",
          "Lung Lesion",
          "Fracture",
          "Lung Opacity",
          "Enlarged Cardiomediastinum");

  @Test
  void theFirstRowsAreTorchxrayvisionsDefaultPathologies() {
    assertEquals(
        TORCHXRAYVISION_DEFAULT_PATHOLOGIES,
        HarmonisedFindings.TABLE.subList(0, 18).stream()
            .map(HarmonisedFindings.Row::finding)
            .toList());
  }

  @Test
  void everyFindingOfEveryDatasetIsInExactlyOneRow() {
    Set<String> rowNames = new HashSet<>();
    HarmonisedFindings.TABLE.forEach(row -> assertTrue(rowNames.add(row.finding()), row.finding()));
    for (DatasetFormat format : Datasets.all()) {
      for (String finding : format.findings()) {
        List<HarmonisedFindings.Row> rows =
            HarmonisedFindings.TABLE.stream()
                .filter(row -> finding.equals(row.names().get(format.name())))
                .toList();
        assertEquals(1, rows.size(), format.name() + " " + finding);
      }
      Set<String> named = new HashSet<>();
      HarmonisedFindings.TABLE.forEach(
          row -> {
            String name = row.names().get(format.name());
            if (name != null) {
              named.add(name);
            }
          });
      assertEquals(
          Set.copyOf(format.findings()),
          named,
          format.name() + ": no row names a finding it lacks");
    }
  }

  @Test
  void torchxrayvisionsRelabellingHolds() {
    // CheXpert's and MIMIC's Pleural Effusion become Effusion; their other default names stay.
    assertEquals("Effusion", HarmonisedFindings.harmonised(CheXpert.NAME, "Pleural Effusion"));
    assertEquals("Effusion", HarmonisedFindings.harmonised(MimicCxrJpg.NAME, "Pleural Effusion"));
    assertEquals("Effusion", HarmonisedFindings.harmonised(ChestXray14.NAME, "Effusion"));
    assertEquals("Effusion", HarmonisedFindings.harmonised(PadChest.NAME, "Effusion"));
    for (String name :
        List.of(
            "Atelectasis",
            "Cardiomegaly",
            "Consolidation",
            "Edema",
            "Pneumonia",
            "Pneumothorax",
            "Lung Opacity",
            "Lung Lesion",
            "Fracture",
            "Enlarged Cardiomediastinum")) {
      assertEquals(name, HarmonisedFindings.harmonised(CheXpert.NAME, name));
      assertEquals(name, HarmonisedFindings.harmonised(MimicCxrJpg.NAME, name));
    }
    // PadChest findings keep torchxrayvision's PC_Dataset names.
    for (String name : PadChest.FINDINGS) {
      String row = HarmonisedFindings.harmonised(PadChest.NAME, name);
      assertTrue(row.equals(name) || row.equals(name + " (PadChest)"), name + " -> " + row);
    }
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> HarmonisedFindings.harmonised(CheXpert.NAME, "Effusion"));
    assertTrue(e.getMessage().contains("not in the harmonised table"), e.getMessage());
  }

  @Test
  void nihAgainstCheXpertSharesSevenFindingsAndSaysWhyTheRestAreSkipped() {
    HarmonisedFindings.Comparison comparison =
        HarmonisedFindings.compare(
            ChestXray14.NAME, Finding.labels(), CheXpert.NAME, CheXpert.FINDINGS);
    assertEquals(
        List.of(
            "Atelectasis",
            "Cardiomegaly",
            "Effusion",
            "Pneumonia",
            "Pneumothorax",
            "Consolidation",
            "Edema"),
        comparison.shared().stream().map(HarmonisedFindings.Shared::finding).toList());
    HarmonisedFindings.Shared effusion = comparison.shared().get(2);
    assertEquals("Effusion", effusion.nameA());
    assertEquals(Finding.EFFUSION.ordinal(), effusion.indexA());
    assertEquals("Pleural Effusion", effusion.nameB());
    assertEquals(CheXpert.FINDINGS.indexOf("Pleural Effusion"), effusion.indexB());

    List<String> skipped =
        comparison.skipped().stream().map(s -> s.dataset() + ":" + s.finding()).toList();
    assertEquals(
        List.of(
            "chestxray14:Infiltration",
            "chestxray14:Mass",
            "chestxray14:Nodule",
            "chestxray14:Emphysema",
            "chestxray14:Fibrosis",
            "chestxray14:Pleural_Thickening",
            "chestxray14:Hernia",
            "chexpert:No Finding",
            "chexpert:Enlarged Cardiomediastinum",
            "chexpert:Lung Opacity",
            "chexpert:Lung Lesion",
            "chexpert:Pleural Other",
            "chexpert:Fracture",
            "chexpert:Support Devices"),
        skipped);
    String infiltration = comparison.skipped().get(0).reason();
    assertTrue(
        infiltration.startsWith("chexpert has no finding that means Infiltration"), infiltration);
    assertTrue(infiltration.contains("Lung Opacity is broader"), infiltration);
  }

  @Test
  void aFindingTheOtherHasButDidNotCompareIsSaidSo() {
    HarmonisedFindings.Comparison comparison =
        HarmonisedFindings.compare(
            CheXpert.NAME,
            List.of("Edema", "Pleural Effusion"),
            MimicCxrJpg.NAME,
            List.of("Edema"));
    assertEquals(1, comparison.shared().size());
    assertEquals(
        new HarmonisedFindings.Skipped(
            CheXpert.NAME,
            "Pleural Effusion",
            "mimic_cxr_jpg's Pleural Effusion is not among the findings compared"),
        comparison.skipped().get(0));
  }

  @Test
  void theUnionOfSourcesIsInTableOrder() {
    assertEquals(
        List.of("Atelectasis", "Effusion", "Lung Opacity", "Tube"),
        HarmonisedFindings.union(
            List.of(CheXpert.NAME, PadChest.NAME),
            List.of(
                List.of("Pleural Effusion", "Lung Opacity", "Atelectasis"),
                List.of("Tube", "Effusion"))));
  }
}
