package io.github.neuroseg.benchmarks;

import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.VoxelSize;
import io.github.neuroseg.volume.chunked.ChunkedFormat;
import io.github.neuroseg.volume.chunked.ChunkedReader;
import io.github.neuroseg.volume.chunked.ChunkedWriter;
import io.github.neuroseg.volume.chunked.Codec;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;
import net.imglib2.Cursor;
import net.imglib2.IterableInterval;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.position.FunctionRandomAccessible;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.view.Views;

/**
 * Chunked volumes larger than the heap: writes a {@code W x H x D} 16-bit volume that exists only
 * as a function of the voxel position (a lazy imglib2 image, never in memory) block by block as
 * a chunked store, then opens the store lazily and sums every voxel in the image's own (chunk by
 * chunk) order, and checks the sum against the function summed directly. Run it with a heap
 * smaller than the volume ({@code scripts/bench-chunked} uses {@code -Xmx256m} for 1 GiB).
 *
 * <p>Usage: {@code ChunkedIoBenchmark [W H D] [format] [codec] [dir]}, defaults 1024 1024 512,
 * {@code zarr} (OME-Zarr 0.4; or {@code zarr3}, {@code n5}), {@code blosc-lz4} (or {@code raw},
 * {@code gzip}, {@code zstd}, {@code blosc-zstd}), a temporary folder (deleted afterwards). Ends
 * with {@code BENCH chunked write_mb_s=<x> read_mb_s=<x> mb=<x> store_mb=<x> heap_mb=<x>
 * sum_ok=<true|false>}.
 */
public final class ChunkedIoBenchmark {
  private ChunkedIoBenchmark() {}

  /** The voxel at (x, y, z): smooth ramps plus hashed noise, as a microscope's background. */
  static int value(long x, long y, long z) {
    long h = (x * 0x9E3779B97F4A7C15L) ^ (y * 0xC2B2AE3D27D4EB4FL) ^ (z * 0x165667B19E3779F9L);
    h ^= h >>> 29;
    return (int) (((x + 2 * y + 3 * z) & 1023) + (h & 63)) & 0xffff;
  }

  /**
   * Runs the benchmark.
   *
   * @param args see the class description
   * @throws IOException when the folder cannot be used
   */
  public static void main(String[] args) throws IOException {
    long w = args.length > 2 ? Long.parseLong(args[0]) : 1024;
    long h = args.length > 2 ? Long.parseLong(args[1]) : 1024;
    long d = args.length > 2 ? Long.parseLong(args[2]) : 512;
    int k = args.length > 2 ? 3 : 0;
    String format = args.length > k ? args[k] : "zarr";
    String codecName = args.length > k + 1 ? args[k + 1] : "blosc-lz4";
    Path dir = args.length > k + 2 ? Path.of(args[k + 2]) : Files.createTempDirectory(
        "neuroseg-chunked-bench");
    boolean temporary = args.length <= k + 2;
    ChunkedFormat f = switch (format) {
      case "zarr" -> ChunkedFormat.OME_ZARR_0_4;
      case "zarr3" -> ChunkedFormat.OME_ZARR_0_5;
      case "n5" -> ChunkedFormat.N5;
      default -> throw new IllegalArgumentException("format: zarr, zarr3 or n5");
    };
    Codec codec = switch (codecName) {
      case "raw" -> Codec.raw();
      case "gzip" -> Codec.gzip(1);
      case "zstd" -> Codec.zstd();
      case "blosc-lz4" -> Codec.blosc(Codec.BloscCompressor.LZ4, Codec.BloscShuffle.BYTE);
      case "blosc-zstd" -> Codec.blosc(Codec.BloscCompressor.ZSTD, Codec.BloscShuffle.BYTE);
      default -> throw new IllegalArgumentException("codec: raw, gzip, zstd, blosc-lz4,"
          + " blosc-zstd");
    };
    double mb = w * h * d * 2 / 1e6;
    double heapMb = Runtime.getRuntime().maxMemory() / 1e6;
    System.out.printf(Locale.ROOT, "volume %d x %d x %d uint16 = %.1f MB, heap %.0f MB, %s %s,"
        + " %d threads%n", w, h, d, mb, heapMb, f, codec, Runtime.getRuntime()
        .availableProcessors());

    FunctionRandomAccessible<UnsignedShortType> fn = new FunctionRandomAccessible<>(3,
        (pos, t) -> t.set(value(pos.getLongPosition(0), pos.getLongPosition(1),
            pos.getLongPosition(2))), UnsignedShortType::new);
    RandomAccessibleInterval<UnsignedShortType> lazy = Views.interval(fn, new long[] {0, 0, 0},
        new long[] {w - 1, h - 1, d - 1});
    Path store = dir.resolve(f == ChunkedFormat.N5 ? "bench.n5" : "bench.zarr");
    try {
      long t0 = System.nanoTime();
      ChunkedWriter.newBuilder().format(f).codec(codec).build()
          .write(new Volume(lazy, VoxelSize.microns(0.3, 0.3, 1)), store);
      double writeS = (System.nanoTime() - t0) / 1e9;
      long storeBytes = size(store);
      System.out.printf(Locale.ROOT, "write %.1f s, %.1f MB/s; store %.1f MB%n", writeS,
          mb / writeS, storeBytes / 1e6);

      long t1 = System.nanoTime();
      Volume v = ChunkedReader.newBuilder().build().read(store);
      double sum = 0;
      long n = 0;
      // the image's own iteration order visits each chunk once
      Cursor<? extends RealType<?>> c = ((IterableInterval<? extends RealType<?>>) v.image())
          .cursor();
      while (c.hasNext()) {
        sum += c.next().getRealDouble();
        n++;
      }
      double readS = (System.nanoTime() - t1) / 1e9;
      System.out.printf(Locale.ROOT, "read and sum %.1f s, %.1f MB/s (cache %d MB); %d voxels,"
          + " sum %.0f%n", readS, mb / readS, ChunkedReader.defaultCacheBytes() >> 20, n, sum);

      double want = 0;
      for (long z = 0; z < d; z++) {
        for (long y = 0; y < h; y++) {
          long row = 0;
          for (long x = 0; x < w; x++) {
            row += value(x, y, z);
          }
          want += row;
        }
      }
      boolean ok = want == sum && n == w * h * d;
      System.out.printf(Locale.ROOT, "direct sum of the function %.0f: %s%n", want,
          ok ? "equal" : "DIFFERENT");
      System.out.printf(Locale.ROOT, "BENCH chunked write_mb_s=%.1f read_mb_s=%.1f mb=%.1f"
          + " store_mb=%.1f heap_mb=%.0f sum_ok=%s%n", mb / writeS, mb / readS, mb,
          storeBytes / 1e6, heapMb, ok);
      if (!ok) {
        System.exit(1);
      }
    } finally {
      if (temporary) {
        delete(dir);
      }
    }
  }

  private static long size(Path dir) throws IOException {
    long[] total = {0};
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        total[0] += attrs.size();
        return FileVisitResult.CONTINUE;
      }
    });
    return total[0];
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
