/**
 * Evaluation metrics: segmentation overlap and surface distance ({@link
 * io.github.neuroseg.metrics.SegmentationMetrics}) and reconstruction distances between neuron
 * trees ({@link io.github.neuroseg.metrics.ReconstructionMetrics}).
 */
@NullMarked
package io.github.neuroseg.metrics;

import org.jspecify.annotations.NullMarked;
