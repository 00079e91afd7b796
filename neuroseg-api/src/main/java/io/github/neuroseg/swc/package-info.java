/**
 * Neuron reconstructions: the immutable {@link io.github.neuroseg.swc.NeuronTree} (a forest of
 * {@link io.github.neuroseg.swc.SwcNode}s) and tree operations used by tracing and metrics.
 */
@NullMarked
package io.github.neuroseg.swc;

import org.jspecify.annotations.NullMarked;
