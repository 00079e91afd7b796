package io.github.neuroseg.preview;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.preview.Projections.Plane;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.VoxelSize;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import net.imglib2.img.array.ArrayImgs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;

class ProjectionsTest {
  private static final int YELLOW = 0xffff00;

  private static int rgb(BufferedImage img, int x, int y) {
    return img.getRGB(x, y) & 0xffffff;
  }

  private static int gray(int g) {
    return g << 16 | g << 8 | g;
  }

  /** 3 x 2 x 2 floats; slice 0 = 0..5 row by row, slice 1 = 10 at (0,0), zeros elsewhere. */
  private static Volume tiny() {
    float[] v = {0, 1, 2, 3, 4, 5, 10, 0, 0, 0, 0, 0};
    return Volume.ofFloats(v, 3, 2, 2, VoxelSize.microns(1, 1, 2));
  }

  @Test
  void knownPixelsOfATinyVolume() {
    Projections p = Projections.newBuilder().build();
    BufferedImage xy = p.render(tiny(), null, null, Plane.XY);
    assertEquals(3, xy.getWidth());
    assertEquals(2, xy.getHeight());
    // xy maxima 10 1 2 / 3 4 5 mapped from [1, 10]
    int[] expectXy = {255, 0, 28, 57, 85, 113};
    for (int i = 0; i < 6; i++) {
      assertEquals(gray(expectXy[i]), rgb(xy, i % 3, i / 3), "xy pixel " + i);
    }
    BufferedImage xz = p.render(tiny(), null, null, Plane.XZ);
    // z voxels are twice as long as x voxels: every slice shows twice
    assertEquals(3, xz.getWidth());
    assertEquals(4, xz.getHeight());
    int[] row0 = {77, 102, 128}; // maxima over y of slice 0: 3 4 5 in [0, 10]
    int[] row1 = {255, 0, 0};
    for (int x = 0; x < 3; x++) {
      assertEquals(gray(row0[x]), rgb(xz, x, 0));
      assertEquals(gray(row0[x]), rgb(xz, x, 1));
      assertEquals(gray(row1[x]), rgb(xz, x, 2));
      assertEquals(gray(row1[x]), rgb(xz, x, 3));
    }
    BufferedImage flat = Projections.newBuilder().physicalAspect(false).build()
        .render(tiny(), null, null, Plane.XZ);
    assertEquals(2, flat.getHeight());
  }

  @Test
  void maskIsBlendedAndTreeIsDrawn() {
    var mask = ArrayImgs.unsignedBytes(3, 2, 2);
    mask.randomAccess().setPositionAndGet(1, 0, 1).set(1);
    // physical coordinates; voxel size (1, 1, 2): nodes at voxels (0,1,0) and (2,1,1)
    NeuronTree tree = NeuronTree.of(List.of(
        new SwcNode(1, 1, 0, 1, 0, 1, SwcNode.NO_PARENT),
        new SwcNode(2, 3, 2, 1, 2, 1, 1)));
    Projections p = Projections.newBuilder().build();
    BufferedImage xy = p.render(tiny(), mask, tree, Plane.XY);
    // (1, 0) has gray 0 under the mask: 0.4 * magenta
    assertEquals(102 << 16 | 102, rgb(xy, 1, 0));
    assertEquals(gray(255), rgb(xy, 0, 0));
    for (int x = 0; x < 3; x++) {
      assertEquals(YELLOW, rgb(xy, x, 1), "tree pixel " + x + ",1");
    }
    BufferedImage xz = p.render(tiny(), mask, tree, Plane.XZ);
    // the mask voxel (1, 0, 1) covers both rows of slice 1; gray there is 0
    assertEquals(102 << 16 | 102, rgb(xz, 1, 3));
    // line from (0, row 1) to (2, row 3)
    assertEquals(YELLOW, rgb(xz, 0, 1));
    assertEquals(YELLOW, rgb(xz, 1, 2));
    assertEquals(YELLOW, rgb(xz, 2, 3));
    assertEquals(gray(77), rgb(xz, 0, 0));
    assertEquals(gray(255), rgb(xz, 0, 2));
  }

  /** A w x h x d volume of 16-bit values below 4000, voxel by voxel (x fastest). */
  record Stack(int w, int h, int d, short[] data) {
    @Override
    public String toString() {
      return w + "x" + h + "x" + d + " " + java.util.Arrays.toString(data);
    }
  }

