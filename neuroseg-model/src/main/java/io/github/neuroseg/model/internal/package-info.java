/**
 * Not API: code that neuroseg's own modules share and users do not call, and that may change in
 * any release. {@link io.github.neuroseg.model.internal.TilePlan} (which model inputs cover a
 * volume), {@link io.github.neuroseg.model.internal.Stitcher} (blending their outputs) and {@link
 * io.github.neuroseg.model.internal.TiledPrediction} (the pipelined whole-volume prediction with
 * any backend, used by {@code segment()} and by training validation), and {@link
 * io.github.neuroseg.model.internal.OnnxGraph} (the graph builder under the ONNX writer).
 */
@NullMarked
package io.github.neuroseg.model.internal;

import org.jspecify.annotations.NullMarked;
