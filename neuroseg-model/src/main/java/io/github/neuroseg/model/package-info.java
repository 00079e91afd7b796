/**
 * The neuroseg model format, shared by training ({@code neuroseg-train}) and inference ({@code
 * neuroseg-infer-onnx}), neither of which depends on the other: {@link
 * io.github.neuroseg.model.ModelContract} (what a model promises, with every model and checkpoint
 * metadata key), {@link io.github.neuroseg.model.VitOnnxWriter} (the one definition of the
 * exported 3D ViT), {@link io.github.neuroseg.model.FloatTensor} (weights) and {@link
 * io.github.neuroseg.model.VitWeights} (initial and random weights). The tiling and stitching
 * both sides predict volumes with live in {@code io.github.neuroseg.model.internal}.
 */
@NullMarked
package io.github.neuroseg.model;

import org.jspecify.annotations.NullMarked;
