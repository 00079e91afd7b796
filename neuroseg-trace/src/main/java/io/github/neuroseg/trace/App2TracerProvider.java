package io.github.neuroseg.trace;

import io.github.neuroseg.spi.TracerProvider;
import io.github.neuroseg.tracing.Tracer;
import io.github.neuroseg.tracing.TracerConfig;

/** Provides {@link App2Tracer}s to {@link io.github.neuroseg.NeuroSeg#tracer()}. */
public final class App2TracerProvider implements TracerProvider {
  /** Used by {@link java.util.ServiceLoader}. */
  public App2TracerProvider() {}

  @Override
  public Tracer create(TracerConfig config) {
    return new App2Tracer(config);
  }
}
