package io.github.neuroseg.trace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.synth.GroundTruth;
import io.github.neuroseg.synth.NeuronGenerator;
import io.github.neuroseg.tracing.TraceInput;
import io.github.neuroseg.tracing.Tracer;
import io.github.neuroseg.volume.VoxelSize;
import java.util.List;
import java.util.SplittableRandom;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.planar.PlanarImgs;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;
import org.junit.jupiter.api.Test;

/**
 * The foreground scan reads arrays directly and in parallel parts of rows: the result must be
 * the one of a single raster-order pass through a cursor, for every storage and pixel type.
 */
class ForegroundScanTest {

  /** A sparse volume: mostly zeros, runs of foreground, values of the kind's range. */
  private static double[] sparse(int kind, int n, SplittableRandom r) {
    double[] v = new double[n];
    int i = 0;
    while (i < n) {
      i += r.nextInt(1, 200);
      int run = r.nextInt(1, 12);
      for (int k = 0; k < run && i < n; k++, i++) {
        v[i] = switch (kind) {
          case 0 -> r.nextInt(1, 256);
          case 1 -> r.nextInt(1, 65536);
          default -> (float) r.nextDouble();
        };
      }
    }
    return v;
  }

  private static Img<? extends RealType<?>> image(int kind, boolean planar, int w, int h, int d,
      double[] values) {
    Img<? extends RealType<?>> img = switch (kind) {
      case 0 -> planar ? PlanarImgs.unsignedBytes(w, h, d) : ArrayImgs.unsignedBytes(w, h, d);
      case 1 -> planar ? PlanarImgs.unsignedShorts(w, h, d) : ArrayImgs.unsignedShorts(w, h, d);
      default -> planar ? PlanarImgs.floats(w, h, d) : ArrayImgs.floats(w, h, d);
    };
    Cursor<? extends RealType<?>> c = Views.flatIterable(img).cursor();
    int i = 0;
    while (c.hasNext()) {
      c.next().setReal(values[i++]);
    }
    return img;
  }

  private static RandomAccessibleInterval<? extends RealType<?>> view(
      RandomAccessibleInterval<? extends RealType<?>> img) {
    return Views.interval(img, img);
  }

  @Test
  void partsAndArraysGiveTheSingleCursorPassesForeground() {
    qt().withExamples(6).forAll(integers().between(0, 2), integers().between(0, 2),
            longs().all())
        .checkAssert((kind, thresholdKind, seed) -> {
          SplittableRandom r = new SplittableRandom(seed);
          int w = 101 + r.nextInt(60);
          int h = 97;
          int d = 110 + r.nextInt(20);
          double[] values = sparse(kind, w * h * d, r);
          double[] grays = new double[values.length];
          for (int i = 0; i < grays.length; i++) {
            grays[i] = r.nextInt(4096);
          }
          double threshold = switch (thresholdKind) {
            case 0 -> 0.5;
            case 1 -> kind == 2 ? 0.25 : 37.5;
            default -> 0;
          };
          Img<? extends RealType<?>> array = image(kind, false, w, h, d, values);
          Img<? extends RealType<?>> planar = image(kind, true, w, h, d, values);
          Img<? extends RealType<?>> gray = image(1, false, w, h, d, grays);
          ForegroundSet ref = ForegroundSet.of(view(array), threshold, view(gray));
          assertTrue(w * h * d >= 1 << 20, "large enough for parallel parts");
          for (ForegroundSet fg : List.of(ForegroundSet.of(array, threshold, gray),
              ForegroundSet.of(planar, threshold, image(1, true, w, h, d, grays)),
              ForegroundSet.of(array, threshold, view(gray)))) {
            assertArrayEquals(ref.rowStart, fg.rowStart);
            assertArrayEquals(ref.xs, fg.xs);
            assertArrayEquals(ref.rows, fg.rows);
            assertArrayEquals(ref.values, fg.values);
            assertArrayEquals(ref.intensities, fg.intensities);
          }
          int expected = 0;
          for (double v : values) {
            expected += v >= threshold ? 1 : 0;
          }
          assertEquals(expected, ref.size());
        });
  }

  @Test
  void aNeuronInALargeEmptyVolumeTracesAsInItsOwnBox() {
    NeuronTree t = NeuronGenerator.newBuilder().bounds(96, 96, 64).seed(11).build().generate();
    var small = GroundTruth.render(t, new long[] {96, 96, 64}, VoxelSize.UNIT);
    byte[] s = small.update(null).getCurrentStorageArray();
    int w = 400;
    int h = 300;
    int d = 64;
    byte[] big = new byte[w * h * d];
    for (int z = 0; z < 64; z++) {
      for (int y = 0; y < 96; y++) {
        System.arraycopy(s, (z * 96 + y) * 96, big, (z * h + y) * w, 96);
      }
    }
    Tracer tracer = NeuroSeg.tracer().build();
    NeuronTree inBox = tracer.trace(TraceInput.of(small, VoxelSize.UNIT));
    NeuronTree inLarge = tracer.trace(TraceInput.of(ArrayImgs.unsignedBytes(big, w, h, d),
        VoxelSize.UNIT));
    NeuronTree throughCursor = tracer.trace(TraceInput.of(
        view(ArrayImgs.unsignedBytes(big, w, h, d)), VoxelSize.UNIT));
    assertTrue(inBox.size() > 10, "a neuron was traced: " + inBox.size() + " nodes");
    assertEquals(inBox.nodes(), inLarge.nodes());
    assertEquals(inBox.nodes(), throughCursor.nodes());
  }
}
