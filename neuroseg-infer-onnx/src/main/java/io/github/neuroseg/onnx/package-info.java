/**
 * Blockwise inference of neuroseg ONNX models with ONNX Runtime: {@link
 * io.github.neuroseg.onnx.OnnxSegmenter}, its {@link io.github.neuroseg.onnx.ModelContract}, the
 * {@link io.github.neuroseg.onnx.TilePlan} and the {@link io.github.neuroseg.onnx.Stitcher}.
 */
@NullMarked
package io.github.neuroseg.onnx;

import org.jspecify.annotations.NullMarked;
