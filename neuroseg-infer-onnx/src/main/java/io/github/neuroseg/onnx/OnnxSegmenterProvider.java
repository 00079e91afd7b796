package io.github.neuroseg.onnx;

import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.segmentation.SegmenterConfig;
import io.github.neuroseg.spi.SegmenterProvider;

/** Registers {@link OnnxSegmenter} with {@link io.github.neuroseg.NeuroSeg#segmenter()}. */
public final class OnnxSegmenterProvider implements SegmenterProvider {
  /** Called by {@link java.util.ServiceLoader}. */
  public OnnxSegmenterProvider() {}

  @Override
  public Segmenter create(SegmenterConfig config) {
    return OnnxSegmenter.create(config);
  }
}
