package io.github.neuroseg.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.training.LabeledVolume;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.VoxelSize;
import java.util.List;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.view.Views;
import org.junit.jupiter.api.Test;

class Table1ReproductionTest {
  @Test
  void theTableHasThePapersRowsAndColumns() {
    String t = Table1Reproduction.table(List.of(
        new Table1Reproduction.Row("2D ViT", false, "/", 1, 0.4469, 7.649),
        new Table1Reproduction.Row("2D ViT", true, "/", 1, 0.4876, 2.893),
        new Table1Reproduction.Row("3D ViT", false, "/", 5, 0.4174, 37.943),
        new Table1Reproduction.Row("3D ViT", true, "Average", 5, 0.4942, 2.863),
        new Table1Reproduction.Row("3D ViT", true, "Center", 5, 0.5045, 2.81)), false);
    List<String> lines = t.lines().toList();
    assertEquals(8, lines.size(), t);
    assertTrue(lines.get(1).contains("Pre-trained Weights | Transferring Strategy | Input Depth"));
    assertEquals("| 2D ViT | /                   | /                     | 1           | 0.4469"
        + "         | 7.649            |", lines.get(3));
    assertTrue(lines.get(4).startsWith("|        | yes "), lines.get(4));
    assertTrue(lines.get(7).contains("| Center ") && lines.get(7).contains("0.5045"), t);
    assertTrue(Table1Reproduction.table(List.of(), true).contains("CPU MODE"));
  }

  @Test
  void theCropHoldsTheNeuriteNearestTheCentroid() {
    // two arms far apart: the centroid lies in the background between them
    var img = ArrayImgs.unsignedBytes(40, 20, 6);
    var mask = ArrayImgs.unsignedBytes(40, 20, 6);
    for (int x = 0; x < 40; x++) {
      if (x < 5 || x >= 35) {
        mask.randomAccess().setPositionAndGet(x, 10, 3).set(1);
        img.randomAccess().setPositionAndGet(x, 10, 3).set(200);
      }
    }
    LabeledVolume v = new LabeledVolume(new Volume(img, VoxelSize.UNIT), mask, "two-arms");
    LabeledVolume c = Table1Reproduction.crop(v, new long[] {8, 8, 100});
    assertArrayEquals(new long[] {8, 8, 6}, c.image().dimensions());
    long fg = 0;
    for (UnsignedByteType t : Views.flatIterable(
        (net.imglib2.RandomAccessibleInterval<UnsignedByteType>) c.mask())) {
      fg += t.get();
    }
    assertTrue(fg > 0, "the crop holds foreground");
  }
}
