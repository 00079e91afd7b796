/**
 * Training of the segmentation network from labelled volumes: the {@link
 * io.github.neuroseg.training.ModelTrainer} service (built with {@link
 * io.github.neuroseg.NeuroSeg#trainer()}), its builder and settings, the training data ({@link
 * io.github.neuroseg.training.LabeledVolume}) and the trained model.
 */
@NullMarked
package io.github.neuroseg.training;

import org.jspecify.annotations.NullMarked;
