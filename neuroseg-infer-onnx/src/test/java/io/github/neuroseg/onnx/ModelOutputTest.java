package io.github.neuroseg.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.ModelException;
import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.segmentation.ModelSource;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.VoxelSize;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;
import org.junit.jupiter.api.Test;

/** What a model returns is checked before it becomes probabilities. */
class ModelOutputTest {

  private static Volume volume() {
    float[] v = new float[12 * 10 * 3];
    for (int i = 0; i < v.length; i++) {
      v[i] = i % 13;
    }
    return Volume.ofFloats(v, 12, 10, 3, VoxelSize.UNIT);
  }

  private static Segmenter constant(float logit) {
    return NeuroSeg.segmenter().model(ModelSource.bytes("const.onnx", TestModels.constant(3,
        logit, TestModels.metadata(3, 8, "minmax")))).build();
  }

  @Test
  void notANumberFromTheModelIsAModelError() {
    try (Segmenter s = constant(Float.NaN)) {
      ModelException e = assertThrows(ModelException.class, () -> s.segment(volume()));
      assertTrue(e.getMessage().startsWith("model const.onnx returned NaN"), e.getMessage());
    }
  }

  @Test
  void infiniteLogitsAreCertainProbabilities() {
    for (float logit : new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      try (Segmenter s = constant(logit)) {
        for (FloatType t : Views.flatIterable(s.segment(volume()).probabilities())) {
          assertEquals(logit > 0 ? 1f : 0f, t.get());
        }
      }
    }
  }
}
