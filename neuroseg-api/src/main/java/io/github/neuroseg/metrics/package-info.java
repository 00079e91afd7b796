/**
 * Evaluation metrics: segmentation overlap and surface distance ({@link
 * io.github.neuroseg.metrics.SegmentationMetrics}) and reconstruction distances between neuron
 * trees ({@link io.github.neuroseg.metrics.ReconstructionMetrics}), and the contrast-to-noise ratio of
 * an image with a known mask ({@link io.github.neuroseg.metrics.ContrastToNoise}).
 */
@NullMarked
package io.github.neuroseg.metrics;

import org.jspecify.annotations.NullMarked;
