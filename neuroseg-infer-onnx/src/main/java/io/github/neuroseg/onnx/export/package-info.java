/**
 * Writing neuroseg models as ONNX: {@link io.github.neuroseg.onnx.export.VitOnnxWriter} defines
 * the exported 3D ViT; {@link io.github.neuroseg.onnx.export.OnnxGraph} is the graph builder under
 * it.
 */
@NullMarked
package io.github.neuroseg.onnx.export;

import org.jspecify.annotations.NullMarked;
