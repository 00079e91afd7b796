/**
 * Blockwise inference of neuroseg ONNX models with ONNX Runtime, on the CPU or with CUDA. Users
 * reach it through {@code NeuroSeg.segmenter()}: the only public type is the {@link
 * io.github.neuroseg.onnx.OnnxSegmenterProvider} that {@link java.util.ServiceLoader} finds. The
 * session and device set-up ({@code OrtSessions}) is apart from the run ({@code OnnxSegmenter}),
 * which predicts with the tiling and stitching of {@code neuroseg-model}.
 */
@NullMarked
package io.github.neuroseg.onnx;

import org.jspecify.annotations.NullMarked;
