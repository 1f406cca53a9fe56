package org.chexnet.training.listeners;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.Map;
import org.chexnet.training.TrainingListener;

/**
 * Creates a user's own {@link TrainingListener} named in a spec ({@code type: custom}). The class
 * must be on the classpath (the {@code chexnet} launcher adds {@code $CHEXNET_CLASSPATH}) and have
 * a public constructor taking the spec's {@code params} as a {@code Map<String, Object>}, or a
 * public no-argument one when it takes none.
 */
public final class UserListeners {
  private UserListeners() {}

  /** Checks the class before any work starts; the message says what is wrong. */
  public static Class<? extends TrainingListener> resolve(String className) {
    Class<?> type;
    try {
      type = Class.forName(className, false, Thread.currentThread().getContextClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException(
          "class " + className + " is not on the classpath (add its jar to CHEXNET_CLASSPATH)");
    }
    if (!TrainingListener.class.isAssignableFrom(type)) {
      throw new IllegalArgumentException(
          "class " + className + " does not implement " + TrainingListener.class.getName());
    }
    return type.asSubclass(TrainingListener.class);
  }

  public static TrainingListener create(String className, Map<String, Object> params) {
    Class<? extends TrainingListener> type = resolve(className);
    try {
      try {
        Constructor<? extends TrainingListener> withParams = type.getConstructor(Map.class);
        return withParams.newInstance(params);
      } catch (NoSuchMethodException e) {
        if (!params.isEmpty()) {
          throw new IllegalArgumentException(
              className
                  + " has no public constructor taking a Map of params, but params were given");
        }
        return type.getConstructor().newInstance();
      }
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException(
          className + " needs a public constructor taking Map<String, Object> or none");
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException(
          className + " failed to construct: " + e.getCause().getMessage(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException(className + " cannot be constructed: " + e, e);
    }
  }
}
