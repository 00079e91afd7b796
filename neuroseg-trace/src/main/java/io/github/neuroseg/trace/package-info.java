/**
 * The APP2-style tracer: {@link io.github.neuroseg.trace.App2Tracer}, registered as the {@link
 * io.github.neuroseg.spi.TracerProvider} of {@link io.github.neuroseg.NeuroSeg#tracer()}.
 */
@NullMarked
package io.github.neuroseg.trace;

import org.jspecify.annotations.NullMarked;
