package io.github.neuroseg.spi;

import io.github.neuroseg.tracing.Tracer;
import io.github.neuroseg.tracing.TracerConfig;

/**
 * Creates {@link Tracer}s. Implementations are registered in {@code
 * META-INF/services/io.github.neuroseg.spi.TracerProvider}.
 */
public interface TracerProvider {
  /** Maven coordinates of the reference implementation, for error messages. */
  String ARTIFACT = "io.github.neuroseg:neuroseg-trace";

  /** A tracer for the given settings. */
  Tracer create(TracerConfig config);
}
