package io.github.neuroseg.segmentation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.volume.VoxelSize;
import java.util.ArrayDeque;
import java.util.List;
import net.imglib2.img.array.ArrayImgs;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

class PostProcessingTest {
  private static final float[] LEVELS = {0.1f, 0.3f, 0.6f, 0.9f};

  /** A small volume as (nx, ny, nz, probability levels in raster order). */
  record Case(int nx, int ny, int nz, float[] p) {}

  private static Gen<Case> cases() {
    return integers().between(1, 6).zip(integers().between(1, 6), integers().between(1, 5),
        (x, y, z) -> new int[] {x, y, z}).flatMap(d -> lists().of(integers().between(0, 3))
        .ofSize(d[0] * d[1] * d[2]).map(levels -> {
          float[] p = new float[levels.size()];
          for (int i = 0; i < p.length; i++) {
            p[i] = LEVELS[levels.get(i)];
          }
          return new Case(d[0], d[1], d[2], p);
        }));
  }

  /** Breadth-first labelling of 26-connected components on the dense grid. */
  private static byte[] reference(Case c, double high, double low, int minSize) {
    int n = c.p.length;
    int[] label = new int[n];
    java.util.Arrays.fill(label, -1);
    byte[] out = new byte[n];
    for (int s = 0; s < n; s++) {
      if (label[s] >= 0 || c.p[s] < low) {
        continue;
      }
      List<Integer> members = new java.util.ArrayList<>();
      boolean strong = false;
      ArrayDeque<Integer> q = new ArrayDeque<>();
      q.add(s);
      label[s] = s;
      while (!q.isEmpty()) {
        int i = q.poll();
        members.add(i);
        strong |= c.p[i] >= high;
        int x = i % c.nx;
        int y = i / c.nx % c.ny;
        int z = i / (c.nx * c.ny);
        for (int dz = -1; dz <= 1; dz++) {
          for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
              int xx = x + dx;
              int yy = y + dy;
              int zz = z + dz;
              if (xx < 0 || yy < 0 || zz < 0 || xx >= c.nx || yy >= c.ny || zz >= c.nz) {
                continue;
              }
              int j = (zz * c.ny + yy) * c.nx + xx;
              if (label[j] < 0 && c.p[j] >= low) {
                label[j] = s;
                q.add(j);
              }
            }
          }
        }
      }
      if (strong && members.size() >= minSize) {
        for (int i : members) {
          out[i] = 1;
        }
      }
    }
    return out;
  }

  @Test
  void hysteresisAndComponentRemovalMatchABreadthFirstReference() {
    qt().withFixedSeed(41).withExamples(300)
        .forAll(cases(), integers().between(1, 3), integers().between(0, 3),
            integers().between(0, 6))
        .checkAssert((c, hi, lo, min) -> {
          double high = LEVELS[hi];
          double low = LEVELS[Math.min(lo, hi)];
          Segmentation s = new Segmentation(ArrayImgs.floats(c.p, c.nx, c.ny, c.nz), high,
              VoxelSize.UNIT);
          byte[] got = new PostProcessing(low, min).apply(s).update(null)
              .getCurrentStorageArray();
          assertArrayEquals(reference(c, high, low, min), got,
              c.nx + "x" + c.ny + "x" + c.nz + " high " + high + " low " + low + " min " + min);
        });
  }

  @Test
  void noneIsTheSegmentationsMask() {
    qt().withFixedSeed(42).withExamples(100).forAll(cases(), integers().between(0, 3))
        .checkAssert((c, hi) -> {
          Segmentation s = new Segmentation(ArrayImgs.floats(c.p, c.nx, c.ny, c.nz),
              LEVELS[hi], VoxelSize.UNIT);
          byte[] got = PostProcessing.NONE.apply(s).update(null).getCurrentStorageArray();
          for (int i = 0; i < c.p.length; i++) {
            assertEquals(c.p[i] >= LEVELS[hi] ? 1 : 0, got[i]);
          }
        });
  }

  @Test
  void badValuesAreRejected() {
    assertEquals("low threshold must be in [0, 1], got 1.5",
        assertThrows(InvalidInputException.class, () -> new PostProcessing(1.5, 0))
            .getMessage());
    assertEquals("minimum component size must be >= 0 voxels, got -1",
        assertThrows(InvalidInputException.class, () -> new PostProcessing(0.2, -1))
            .getMessage());
  }
}
