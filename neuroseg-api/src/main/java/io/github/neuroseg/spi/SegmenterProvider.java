package io.github.neuroseg.spi;

import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.segmentation.SegmenterConfig;

/**
 * Creates {@link Segmenter}s. Implementations are registered in {@code
 * META-INF/services/io.github.neuroseg.spi.SegmenterProvider}.
 */
public interface SegmenterProvider {
  /** Maven coordinates of the reference implementation, for error messages. */
  String ARTIFACT = "io.github.neuroseg:neuroseg-infer-onnx";

  /** A segmenter for the given settings; the caller closes it. */
  Segmenter create(SegmenterConfig config);
}
