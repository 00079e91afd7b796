package io.github.neuroseg.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.InvalidInputException;
import net.imglib2.RandomAccess;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;
import org.junit.jupiter.api.Test;

class VolumeRecordTest {

  @Test
  void wrapsArraysXFastest() {
    short[] data = new short[2 * 3 * 4];
    data[1 + 2 * 2 + 3 * 2 * 3] = (short) 60000; // x=1, y=2, z=3
    Volume v = Volume.ofUnsignedShorts(data, 2, 3, 4, VoxelSize.microns(0.5, 0.5, 2));
    assertArrayEquals(new long[] {2, 3, 4}, v.dimensions());
    RandomAccess<FloatType> ra = v.asFloat().randomAccess();
    ra.setPosition(new long[] {1, 2, 3});
    assertEquals(60000f, ra.get().get()); // unsigned, not -5536
    assertEquals(2.0, v.voxelSize().z());
  }

  @Test
  void rejectsWrongArrayLengthNon3dAndEmpty() {
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> Volume.ofFloats(new float[5], 2, 2, 2, VoxelSize.UNIT));
    assertTrue(e.getMessage().contains("2 x 2 x 2 = 8") && e.getMessage().contains("5"),
        e.getMessage());
    assertThrows(InvalidInputException.class,
        () -> new Volume(ArrayImgs.floats(4, 4), VoxelSize.UNIT));
    assertThrows(InvalidInputException.class,
        () -> new Volume(
            Views.interval(ArrayImgs.floats(4, 4, 3), new long[] {0, 0, 0},
                new long[] {3, -1, 2}),
            VoxelSize.UNIT));
  }

  @Test
  void translatedViewsStartAtTheOrigin() {
    var img = ArrayImgs.floats(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2);
    Volume v = new Volume(Views.translate(img, 10, 20, 30), VoxelSize.UNIT);
    assertEquals(0, v.image().min(0));
    RandomAccess<FloatType> ra = v.asFloat().randomAccess();
    ra.setPosition(new long[] {1, 1, 1});
    assertEquals(8f, ra.get().get());
  }

  @Test
  void voxelSizeValidation() {
    assertThrows(InvalidInputException.class, () -> VoxelSize.microns(0, 1, 1));
    assertThrows(InvalidInputException.class, () -> VoxelSize.microns(1, Double.NaN, 1));
    assertThrows(InvalidInputException.class, () -> new VoxelSize(1, 1, 1, " "));
    assertTrue(VoxelSize.UNIT.isIsotropic());
    assertEquals(3.0, VoxelSize.microns(1, 2, 3).along(2));
  }
}
