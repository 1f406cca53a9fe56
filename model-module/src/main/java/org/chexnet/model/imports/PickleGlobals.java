package org.chexnet.model.imports;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.PickleException;

/**
 * The only Python globals a checkpoint's pickle may name, and what each becomes in Java. Every
 * other global ({@code os.system}, {@code builtins.eval}, {@code subprocess.Popen}, any class not
 * listed) refuses the file before anything is built from it.
 *
 * <p>Nothing here runs Python code: a rebuilder only records which storage window a tensor is, and
 * a module class only creates an empty {@link PickledObject} that the pickle's state fills.
 */
final class PickleGlobals {
  /**
   * Modules a pickled torchvision DenseNet is made of (jrzech/reproduce-chexnet saves the whole
   * model), read as state holders.
   */
  static final Set<String> MODULE_CLASSES =
      Set.of(
          "torchvision.models.densenet.DenseNet",
          "torchvision.models.densenet._DenseBlock",
          "torchvision.models.densenet._DenseLayer",
          "torchvision.models.densenet._Transition",
          "torch.nn.modules.container.Sequential",
          "torch.nn.modules.conv.Conv2d",
          "torch.nn.modules.batchnorm.BatchNorm2d",
          "torch.nn.modules.activation.ReLU",
          "torch.nn.modules.activation.Sigmoid",
          "torch.nn.modules.pooling.MaxPool2d",
          "torch.nn.modules.pooling.AvgPool2d",
          "torch.nn.modules.linear.Linear");

  /**
   * PyTorch 0.3/0.4 modules kept a {@code _backend} attribute that pickles as a call of this
   * factory with no arguments; it becomes an inert placeholder.
   */
  static final String THNN_BACKEND = "torch.nn.backends.thnn._get_thnn_function_backend";

  /** A storage class ({@code torch.FloatStorage}, {@code torch.cuda.HalfStorage}) in a pid. */
  record StorageType(TorchDtype dtype) implements IObjectConstructor {
    @Override
    public Object construct(Object[] args) {
      throw new PickleException("the pickle calls storage class " + dtype.storageClass());
    }
  }

  private PickleGlobals() {}

  /**
   * @throws RefusedGlobalException for any global not listed here
   */
  static IObjectConstructor resolve(String module, String name) {
    String global = module + "." + name;
    switch (global) {
      case "collections.OrderedDict":
        return PickleGlobals::orderedDict;
      case "builtins.set", "__builtin__.set":
        return args -> args.length == 0 ? new LinkedHashSet<>() : new LinkedHashSet<>(items(args));
      case "torch._utils._rebuild_tensor":
      case "torch._utils._rebuild_tensor_v2":
        return PickleGlobals::tensor;
      case "torch._utils._rebuild_parameter":
      case "torch._utils._rebuild_parameter_with_state":
      case "torch.nn.parameter.Parameter":
        // (data, requires_grad, ...): a parameter is its data.
        return args -> argument(args, 0, TorchTensor.class, global);
      case THNN_BACKEND:
        return args -> new PickledObject(THNN_BACKEND);
      default:
        break;
    }
    if (module.equals("torch") || module.equals("torch.cuda")) {
      TorchDtype dtype = TorchDtype.ofStorageClass(name);
      if (dtype != null) {
        return new StorageType(dtype);
      }
    }
    if (MODULE_CLASSES.contains(global)) {
      return args -> {
        if (args.length != 0) {
          throw new PickleException(global + " is built with arguments, expected none");
        }
        return new PickledObject(global);
      };
    }
    throw new RefusedGlobalException(global);
  }

  private static Object orderedDict(Object[] args) {
    PyDict dict = new PyDict();
    if (args.length == 1) {
      for (Object pair : items(args)) {
        if (!(pair instanceof Object[] kv) || kv.length != 2) {
          throw new PickleException("an OrderedDict built from something other than pairs");
        }
        dict.put(kv[0], kv[1]);
      }
    } else if (args.length > 1) {
      throw new PickleException("an OrderedDict built from " + args.length + " arguments");
    }
    return dict;
  }

  private static Collection<?> items(Object[] args) {
    if (args[0] instanceof Collection<?> items) {
      return items;
    }
    if (args[0] instanceof Object[] tuple) {
      return java.util.Arrays.asList(tuple);
    }
    throw new PickleException("expected a list, got " + describe(args[0]));
  }

  /** {@code _rebuild_tensor(storage, offset, size, stride)}, v2 with more (ignored) arguments. */
  private static Object tensor(Object[] args) {
    if (args.length < 4) {
      throw new PickleException("a tensor rebuilt from " + args.length + " arguments");
    }
    TorchStorage storage = argument(args, 0, TorchStorage.class, "tensor");
    long offset = argument(args, 1, Number.class, "tensor").longValue();
    try {
      return new TorchTensor(storage, offset, longs(args[2]), longs(args[3]));
    } catch (IllegalArgumentException e) {
      throw new PickleException(e.getMessage());
    }
  }

  private static long[] longs(Object tuple) {
    if (!(tuple instanceof Object[] values)) {
      throw new PickleException("a tensor's size or stride is " + describe(tuple));
    }
    long[] out = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      if (!(values[i] instanceof Number n)) {
        throw new PickleException("a tensor's size or stride holds " + describe(values[i]));
      }
      out[i] = n.longValue();
    }
    return out;
  }

  private static <T> T argument(Object[] args, int index, Class<T> type, String what) {
    if (args.length <= index || !type.isInstance(args[index])) {
      throw new PickleException(
          what
              + ": argument "
              + index
              + " is "
              + (args.length <= index ? "missing" : describe(args[index]))
              + ", expected a "
              + type.getSimpleName());
    }
    return type.cast(args[index]);
  }

  static String describe(Object value) {
    return value == null ? "None" : value.getClass().getSimpleName();
  }
}
