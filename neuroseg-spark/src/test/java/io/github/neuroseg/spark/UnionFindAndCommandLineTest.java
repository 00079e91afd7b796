package io.github.neuroseg.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.Volumes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The union-find's merge, and the command line without a Spark context. */
class UnionFindAndCommandLineTest {
  @TempDir Path tmp;

  @Test
  void forestsMergedInAnyGroupingJoinWhatOneForestJoins() {
    qt().withFixedSeed(2L).withExamples(50).forAll(integers().between(1, 60),
        integers().between(0, 80), integers().between(1, 6), longs().all())
        .checkAssert((keys, edges, parts, seed) -> {
          SplittableRandom r = new SplittableRandom(seed);
          UnionFind one = new UnionFind();
          UnionFind[] split = new UnionFind[parts];
          for (int p = 0; p < parts; p++) {
            split[p] = new UnionFind();
          }
          // a plain reference: labels relabelled on every union
          int[] label = new int[keys];
          for (int k = 0; k < keys; k++) {
            label[k] = k;
          }
          for (int e = 0; e < edges; e++) {
            int a = r.nextInt(keys);
            int b = r.nextInt(keys);
            one.union(a * 1000L, b * 1000L);
            split[r.nextInt(parts)].union(a * 1000L, b * 1000L);
            int la = label[a];
            int lb = label[b];
            for (int k = 0; k < keys; k++) {
              if (label[k] == lb) {
                label[k] = la;
              }
            }
          }
          UnionFind merged = split[0];
          for (int p = parts - 1; p > 0; p--) {
            merged = split[p].merge(merged);
          }
          for (int a = 0; a < keys; a++) {
            int smallest = a;
            for (int k = 0; k < keys; k++) {
              if (label[k] == label[a]) {
                smallest = Math.min(smallest, k);
              }
            }
            assertEquals(smallest * 1000L, one.find(a * 1000L), "the smallest key represents");
            assertEquals(one.find(a * 1000L), merged.find(a * 1000L));
          }
        });
  }

  @Test
  void usageErrorsExitWithTwoAndGenerateWritesTheVolume() {
    assertEquals(2, run("frobnicate"));
    assertEquals(2, run("segment", "--input"));
    assertEquals(2, run("generate", "--size", "10,10"));
    assertEquals(2, run("generate", "--output", tmp.resolve("v.zarr").toString(), "--neurons",
        "many"));
    Path v = tmp.resolve("v.zarr");
    assertEquals(0, run("generate", "--output", v.toString(), "--size", "40,30,9", "--neurons",
        "2", "--chunk", "16"));
    Volume vol = Volumes.read(v);
    assertArrayEquals(new long[] {40, 30, 9}, vol.dimensions());
    assertEquals(1, run("generate", "--output", tmp.resolve("w.zarr").toString(), "--size",
        "0,4,4"));
    // the same seed, the same voxels; bright neurites over a background of 100 .. 163
    Path again = tmp.resolve("again.zarr");
    run("generate", "--output", again.toString(), "--size", "40,30,9", "--neurons", "2",
        "--chunk", "8");
    double max = 0;
    var a = net.imglib2.view.Views.flatIterable(vol.image()).cursor();
    var b = net.imglib2.view.Views.flatIterable(Volumes.read(again).image()).cursor();
    while (a.hasNext()) {
      double x = a.next().getRealDouble();
      assertEquals(x, b.next().getRealDouble());
      assertTrue(x >= 100);
      max = Math.max(max, x);
    }
    assertTrue(max > 500, "neurites drawn: " + max);
  }

  private static int run(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    return SparkMain.run(args, ps, ps);
  }
}
