package org.chexnet.model.imports;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * Pyrolite's unpickler with every way of naming a Python global (GLOBAL, STACK_GLOBAL, INST) routed
 * through {@link PickleGlobals}, BUILD limited to the objects it creates, and persistent ids (how
 * PyTorch refers to storages) handed to the checkpoint reader.
 */
final class RestrictedUnpickler extends Unpickler {
  private final Function<Object, Object> persistentLoader;

  RestrictedUnpickler(Function<Object, Object> persistentLoader) {
    this.persistentLoader = persistentLoader;
  }

  /**
   * Pyrolite reads an opcode's one-byte argument (BINPUT, BINGET, BININT1, ...) without checking
   * for the end of the stream, taking it as -1: here the end of the stream is an {@link
   * EOFException} wherever it comes, so that a truncated file says so.
   */
  @Override
  public Object load(InputStream stream) throws IOException {
    return super.load(
        new FilterInputStream(stream) {
          @Override
          public int read() throws IOException {
            int b = super.read();
            if (b < 0) {
              throw new EOFException("the pickle ends early");
            }
            return b;
          }
        });
  }

  @Override
  protected Object dispatch(short key) throws IOException {
    switch (key) {
      case Opcodes.GLOBAL -> {
        String module = PickleUtils.readline(input);
        String name = PickleUtils.readline(input);
        stack.add(PickleGlobals.resolve(module, name));
      }
      case Opcodes.STACK_GLOBAL -> {
        Object name = stack.pop();
        Object module = stack.pop();
        if (!(module instanceof String m) || !(name instanceof String n)) {
          throw new PickleException("STACK_GLOBAL with a non-string module or name");
        }
        stack.add(PickleGlobals.resolve(m, n));
      }
      case Opcodes.INST -> {
        String module = PickleUtils.readline(input);
        String name = PickleUtils.readline(input);
        IObjectConstructor constructor = PickleGlobals.resolve(module, name);
        List<Object> args = stack.pop_all_since_marker();
        stack.add(constructor.construct(args.toArray()));
      }
      case Opcodes.REDUCE, Opcodes.NEWOBJ -> {
        Object args = stack.pop();
        Object callable = stack.pop();
        if (!(callable instanceof IObjectConstructor constructor)
            || !(args instanceof Object[] a)) {
          throw new PickleException(
              "the pickle calls a "
                  + PickleGlobals.describe(callable)
                  + " with "
                  + PickleGlobals.describe(args));
        }
        stack.add(constructor.construct(a));
      }
      // Python's dicts keep insertion order (a checkpoint's keys, as the card lists them);
      // Pyrolite's dicts are HashMaps.
      case Opcodes.EMPTY_DICT -> stack.add(new LinkedHashMap<>());
      case Opcodes.DICT -> {
        List<Object> items = stack.pop_all_since_marker();
        Map<Object, Object> dict = new LinkedHashMap<>();
        for (int i = 0; i + 1 < items.size(); i += 2) {
          dict.put(items.get(i), items.get(i + 1));
        }
        stack.add(dict);
      }
      case Opcodes.SETITEMS -> {
        List<Object> items = stack.pop_all_since_marker();
        if (!(stack.peek() instanceof Map<?, ?>)) {
          throw new PickleException("SETITEMS on a " + PickleGlobals.describe(stack.peek()));
        }
        @SuppressWarnings("unchecked")
        Map<Object, Object> dict = (Map<Object, Object>) stack.peek();
        for (int i = 0; i + 1 < items.size(); i += 2) {
          dict.put(items.get(i), items.get(i + 1));
        }
      }
      case Opcodes.BUILD -> {
        Object state = stack.pop();
        Object target = stack.peek();
        if (target instanceof PickledObject object) {
          object.build(state);
        } else if (!(target instanceof PyDict) || !(state instanceof Map<?, ?>)) {
          // An OrderedDict's attributes (a state dict's _metadata) are dropped; nothing else
          // takes a state.
          throw new PickleException(
              "the pickle sets the state of a " + PickleGlobals.describe(target));
        }
      }
      default -> {
        return super.dispatch(key);
      }
    }
    return NO_RETURN_VALUE;
  }

  @Override
  protected Object persistentLoad(Object pid) {
    return persistentLoader.apply(pid);
  }
}
