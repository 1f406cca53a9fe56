package org.chexnet.model.imports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.Reporter;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Crafted checkpoints whose pickle would run a command under Python's unpickler (touch a marker
 * file): each is refused with the global it names, in both PyTorch containers, and the marker is
 * never created. Nothing is written where the model would go.
 */
class MaliciousPickleTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"legacy", "zip"})
  void systemCallsAreRefusedNamingTheGlobal(String container) throws IOException {
    Path marker = dir.resolve("ran");
    String command = "touch " + marker;
    // pickle's classic payload: os.system(command) by GLOBAL + REDUCE, as __reduce__ writes it.
    refused(container, "os.system", p -> p.global("os", "system"), command);
    refused(container, "posix.system", p -> p.global("posix", "system"), command);
    refused(container, "builtins.eval", p -> p.stackGlobal("builtins", "eval"), "print(1)");
    refused(container, "subprocess.Popen", p -> p.global("subprocess", "Popen"), command);
    refused(container, "builtins.exec", p -> p.global("builtins", "exec"), "pass");
    // copyreg._reconstructor is how protocol 0/1 rebuild objects: not needed, refused.
    refused(container, "copy_reg._reconstructor", p -> p.global("copy_reg", "_reconstructor"), "x");
    assertFalse(Files.exists(marker), "nothing ran");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"legacy", "zip"})
  void unknownClassesAndProtocolZeroInstancesAreRefused(String container) throws IOException {
    // An unknown class built with NEWOBJ, inside an otherwise plausible state dict.
    byte[] newObj =
        PickleBytes.protocol(2)
            .op(PickleBytes.EMPTY_DICT)
            .string("state_dict")
            .global("exploit", "Payload")
            .op(PickleBytes.EMPTY_TUPLE)
            .op(PickleBytes.NEWOBJ)
            .op(PickleBytes.SETITEM)
            .op(PickleBytes.STOP)
            .bytes();
    assertRefused(write(container, newObj), "exploit.Payload");
    // INST names its class inline (protocol 0).
    byte[] inst =
        PickleBytes.protocol(2).inst("os", "system", "touch x").op(PickleBytes.STOP).bytes();
    assertRefused(write(container, inst), "os.system");
    // A module class that is not part of a DenseNet is no state holder of ours.
    byte[] module =
        PickleBytes.protocol(2)
            .global("torch.nn.modules.module", "Module")
            .op(PickleBytes.EMPTY_TUPLE)
            .op(PickleBytes.NEWOBJ)
            .op(PickleBytes.STOP)
            .bytes();
    assertRefused(write(container, module), "torch.nn.modules.module.Module");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"legacy", "zip"})
  void theImporterRefusesTooAndWritesNothing(String container) throws IOException {
    byte[] payload =
        PickleBytes.protocol(2)
            .global("os", "system")
            .string("touch " + dir.resolve("ran"))
            .op(PickleBytes.TUPLE1)
            .op(PickleBytes.REDUCE)
            .op(PickleBytes.STOP)
            .bytes();
    Path file = write(container, payload);
    Path out = dir.resolve("model");
    ChexnetException e =
        assertThrows(
            ChexnetException.class,
            () ->
                ModelImporter.importModel(
                    file, out, ModelImporter.Options.defaults(), Reporter.silent()));
    assertEquals(ChexnetException.Kind.INVALID_INPUT, e.kind());
    assertEquals("os.system", ((UnsafeCheckpointException) e.getCause()).global());
    assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
    assertFalse(Files.exists(out), "no model directory");
    assertFalse(Files.exists(dir.resolve("ran")), "nothing ran");
  }

  private void refused(
      String container, String global, Function<PickleBytes, PickleBytes> callable, String argument)
      throws IOException {
    byte[] pickle =
        callable
            .apply(PickleBytes.protocol(2))
            .string(argument)
            .op(PickleBytes.TUPLE1)
            .op(PickleBytes.REDUCE)
            .op(PickleBytes.STOP)
            .bytes();
    assertRefused(write(container, pickle), global);
  }

  private static void assertRefused(Path file, String global) {
    UnsafeCheckpointException e =
        assertThrows(UnsafeCheckpointException.class, () -> TorchCheckpoint.read(file));
    assertEquals(global, e.global());
    assertTrue(
        e.getMessage().contains(file.toString()) && e.getMessage().contains(global + ", which"),
        e.getMessage());
  }

  private Path write(String container, byte[] pickle) throws IOException {
    Path file = Files.createTempFile(dir, "crafted", ".pth");
    if (container.equals("zip")) {
      PickleBytes.writeZip(file, pickle);
    } else {
      PickleBytes.writeLegacy(file, pickle);
    }
    return file;
  }
}
