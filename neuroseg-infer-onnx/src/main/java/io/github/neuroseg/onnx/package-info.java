/**
 * Blockwise inference of neuroseg ONNX models with ONNX Runtime, on the CPU or with CUDA. Users
 * reach it through {@code NeuroSeg.segmenter()}: the public types are the {@link
 * io.github.neuroseg.onnx.OnnxSegmenterProvider} that {@link java.util.ServiceLoader} finds and
 * {@link io.github.neuroseg.onnx.BioImageIo}, which writes and reads bioimage.io model packages
 * (its description is written by {@code YamlWriter} and read with SnakeYAML). The session and
 * device set-up ({@code OrtSessions}) is apart from the run ({@code OnnxSegmenter}), which
 * predicts with the tiling and stitching of {@code neuroseg-model}.
 */
@NullMarked
package io.github.neuroseg.onnx;

import org.jspecify.annotations.NullMarked;
