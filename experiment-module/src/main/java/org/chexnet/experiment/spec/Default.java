package org.chexnet.experiment.spec;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The value a spec key takes when the file leaves it out, written as YAML ({@code "16"}, {@code
 * "null"}, {@code "[{type: progress}]"}). It is bound and checked like a value from a file. A
 * component without a default (and not a nested section) is required.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Default {
  String value();
}
