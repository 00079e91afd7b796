package io.github.neuroseg.segmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.volume.VoxelSize;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.logic.BitType;
import org.junit.jupiter.api.Test;

class SegmentationTest {

  @Test
  void maskIsProbabilityAtOrAboveThreshold() {
    float[] p = {0.1f, 0.5f, 0.49f, 0.9f, 0f, 1f, 0.5001f, 0.2f};
    Segmentation s =
        new Segmentation(ArrayImgs.floats(p, 2, 2, 2), 0.5, VoxelSize.UNIT);
    int i = 0;
    for (BitType b : net.imglib2.view.Views.flatIterable(s.mask())) {
      assertEquals(p[i] >= 0.5f, b.get(), "voxel " + i);
      i++;
    }
    assertEquals(8, i);
  }

  @Test
  void rejectsThresholdOutsideUnitInterval() {
    assertThrows(InvalidInputException.class,
        () -> new Segmentation(ArrayImgs.floats(2, 2, 2), 1.01, VoxelSize.UNIT));
  }
}
