package io.github.neuroseg.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.internal.VoxelRows;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.cell.CellImgFactory;
import net.imglib2.img.planar.PlanarImgs;
import net.imglib2.type.NativeType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.IntType;
import net.imglib2.type.numeric.integer.ShortType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.DoubleType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;
import org.junit.jupiter.api.Test;

/**
 * The statistics do not depend on how an image is stored or on how many threads read it: array,
 * plane and cell images (the last read through a cursor, one thread) of volumes large enough to
 * be split into parallel parts give bit-identical summaries and percentiles, equal to sorting.
 */
class OrderStatisticsStorageTest {
  private static final double[] QS = {0, 0.5, 1, 25, 50, 99, 99.5, 100};

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static List<Img<? extends RealType<?>>> stores(int kind, int w, int h, int d,
      double[] values) {
    Img array = switch (kind) {
      case 0 -> ArrayImgs.unsignedBytes(w, h, d);
      case 1 -> ArrayImgs.unsignedShorts(w, h, d);
      case 2 -> ArrayImgs.shorts(w, h, d);
      case 3 -> ArrayImgs.ints(w, h, d);
      case 4 -> ArrayImgs.floats(w, h, d);
      default -> ArrayImgs.doubles(w, h, d);
    };
    Img planar = switch (kind) {
      case 0 -> PlanarImgs.unsignedBytes(w, h, d);
      case 1 -> PlanarImgs.unsignedShorts(w, h, d);
      case 2 -> PlanarImgs.shorts(w, h, d);
      case 3 -> PlanarImgs.ints(w, h, d);
      case 4 -> PlanarImgs.floats(w, h, d);
      default -> PlanarImgs.doubles(w, h, d);
    };
    Img cells = (Img) new CellImgFactory((NativeType) type(kind), 17, 13, 5).create(w, h, d);
    List<Img<? extends RealType<?>>> all = List.of(array, planar, cells);
    for (Img<? extends RealType<?>> img : all) {
      Cursor<? extends RealType<?>> c = Views.flatIterable(img).cursor();
      int i = 0;
      while (c.hasNext()) {
        c.next().setReal(values[i++]);
      }
    }
    return all;
  }

  private static RealType<?> type(int kind) {
    return switch (kind) {
      case 0 -> new UnsignedByteType();
      case 1 -> new UnsignedShortType();
      case 2 -> new ShortType();
      case 3 -> new IntType();
      case 4 -> new FloatType();
      default -> new DoubleType();
    };
  }

  private static double value(int kind, SplittableRandom r, boolean sparse) {
    if (sparse && r.nextInt(10) < 8) {
      return 0;
    }
    return switch (kind) {
      case 0 -> r.nextInt(256);
      case 1 -> r.nextInt(65536);
      case 2 -> r.nextInt(-32768, 32768);
      case 3 -> r.nextInt();
      case 4 -> (float) (r.nextGaussian() * 1e3);
      default -> r.nextGaussian() * 1e9;
    };
  }

