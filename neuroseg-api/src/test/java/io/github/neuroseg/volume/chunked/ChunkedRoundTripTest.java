package io.github.neuroseg.volume.chunked;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.NeuroSegIOException;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.Volumes;
import io.github.neuroseg.volume.VoxelSize;
import io.github.neuroseg.volume.chunked.Codec.BloscCompressor;
import io.github.neuroseg.volume.chunked.Codec.BloscShuffle;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.converter.Converters;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgFactory;
import net.imglib2.type.NativeType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.ByteType;
import net.imglib2.type.numeric.integer.IntType;
import net.imglib2.type.numeric.integer.ShortType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedIntType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.DoubleType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Write-then-read round trips through every format, codec, type and chunking. */
class ChunkedRoundTripTest {
  private static final long SEED = 20261201L;

  @TempDir Path tmp;

  static final NativeType<?>[] TYPES = {new UnsignedByteType(), new ByteType(),
      new UnsignedShortType(), new ShortType(), new UnsignedIntType(), new IntType(),
      new FloatType(), new DoubleType()};

  /** A random image of one of the eight types, values over the type's whole range. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static Img<? extends RealType<?>> randomImage(int typeIndex, long[] dims, long seed) {
    NativeType t = TYPES[typeIndex];
    Img img = new ArrayImgFactory(t).create(dims);
    SplittableRandom r = new SplittableRandom(seed);
    Cursor<? extends RealType<?>> c = img.cursor();
    RealType<?> probe = (RealType<?>) t;
    while (c.hasNext()) {
      RealType<?> v = c.next();
      if (probe instanceof FloatType || probe instanceof DoubleType) {
        v.setReal(r.nextInt(8) == 0 ? -0.0 : (r.nextDouble() - 0.5) * Math.pow(10,
            r.nextInt(-20, 20)));
      } else {
        double lo = probe.getMinValue();
        double hi = probe.getMaxValue();
        v.setReal(Math.floor(lo + r.nextDouble() * (hi - lo + 1)));
      }
    }
    return img;
  }

  static Codec codec(int i) {
    Codec[] all = {Codec.raw(), Codec.gzip(1), Codec.gzip(9), Codec.zstd(),
        Codec.blosc(BloscCompressor.LZ4, BloscShuffle.NONE),
        Codec.blosc(BloscCompressor.LZ4, BloscShuffle.BYTE),
        Codec.blosc(BloscCompressor.LZ4, BloscShuffle.BIT),
        Codec.blosc(BloscCompressor.ZSTD, BloscShuffle.BYTE),
        Codec.blosc(BloscCompressor.ZSTD, BloscShuffle.BIT),
        new Codec.Blosc(BloscCompressor.ZLIB, BloscShuffle.BYTE, 3),
        new Codec.Blosc(BloscCompressor.ZLIB, BloscShuffle.BIT, 9)};
    return all[i % all.length];
  }

  static void assertSameVoxels(RandomAccessibleInterval<? extends RealType<?>> want,
      Volume got, String what) {
    Cursor<? extends RealType<?>> a = Views.flatIterable(want).cursor();
    Cursor<? extends RealType<?>> b = Views.flatIterable(got.image()).cursor();
    while (a.hasNext()) {
      double x = a.next().getRealDouble();
      double y = b.next().getRealDouble();
      if (Double.doubleToLongBits(x) != Double.doubleToLongBits(y)) {
        assertEquals(x, y, what + " at " + a.positionAsPoint());
      }
    }
  }

  @Test
  void roundTripsEveryFormatCodecTypeAndChunking() {
    int[] counter = {0};
    qt().withFixedSeed(SEED).withExamples(50)
        .forAll(integers().between(1, 19), integers().between(1, 17), integers().between(1, 9),
            longs().all())
        .checkAssert((w, h, d, seed) -> {
          SplittableRandom r = new SplittableRandom(seed);
          int type = r.nextInt(TYPES.length);
          ChunkedFormat format = ChunkedFormat.values()[r.nextInt(3)];
          Codec codec = codec(r.nextInt(11));
          roundTrip(w, h, d, type, format, codec, r, seed, counter[0]++, 2);
        });
  }

  @Test
  void roundTripsEveryCodecWithEveryTypeInEveryFormat() {
    // every codec with every type; (codec + type) mod 3 also pairs each format with every codec
    // and every type
    SplittableRandom r = new SplittableRandom(SEED + 1);
    int k = 0;
    for (int c = 0; c < 11; c++) {
      for (int type = 0; type < TYPES.length; type++) {
        ChunkedFormat format = ChunkedFormat.values()[(c + type) % 3];
        // few chunk files per store: file creation dominates the time of these tests
        roundTrip(r.nextInt(1, 24), r.nextInt(1, 14), r.nextInt(1, 6), type, format, codec(c),
            r, r.nextLong(), 1000 + k++, 6);
      }
    }
  }

  private void roundTrip(int w, int h, int d, int type, ChunkedFormat format, Codec codec,
      SplittableRandom r, long seed, int n, int minChunk) {
          {
          int cx = r.nextInt(minChunk, 13);
          int cy = r.nextInt(minChunk, 13);
          int cz = r.nextInt(Math.min(minChunk, 4), 6);
          ByteOrder order = r.nextBoolean() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
          VoxelSize vs = r.nextInt(3) == 0 ? VoxelSize.UNIT : new VoxelSize(
              r.nextDouble(0.01, 10), r.nextDouble(0.01, 10), r.nextDouble(0.01, 10),
              r.nextBoolean() ? "micron" : "voxel");
          Img<? extends RealType<?>> img = randomImage(type, new long[] {w, h, d}, seed);
          Path out = tmp.resolve("rt" + n + (format == ChunkedFormat.N5 ? ".n5" : ".zarr"));
          ChunkedWriter.newBuilder().format(format).codec(codec).chunkSize(cx, cy, cz)
              .byteOrder(order).threads(1 + r.nextInt(3)).build()
              .write(new Volume(img, vs, "rt", java.util.Map.of()), out);
          Volume back = Volumes.read(out);
          String what = format + " " + codec + " " + TYPES[type].getClass().getSimpleName()
              + " " + w + "x" + h + "x" + d + " chunks " + cx + "x" + cy + "x" + cz + " " + order;
          assertEquals(TYPES[type].getClass(), back.image().getType().getClass(), what);
          assertEquals(vs, back.voxelSize(), what);
          assertEquals(w, back.width(), what);
          assertEquals(h, back.height(), what);
          assertEquals(d, back.depth(), what);
          assertSameVoxels(img, back, what);
          // a small cache (one chunk) gives the same voxels
          assertSameVoxels(img, ChunkedReader.newBuilder().cacheBytes(1).build().read(out),
              what + " with a one-chunk cache");
        }
  }

  @Test
  void writesLazyViewsAndOtherTypesAsFloat() throws IOException {
    // a lazy converted view (never materialised) of a type without an exact store type
    Img<? extends RealType<?>> src = randomImage(2, new long[] {20, 9, 5}, 7);
    RandomAccessibleInterval<FloatType> lazy = Converters.convert(
        (RandomAccessibleInterval<RealType<?>>) (RandomAccessibleInterval<?>) src,
        (a, b) -> b.setReal(a.getRealDouble() * 0.5), new FloatType());
    Path out = tmp.resolve("lazy.zarr");
    Volumes.write(new Volume(lazy, VoxelSize.microns(0.2, 0.2, 1)), out);
    Volume back = Volumes.read(out);
    assertInstanceOf(FloatType.class, back.image().getType());
    assertSameVoxels(lazy, back, "lazy view");
    assertTrue(Files.isRegularFile(out.resolve(".zattrs")));
    assertTrue(Files.isRegularFile(out.resolve("0/.zarray")));
    assertTrue(Files.isRegularFile(out.resolve("0/0/0/0")), "0/z/y/x chunk keys");
  }

  @Test
  void defaultsFollowTheName() throws IOException {
    Img<? extends RealType<?>> src = randomImage(2, new long[] {70, 3, 2}, 8);
    Volume v = new Volume(src, VoxelSize.microns(0.5, 0.5, 2));
    Volumes.write(v, tmp.resolve("a.n5"));
    Volumes.write(v, tmp.resolve("b.zarr"));
    String n5 = Files.readString(tmp.resolve("a.n5/attributes.json"));
    assertTrue(n5.contains("\"gzip\""), n5);
    assertTrue(n5.contains("\"blockSize\" : [ 64, 3, 2 ]") || n5.replaceAll("\\s", "")
        .contains("\"blockSize\":[64,3,2]"), n5);
    String zarray = Files.readString(tmp.resolve("b.zarr/0/.zarray"));
    assertTrue(zarray.contains("\"blosc\"") && zarray.contains("\"lz4\""), zarray);
    String zattrs = Files.readString(tmp.resolve("b.zarr/.zattrs"));
    assertTrue(zattrs.contains("\"0.4\"") && zattrs.contains("micrometer"), zattrs);
    assertEquals(v.voxelSize(), Volumes.read(tmp.resolve("a.n5")).voxelSize());
    assertEquals(v.voxelSize(), Volumes.read(tmp.resolve("b.zarr")).voxelSize());
  }

  @Test
  void replacesAStoreWholeAndNeverAnotherDirectory() throws IOException {
    Path out = tmp.resolve("s.zarr");
    Volume a = new Volume(randomImage(0, new long[] {9, 8, 7}, 1), VoxelSize.UNIT);
    Volume b = new Volume(randomImage(6, new long[] {5, 4, 3}, 2), VoxelSize.microns(1, 1, 2));
    Volumes.write(a, out);
    Volumes.write(b, out);
    Volume back = Volumes.read(out);
    assertSameVoxels(b.image(), back, "replaced");
    assertFalse(Files.exists(out.resolve("0/6")), "no chunk of the old store is left");
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(1, s.count(), "no temporary or old directory is left");
    }

    Path notAStore = tmp.resolve("mine.zarr");
    Files.createDirectories(notAStore);
    Files.writeString(notAStore.resolve("notes.txt"), "keep me");
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> Volumes.write(a, notAStore));
    assertTrue(e.getMessage().contains("not a Zarr or N5 store"), e.getMessage());
    assertEquals("keep me", Files.readString(notAStore.resolve("notes.txt")));
  }

  @Test
  void aFailingWriteKeepsTheOldStoreAndLeavesNoTemporaryDirectory() throws IOException {
    Path out = tmp.resolve("keep.n5");
    Volume a = new Volume(randomImage(2, new long[] {9, 8, 7}, 1), VoxelSize.UNIT);
    Volumes.write(a, out);
    RandomAccessibleInterval<FloatType> failing = Converters.convert(
        (RandomAccessibleInterval<RealType<?>>) (RandomAccessibleInterval<?>) a.image(),
        (x, y) -> {
          if (x.getRealDouble() > 60000) {
            throw new IllegalStateException("source failed");
          }
          y.setReal(x.getRealDouble());
        }, new FloatType());
    assertThrows(RuntimeException.class, () -> ChunkedWriter.newBuilder().chunkSize(3, 3, 3)
        .build().write(new Volume(failing, VoxelSize.UNIT), out));
    assertSameVoxels(a.image(), Volumes.read(out), "old store kept");
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(1, s.count(), "no temporary directory is left");
    }
  }

  @Test
  void missingStoresAreIoErrorsAndFilesNamedLikeStoresFormatErrors() throws IOException {
    assertThrows(NeuroSegIOException.class, () -> Volumes.read(tmp.resolve("absent.zarr")));
    assertThrows(NeuroSegIOException.class, () -> Volumes.read(tmp.resolve("absent.n5")));
    Path file = Files.writeString(tmp.resolve("file.zarr"), "not a directory");
    FormatException e = assertThrows(FormatException.class, () -> Volumes.read(file));
    assertTrue(e.getMessage().contains("directory"), e.getMessage());
    assertThrows(InvalidInputException.class, () -> Volumes.write(
        new Volume(randomImage(0, new long[] {2, 2, 2}, 3), VoxelSize.UNIT), file));
    assertEquals("not a directory", Files.readString(file));
  }
}
