package io.github.neuroseg.model.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.segmentation.Blending;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

class TilePlanTest {
  private static final long SEED = 424242L;

  /** Plan parameters: tiles from 1 to 24, volumes from 1 to 3 tiles (plus 2), odd depths. */
  static Gen<TilePlan> plans() {
    Gen<Integer> tiles = integers().between(1, 24);
    return in -> {
      int tw = tiles.generate(in);
      int th = tiles.generate(in);
      int overlap = integers().between(0, Math.min(tw, th) - 1).generate(in);
      int w = integers().between(1, 3 * tw + 2).generate(in);
      int h = integers().between(1, 3 * th + 2).generate(in);
      int z = integers().between(1, 6).generate(in);
      int d = 1 + 2 * integers().between(0, 3).generate(in);
      return TilePlan.of(w, h, z, tw, th, overlap, d);
    };
  }

  /** Reference mirror: walk step by step, bouncing off both ends. */
  private static int naiveMirror(long i, int n) {
    if (n == 1) {
      return 0;
    }
    long pos = 0;
    int dir = i >= 0 ? 1 : -1;
    int stepDir = dir;
    for (long k = 0; k < Math.abs(i); k++) {
      if (pos + stepDir < 0 || pos + stepDir >= n) {
        stepDir = -stepDir;
      }
      pos += stepDir;
    }
    return (int) pos;
  }

  @Test
  void mirrorReflectsWithoutRepeatingTheEdge() {
    assertEquals(1, TilePlan.mirror(-1, 5));
    assertEquals(3, TilePlan.mirror(5, 5));
    assertEquals(0, TilePlan.mirror(8, 5));
    assertEquals(0, TilePlan.mirror(-7, 1));
    qt().withFixedSeed(SEED).withExamples(2000)
        .forAll(integers().between(-100, 100), integers().between(1, 12))
        .checkAssert((i, n) -> assertEquals(naiveMirror(i, n), TilePlan.mirror(i, n),
            i + " in " + n));
  }

  @Test
  void tilesCoverEveryVoxelAndStayInsideThePaddedVolume() {
    qt().withFixedSeed(SEED).withExamples(400).forAll(plans()).checkAssert(p -> {
      int[] cover = new int[p.width() * p.height()];
      for (long i = 0; i < p.tileCount(); i++) {
        TilePlan.Tile t = p.tile(i);
        assertEquals(i, t.index());
        assertEquals(i / p.tilesPerSlice(), t.z(), "z-major order");
        assertTrue(t.x0() >= 0 && t.x0() + p.tileWidth() <= Math.max(p.width(), p.tileWidth()),
            p + " " + t);
        assertTrue(t.y0() >= 0 && t.y0() + p.tileHeight() <= Math.max(p.height(),
            p.tileHeight()), p + " " + t);
        if (t.z() == 0) {
          for (int y = t.y0(); y < Math.min(p.height(), t.y0() + p.tileHeight()); y++) {
            for (int x = t.x0(); x < Math.min(p.width(), t.x0() + p.tileWidth()); x++) {
              cover[y * p.width() + x]++;
            }
          }
        }
        for (int k = 0; k < p.inputDepth(); k++) {
          int s = p.inputSlice(t.z(), k);
          assertTrue(s >= 0 && s < p.depth());
          assertTrue(Math.abs(s - t.z()) <= p.inputDepth() / 2, "slab stays near z");
        }
        assertEquals(t.z(), p.inputSlice(t.z(), p.inputDepth() / 2), "centre is z");
      }
      for (int c : cover) {
        assertTrue(c >= 1, "every voxel covered: " + p);
      }
      // neighbours overlap by at least `overlap` (or the volume is a single tile wide)
      for (int axis = 0; axis < 2; axis++) {
        int[] pos = axis == 0 ? p.xPositions() : p.yPositions();
        int tile = axis == 0 ? p.tileWidth() : p.tileHeight();
        for (int i = 1; i < pos.length; i++) {
          assertTrue(pos[i] > pos[i - 1], "increasing");
          assertTrue(pos[i] - pos[i - 1] <= tile - p.overlap(), p.toString());
        }
      }
    });
  }