  static Gen<Stack> stacks() {
    Gen<Integer> values = integers().between(0, 3999);
    return integers().between(1, 20).zip(integers().between(1, 20), integers().between(1, 8),
        (w, h, d) -> new int[] {w, h, d}).flatMap(s -> in -> {
          short[] data = new short[s[0] * s[1] * s[2]];
          for (int i = 0; i < data.length; i++) {
            data[i] = (short) (int) values.generate(in);
          }
          return new Stack(s[0], s[1], s[2], data);
        });
  }

  @Test
  void projectionsEqualANaiveMaximum() {
    qt().withFixedSeed(77L).withExamples(30).forAll(stacks()).checkAssert(s -> {
      int w = s.w();
      int h = s.h();
      int d = s.d();
      short[] data = s.data();
      Volume v = Volume.ofUnsignedShorts(data, w, h, d, VoxelSize.UNIT);
      Projections p = Projections.newBuilder().intensityRange(0, 4000).build();
      BufferedImage xy = p.render(v, null, null, Plane.XY);
      BufferedImage xz = p.render(v, null, null, Plane.XZ);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int m = 0;
          for (int z = 0; z < d; z++) {
            m = Math.max(m, data[x + w * (y + h * z)] & 0xffff);
          }
          assertEquals(gray((int) Math.round(255.0 * m / 4000)), rgb(xy, x, y));
        }
      }
      for (int z = 0; z < d; z++) {
        for (int x = 0; x < w; x++) {
          int m = 0;
          for (int y = 0; y < h; y++) {
            m = Math.max(m, data[x + w * (y + h * z)] & 0xffff);
          }
          assertEquals(gray((int) Math.round(255.0 * m / 4000)), rgb(xz, x, z));
        }
      }
    });
  }

  @Test
  void zoomRepeatsEveryPixelAsABlock() {
    var mask = ArrayImgs.unsignedBytes(3, 2, 2);
    mask.randomAccess().setPositionAndGet(1, 0, 1).set(1);
    NeuronTree tree = NeuronTree.of(List.of(
        new SwcNode(1, 1, 0, 1, 0, 1, SwcNode.NO_PARENT),
        new SwcNode(2, 3, 2, 1, 2, 1, 1)));
    for (Plane plane : Plane.values()) {
      BufferedImage base = Projections.newBuilder().build().render(tiny(), mask, tree, plane);
      BufferedImage big = Projections.newBuilder().zoom(3).build()
          .render(tiny(), mask, tree, plane);
      assertEquals(base.getWidth() * 3, big.getWidth());
      assertEquals(base.getHeight() * 3, big.getHeight());
      for (int y = 0; y < big.getHeight(); y++) {
        for (int x = 0; x < big.getWidth(); x++) {
          assertEquals(rgb(base, x / 3, y / 3), rgb(big, x, y), plane + " " + x + "," + y);
        }
      }
    }
    assertThrows(InvalidInputException.class, () -> Projections.newBuilder().zoom(0));
  }

  @Test
  void writesReadablePngs(@TempDir Path tmp) throws IOException {
    Path a = tmp.resolve("pics/xy.png");
    Path b = tmp.resolve("pics/xz.png");
    Projections p = Projections.newBuilder().build();
    p.writePngs(tiny(), null, null, a, b);
    BufferedImage xy = ImageIO.read(a.toFile());
    BufferedImage expected = p.render(tiny(), null, null, Plane.XY);
    for (int y = 0; y < 2; y++) {
      for (int x = 0; x < 3; x++) {
        assertEquals(rgb(expected, x, y), rgb(xy, x, y));
      }
    }
    assertEquals(4, ImageIO.read(b.toFile()).getHeight());
  }

  @Test
  void rejectsMismatchedMaskAndBadSettings() {
    var mask = ArrayImgs.unsignedBytes(3, 2, 3);
    assertThrows(InvalidInputException.class,
        () -> Projections.newBuilder().build().render(tiny(), mask, null, Plane.XY));
    assertThrows(InvalidInputException.class, () -> Projections.newBuilder().maskOpacity(2));
    assertThrows(InvalidInputException.class,
        () -> Projections.newBuilder().intensityRange(1, 1));
  }

  @Test
  void smallVolumesArePicturedEnlargedToAReadableSize() {
    assertEquals(8, Projections.readableZoom(Volume.ofUnsignedBytes(new byte[40 * 36 * 2], 40,
        36, 2, VoxelSize.UNIT)), "at most 8 times");
    assertEquals(5, Projections.readableZoom(Volume.ofUnsignedBytes(new byte[96 * 98], 96, 98, 1,
        VoxelSize.UNIT)), "a 96 x 98 volume: 490 pixels high");
    assertEquals(1, Projections.readableZoom(Volume.ofUnsignedBytes(new byte[600 * 20], 600, 20,
        1, VoxelSize.UNIT)));
  }
}
