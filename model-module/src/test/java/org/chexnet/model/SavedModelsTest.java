package org.chexnet.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class SavedModelsTest {
  private static final DenseNetConfig TINY = DenseNetConfig.custom(List.of(1, 1), 4, 32, 14);

  @TempDir Path dir;

  @Test
  void anExportLoadsBackWithIdenticalOutputsAndWithoutOptimizerState() throws IOException {
    float[] images = new float[3 * 32 * 32 * 3];
    for (int i = 0; i < images.length; i++) {
      images[i] = (float) Math.cos(i * 0.11);
    }
    float[] expected;
    Path export = dir.resolve("serving");
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      // Seed 9, not the export's seed 0: the values must come from this session.
      DenseNetGraph net = DenseNet.build(tf, TINY, 9);
      tf.withName("optimizer_slot").variable(tf.constant(1f));
      s.initialize();
      expected = run(s, net.images().asOutput().op().name(), "probabilities", images);
      SavedModels.export(s, TINY, export);
      SavedModels.export(s, TINY, export); // replacing an export works too
    }
    try (SavedModelBundle bundle = SavedModelBundle.load(export.toString(), SavedModels.TAG)) {
      Signature signature = bundle.signatures().get(0);
      assertEquals(SavedModels.SIGNATURE, signature.key());
      assertEquals(
          List.of(-1L, 32L, 32L, 3L),
          java.util.Arrays.stream(signature.getInputs().get(SavedModels.IMAGES).shape.asArray())
              .boxed()
              .toList());
      try (TFloat32 x = images(images);
          Result result = bundle.call(Map.of(SavedModels.IMAGES, x))) {
        float[] probabilities = read((TFloat32) result.get(SavedModels.PROBABILITIES).get());
        assertArrayEquals(expected, probabilities, 0f);
        TFloat32 maps = (TFloat32) result.get(SavedModels.FEATURE_MAPS).get();
        assertArrayEquals(new long[] {3, 4, 4, 10}, maps.shape().asArray());
      }
      assertNull(bundle.graph().operation("optimizer_slot"), "optimizer state stays behind");
    }
    try (var siblings = Files.list(dir)) {
      assertEquals(List.of(export), siblings.toList(), "no staging directories left");
    }
    assertFalse(Files.exists(dir.resolve("serving.old")));
    assertTrue(Files.isRegularFile(export.resolve("saved_model.pb")));
  }

  private static float[] run(Session s, String input, String output, float[] images) {
    try (TFloat32 x = images(images);
        Result r = s.runner().feed(input, x).fetch(output).run()) {
      return read((TFloat32) r.get(0));
    }
  }

  private static TFloat32 images(float[] values) {
    return TFloat32.tensorOf(
        Shape.of(values.length / (32 * 32 * 3), 32, 32, 3), DataBuffers.of(values, true, false));
  }

  private static float[] read(TFloat32 t) {
    float[] out = new float[(int) t.size()];
    t.copyTo(DataBuffers.of(out, false, false));
    return out;
  }
}
