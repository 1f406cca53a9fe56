package org.chexnet.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetDigestTest {

  @TempDir Path dir;
  ChestXray14 data;
  List<String> named;

  @BeforeEach
  void writeSynthetic() throws IOException {
    SyntheticChestXray14.write(dir, 30, 32, 9);
    data = ChestXray14.open(dir);
    named = data.entries().stream().map(DataEntry::imageIndex).limit(20).toList();
  }

  @Test
  void stableForTheSameDataInAnyOrder() throws IOException {
    String digest = DatasetDigest.of(data, named);
    assertTrue(digest.matches("sha256:[0-9a-f]{64}"), digest);
    List<String> reversed = new ArrayList<>(named);
    Collections.reverse(reversed);
    assertEquals(digest, DatasetDigest.of(data, reversed));
    assertEquals(digest, DatasetDigest.of(ChestXray14.open(dir), named));
  }

  @Test
  void changesWhenOneByteOfANamedImageChanges() throws IOException {
    String before = DatasetDigest.of(data, named);
    Path image = data.imagePath(named.get(5));
    byte[] bytes = Files.readAllBytes(image);
    bytes[bytes.length / 2] ^= 1;
    Files.write(image, bytes);
    assertNotEquals(before, DatasetDigest.of(data, named));

    bytes[bytes.length / 2] ^= 1;
    Files.write(image, bytes);
    assertEquals(before, DatasetDigest.of(data, named));
  }

  @Test
  void coversTheMetadataAndOnlyTheNamedImages() throws IOException {
    String before = DatasetDigest.of(data, named);
    Path unnamed = data.imagePath(data.entries().get(25).imageIndex());
    Files.write(unnamed, new byte[] {1, 2, 3});
    assertEquals(before, DatasetDigest.of(data, named));

    Files.writeString(dir.resolve("test_list.txt"), "\n", StandardOpenOption.APPEND);
    assertNotEquals(before, DatasetDigest.of(data, named));
  }

  @Test
  void missingImageIsNamed() throws IOException {
    Files.delete(data.imagePath(named.get(3)));
    NoSuchFileException e =
        assertThrows(NoSuchFileException.class, () -> DatasetDigest.of(data, named));
    assertTrue(e.getMessage().contains(named.get(3)), e.getMessage());
  }
}