  @Test
  void badParametersAreRejected() {
    assertThrows(InvalidInputException.class, () -> TilePlan.of(0, 5, 5, 4, 4, 1, 1));
    assertThrows(InvalidInputException.class, () -> TilePlan.of(5, 5, 5, 4, 4, 4, 1));
    assertThrows(InvalidInputException.class, () -> TilePlan.of(5, 5, 5, 4, 4, 1, 2));
    assertThrows(InvalidInputException.class, () -> TilePlan.of(5, 5, 5, 0, 4, 0, 1));
  }

  /** What the identity model sees for a tile: the centre slice, mirror-padded. */
  private static float[] tileOf(float[] slice, TilePlan p, TilePlan.Tile t) {
    float[] out = new float[p.tileWidth() * p.tileHeight()];
    for (int y = 0; y < p.tileHeight(); y++) {
      for (int x = 0; x < p.tileWidth(); x++) {
        int sx = TilePlan.mirror(t.x0() + x, p.width());
        int sy = TilePlan.mirror(t.y0() + y, p.height());
        out[y * p.tileWidth() + x] = slice[sy * p.width() + sx];
      }
    }
    return out;
  }

  @Test
  void identityTilesStitchBackExactlyAndConstantsStayConstant() {
    qt().withFixedSeed(SEED).withExamples(300)
        .forAll(plans(), integers().between(0, 2), longs().all(), doubles().between(0, 1))
        .checkAssert((p, blend, fill, constant) -> {
          // the slice's values do not matter to the property, its size (the plan's) does: a
          // seeded fill with values over seven orders of magnitude
          SplittableRandom r = new SplittableRandom(fill);
          Stitcher s = new Stitcher(p, Blending.values()[blend]);
          for (double w : s.window()) {
            assertTrue(w > 0, "window never zero");
          }
          float[] slice = new float[p.width() * p.height()];
          for (int i = 0; i < slice.length; i++) {
            slice[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3));
          }
          float c = (float) (double) constant;
          double[] acc = s.newAccumulator();
          double[] accC = s.newAccumulator();
          float[] constTile = new float[p.tileWidth() * p.tileHeight()];
          java.util.Arrays.fill(constTile, c);
          for (int i = 0; i < p.tilesPerSlice(); i++) {
            TilePlan.Tile t = p.tile(i);
            // predictions beyond the volume are garbage on purpose: they must be ignored
            float[] pred = new float[constTile.length + 3];
            System.arraycopy(tileOf(slice, p, t), 0, pred, 3, constTile.length);
            s.add(acc, t, pred, 3);
            s.add(accC, t, constTile, 0);
          }
          float[] out = new float[slice.length];
          s.finish(acc, out);
          assertTrue(java.util.Arrays.equals(slice, out), "identity exact for " + p);
          s.finish(accC, out);
          for (float v : out) {
            assertEquals(c, v, 0f);
          }
          for (int y = 0; y < p.height(); y++) {
            for (int x = 0; x < p.width(); x++) {
              assertTrue(s.weightAt(x, y) > 0);
            }
          }
        });
  }

  @Test
  void windowProfilesAreTheDocumentedOnes() {
    double[] g = Stitcher.profile(Blending.GAUSSIAN, 16);
    double sigma = 2.0;
    for (int i = 0; i < 16; i++) {
      assertEquals(Math.exp(-Math.pow(i - 7.5, 2) / (2 * sigma * sigma)), g[i], 1e-15);
    }
    assertEquals(g[0], g[15], 0);
    double[] l = Stitcher.profile(Blending.LINEAR, 5);
    assertEquals(java.util.List.of(1.0, 2.0, 3.0, 2.0, 1.0),
        java.util.Arrays.stream(l).boxed().toList());
    assertEquals(1.0, Stitcher.profile(Blending.GAUSSIAN, 1)[0]);
    for (double v : Stitcher.profile(Blending.GAUSSIAN, 1000)) {
      assertTrue(v > 1e-4, "edge weight about exp(-8)");
    }
  }
}
