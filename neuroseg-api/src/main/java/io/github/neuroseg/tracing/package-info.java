/**
 * Tracing of neuron foreground (a binary mask or a probability map) into SWC reconstructions:
 * the {@link io.github.neuroseg.tracing.Tracer} service, its builder, settings and input.
 */
@NullMarked
package io.github.neuroseg.tracing;

import org.jspecify.annotations.NullMarked;
