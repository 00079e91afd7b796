/**
 * Segmentation of volumes into neuron foreground: the {@link
 * io.github.neuroseg.segmentation.Segmenter} service, its builder and its result.
 */
@NullMarked
package io.github.neuroseg.segmentation;

import org.jspecify.annotations.NullMarked;
