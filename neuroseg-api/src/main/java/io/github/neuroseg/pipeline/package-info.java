/**
 * The volume-to-reconstruction pipeline: {@link io.github.neuroseg.pipeline.Pipeline} runs a
 * segmenter and a tracer on a volume and returns a {@link
 * io.github.neuroseg.pipeline.Reconstruction}.
 */
@NullMarked
package io.github.neuroseg.pipeline;

import org.jspecify.annotations.NullMarked;
