package io.github.neuroseg.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.ModelException;
import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.segmentation.ModelSource;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.segmentation.SegmenterBuilder;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.VoxelSize;
import java.util.Map;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;
import org.junit.jupiter.api.Test;

/** Batch and tile sizes whose buffers would overflow, refused before any allocation. */
class BufferSizingTest {

  private static SegmenterBuilder identity(int depth, int tile) {
    return NeuroSeg.segmenter().model(ModelSource.bytes("identity",
        TestModels.identity(depth, TestModels.metadata(depth, tile, "fixed:0,100"))));
  }

  private static Volume volume() {
    float[] v = new float[20 * 12 * 3];
    for (int i = 0; i < v.length; i++) {
      v[i] = i % 97;
    }
    return Volume.ofFloats(v, 20, 12, 3, VoxelSize.UNIT);
  }

  private static float[] probabilities(Segmenter s, Volume v) {
    float[] out = new float[(int) net.imglib2.util.Intervals.numElements(v.image())];
    int i = 0;
    for (FloatType t : Views.flatIterable(s.segment(v).probabilities())) {
      out[i++] = t.get();
    }
    return out;
  }

  @Test
  void aBatchLargerThanTheVolumesTilesUsesOnlyTheTiles() {
    try (Segmenter one = identity(3, 8).batchSize(1).build();
        Segmenter huge = identity(3, 8).batchSize(100_000_000).build();
        Segmenter hugeTta = identity(3, 8).batchSize(Integer.MAX_VALUE)
            .testTimeAugmentation(true).build()) {
      float[] expected = probabilities(one, volume());
      assertArrayEquals(expected, probabilities(huge, volume()));
      assertArrayEquals(expected, probabilities(hugeTta, volume()), 1e-6f);
    }
  }

  @Test
  void aTileTooLargeForOneBufferIsRefusedWhenTheSegmenterIsBuilt() {
    // 16384 x 16384 x 3 floats are 3 GiB, more than one buffer can address
    String m = assertThrows(InvalidInputException.class,
        () -> identity(3, 8).tile(16384, 16384).build()).getMessage();
    assertTrue(m.contains("16384 x 16384 x 3 x 4 = 3221225472"), m);
  }

  @Test
  void aBatchOfTilesTooLargeForOneBufferIsRefusedBeforeThePrediction() {
    // one 8192 x 8192 tile fits (256 MiB), eight of them do not; the volume has enough tiles
    try (Segmenter s = identity(1, 8).tile(8192, 8192).overlap(0).batchSize(8).build()) {
      float[] v = new float[8192 * 9];
      Volume wide = Volume.ofFloats(v, 8192, 1, 9, VoxelSize.UNIT);
      String m = assertThrows(InvalidInputException.class, () -> s.segment(wide)).getMessage();
      assertTrue(m.startsWith("a batch of input tiles (bytes) must fit one array"), m);
    }
  }

  @Test
  void modelMetadataClaimingHugeTilesIsAModelError() {
    Map<String, String> md = TestModels.metadata(3, 65536, "none");
    String m = assertThrows(ModelException.class, () -> NeuroSeg.segmenter()
        .model(ModelSource.bytes("huge", TestModels.identity(3, md))).build()).getMessage();
    assertTrue(m.contains("metadata tile 65536 x 65536"), m);
  }
}
