package io.github.neuroseg.pipeline;

import io.github.neuroseg.segmentation.Segmentation;
import io.github.neuroseg.swc.NeuronTree;

/**
 * What the pipeline made of one volume: the segmentation and the reconstruction traced from it.
 *
 * @param segmentation foreground probabilities and the threshold that makes the mask
 * @param tree the traced reconstruction, in the volume's physical units
 */
public record Reconstruction(Segmentation segmentation, NeuronTree tree) {}
