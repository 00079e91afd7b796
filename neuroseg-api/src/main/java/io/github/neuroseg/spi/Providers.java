package io.github.neuroseg.spi;

import io.github.neuroseg.MissingImplementationException;
import java.util.Iterator;
import java.util.ServiceLoader;

/** Finds service implementations with {@link ServiceLoader}. */
public final class Providers {
  private Providers() {}

  /**
   * The first implementation of {@code service} on the class path.
   *
   * @param artifact the Maven coordinates that provide one, named in the error
   * @throws MissingImplementationException when none is found
   */
  public static <T> T load(Class<T> service, String artifact) {
    Iterator<T> it = ServiceLoader.load(service, Providers.class.getClassLoader()).iterator();
    if (!it.hasNext()) {
      it = ServiceLoader.load(service).iterator();
    }
    if (!it.hasNext()) {
      throw new MissingImplementationException(
          "no " + service.getSimpleName() + " implementation on the class path; add the Maven "
              + "dependency " + artifact);
    }
    return it.next();
  }
}