  @Test
  void everyStorageGivesTheSameExactStatistics() {
    qt().withExamples(12).forAll(integers().between(0, 5), integers().between(64, 90),
            integers().between(64, 80), longs().all())
        .checkAssert((kind, w, d, seed) -> {
          int h = 64;
          SplittableRandom r = new SplittableRandom(seed);
          boolean sparse = r.nextBoolean();
          double[] values = new double[w * h * d];
          for (int i = 0; i < values.length; i++) {
            values[i] = value(kind, r, sparse);
          }
          double[] sorted = values.clone();
          Arrays.sort(sorted);
          double[] nz = Arrays.stream(sorted).filter(v -> v != 0).toArray();
          List<Img<? extends RealType<?>>> imgs =
              stores(kind, w, h, d, values);
          // large enough to be read in parallel parts where the storage allows it
          assertTrue(values.length >= 1 << 18);
          assertTrue(VoxelRows.of(imgs.get(0)).direct() && VoxelRows.of(imgs.get(1)).direct());
          OrderStatistics.Summary first = null;
          double[] firstP = null;
          for (Img<? extends RealType<?>> img : imgs) {
            OrderStatistics.Source src = OrderStatistics.source(img);
            OrderStatistics.Summary s = src.summary();
            double[] p = src.percentiles(s, false, QS);
            assertEquals(values.length, s.count());
            assertEquals(nz.length, s.nonZero());
            assertEquals(sorted[0], s.min());
            assertEquals(sorted[sorted.length - 1], s.max());
            for (int i = 0; i < QS.length; i++) {
              double rank = QS[i] / 100 * (sorted.length - 1);
              int k = (int) rank;
              double want = rank > k ? sorted[k] + (rank - k) * (sorted[k + 1] - sorted[k])
                  : sorted[k];
              assertEquals(want, p[i], Math.abs(want) * 1e-12, "q=" + QS[i] + " " + img);
            }
            if (nz.length > 0) {
              double[] pz = src.percentiles(s, true, QS);
              assertEquals(nz[0], pz[0]);
              assertEquals(nz[nz.length - 1], pz[QS.length - 1]);
            }
            if (first == null) {
              first = s;
              firstP = p;
            } else {
              assertEquals(first, s, "summary of " + img);
              assertArrayEquals(firstP, p, 0.0, "percentiles of " + img);
            }
          }
        });
  }

  @Test
  void theFirstNonFiniteVoxelIsNamedWhicheverPartMeetsIt() {
    int w = 70;
    int h = 64;
    int d = 80;
    float[] data = new float[w * h * d];
    data[(60 * h + 3) * w + 5] = Float.NaN;
    data[(10 * h + 7) * w + 2] = Float.POSITIVE_INFINITY;
    for (RandomAccessibleInterval<FloatType> img : List.of(ArrayImgs.floats(data, w, h, d),
        Views.interval(ArrayImgs.floats(data, w, h, d), new long[] {0, 0, 0},
            new long[] {w - 1, h - 1, d - 1}))) {
      InvalidInputException e = assertThrows(InvalidInputException.class,
          () -> OrderStatistics.summary(img));
      assertTrue(e.getMessage().contains("voxel at [2, 7, 10] is Infinity"), e.getMessage());
    }
  }

  @Test
  void rowsOfEveryKindReadTheCursorsValues() {
    qt().withExamples(30).forAll(integers().between(0, 5), integers().between(1, 9),
            integers().between(1, 5), longs().all())
        .checkAssert((kind, w, d, seed) -> {
          SplittableRandom r = new SplittableRandom(seed);
          int h = 3;
          double[] values = new double[w * h * d];
          for (int i = 0; i < values.length; i++) {
            values[i] = value(kind, r, false);
          }
          List<Img<? extends RealType<?>>> imgs =
              stores(kind, w, h, d, values);
          for (Img<? extends RealType<?>> img : imgs) {
            VoxelRows rows = VoxelRows.of(img);
            assertEquals(h * d, rows.rows());
            VoxelRows.Reader all = rows.reader(0, rows.rows());
            double[] row = new double[w];
            for (int y = 0; y < rows.rows(); y++) {
              all.read(row);
              assertArrayEquals(Arrays.copyOfRange(values, y * w, (y + 1) * w), row, 0.0,
                  "row " + y + " of " + img);
            }
            // a reader that starts mid-image (a slice, or a single row) reads the same rows
            int at = (d - 1) * h + 1;
            VoxelRows.Reader from = rows.reader(at, at + 1);
            float[] out = new float[w];
            int bad = from.normalize(out, 0, 1.0, 0.5, new double[w]);
            assertEquals(-1, bad);
            for (int x = 0; x < w; x++) {
              assertEquals((float) ((values[at * w + x] - 1.0) * 0.5), out[x]);
            }
          }
        });
  }
}
