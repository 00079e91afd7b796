package io.github.neuroseg.volume.chunked;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.Volumes;
import io.github.neuroseg.volume.VoxelSize;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import net.imglib2.type.numeric.integer.ByteType;
import net.imglib2.type.numeric.integer.IntType;
import net.imglib2.type.numeric.integer.ShortType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedIntType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.DoubleType;
import net.imglib2.type.numeric.real.FloatType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Stores written by zarr-python / numcodecs (see the resources' README) read back exactly. */
class ChunkedFixturesTest {

  static Stream<String> plainStores() {
    return Stream.of(
        "v2-uint16-raw.zarr", "v2-uint16-gzip.zarr", "v2-uint16-zlib.zarr",
        "v2-uint16-zstd.zarr", "v2-uint16-lz4.zarr",
        "v2-uint16-blosc-lz4-noshuffle.zarr", "v2-uint16-blosc-lz4-shuffle.zarr",
        "v2-uint16-blosc-lz4-bitshuffle.zarr", "v2-uint16-blosc-lz4hc-noshuffle.zarr",
        "v2-uint16-blosc-lz4hc-shuffle.zarr", "v2-uint16-blosc-lz4hc-bitshuffle.zarr",
        "v2-uint16-blosc-zlib-noshuffle.zarr", "v2-uint16-blosc-zlib-shuffle.zarr",
        "v2-uint16-blosc-zlib-bitshuffle.zarr", "v2-uint16-blosc-zstd-noshuffle.zarr",
        "v2-uint16-blosc-zstd-shuffle.zarr", "v2-uint16-blosc-zstd-bitshuffle.zarr",
        "v2-uint16-blosc-snappy-noshuffle.zarr", "v2-uint16-blosc-snappy-shuffle.zarr",
        "v2-uint16-blosc-snappy-bitshuffle.zarr",
        "v2-uint8-blosc-lz4-shuffle.zarr", "v2-int8-blosc-lz4-shuffle.zarr",
        "v2-int16-blosc-lz4-shuffle.zarr", "v2-uint32-blosc-lz4-shuffle.zarr",
        "v2-int32-blosc-lz4-shuffle.zarr", "v2-float32-blosc-lz4-shuffle.zarr",
        "v2-float64-blosc-lz4-shuffle.zarr", "v2-float32-blosc-lz4-bitshuffle.zarr",
        "v2-float32-bigendian-gzip.zarr", "v2-uint16-bigendian-blosc-zstd-bitshuffle.zarr",
        "v2-uint16-order-f-zlib.zarr", "v2-uint16-slash-raw.zarr",
        "n5-uint16-raw.n5", "n5-uint16-gzip.n5", "n5-uint16-zlib.n5", "n5-float32-zstd.n5",
        "n5-int16-blosc.n5",
        "v3-uint16-raw.zarr", "v3-uint16-gzip.zarr", "v3-uint16-zstd.zarr",
        "v3-uint16-blosc-bitshuffle-crc32c.zarr", "v3-float32-bigendian-blosc.zarr",
        "zarrita-uint16-gzip.zarr", "zarrita-uint16-blosc-lz4-bitshuffle.zarr",
        "zarrita-float32-blosc-zstd-shuffle.zarr", "zarrita-float64-zstd.zarr",
        "zarrita-int16-bigendian-gzip.zarr", "zarrita-int8-transpose.zarr");
  }

  private static String dtypeOf(String name) {
    for (String t : new String[] {"uint16", "uint8", "int8", "int16", "uint32", "int32",
        "float32", "float64"}) {
      if (name.contains("-" + t + "-")) {
        return t;
      }
    }
    throw new IllegalArgumentException(name);
  }

  @ParameterizedTest
  @MethodSource("plainStores")
  void readsEveryVoxelExactly(String name) {
    Volume v = Volumes.read(Fixtures.store(name));
    String dtype = dtypeOf(name);
    assertArrayEquals(new long[] {Fixtures.W, Fixtures.H, Fixtures.D}, v.dimensions(), name);
    Object type = v.image().getType();
    Class<?> want = switch (dtype) {
      case "uint8" -> UnsignedByteType.class;
      case "int8" -> ByteType.class;
      case "uint16" -> UnsignedShortType.class;
      case "int16" -> ShortType.class;
      case "uint32" -> UnsignedIntType.class;
      case "int32" -> IntType.class;
      case "float32" -> FloatType.class;
      default -> DoubleType.class;
    };
    assertInstanceOf(want, type, name);
    assertEquals(dtype, v.metadata().get("data_type"));
    Fixtures.assertVoxels(v, (x, y, z) -> Fixtures.expected(dtype, x, y, z), name);
    if (name.startsWith("v3-") || name.startsWith("zarrita-")) {
      assertEquals(new VoxelSize(0.3, 0.25, 2.0, "micron"), v.voxelSize());
      assertEquals("ome-zarr-0.5", v.metadata().get("format"));
    } else {
      assertEquals(VoxelSize.UNIT, v.voxelSize(), name);
    }
  }

  @Test
  void readsBloscSplitStreamsAndLargeBlocks() {
    // 48 x 40 x 4 voxels in one chunk: c-blosc splits these blocks into one stream per byte
    for (String name : new String[] {"v2-uint16-big-blosc-snappy-shuffle.zarr",
        "v2-uint16-big-blosc-lz4-bitshuffle.zarr", "v2-uint16-big-blosc-zstd-shuffle.zarr"}) {
      Volume v = Volumes.read(Fixtures.store(name));
      assertArrayEquals(new long[] {48, 40, 4}, v.dimensions());
      Fixtures.assertVoxels(v, (x, y, z) -> Fixtures.expected("uint16", x, y, z) * 7 % 65536,
          name);
    }
  }

  @Test
  void readsOmeZarrLevelsWithTheirScale() {
    Volume l0 = Volumes.read(Fixtures.store("ome04-multiscale.zarr"));
    assertEquals(new VoxelSize(0.3, 0.25, 2.0, "micron"), l0.voxelSize());
    assertEquals("ome-zarr-0.4", l0.metadata().get("format"));
    assertEquals("2", l0.metadata().get("levels"));
    assertEquals("zyx", l0.metadata().get("axes"));
    assertEquals("ome04-multiscale", l0.name());
    Fixtures.assertVoxels(l0, (x, y, z) -> Fixtures.expected("uint16", x, y, z), "level 0");

    Volume l1 = ChunkedReader.newBuilder().level(1).build().read(
        Fixtures.store("ome04-multiscale.zarr"));
    assertArrayEquals(new long[] {7, 6, 7}, l1.dimensions());
    assertEquals(new VoxelSize(0.6, 0.5, 2.0, "micron"), l1.voxelSize());
    assertEquals("1", l1.metadata().get("level"));
    Fixtures.assertVoxels(l1, (x, y, z) -> Fixtures.expected("uint16", 2 * x, 2 * y, z),
        "level 1");

    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> ChunkedReader.newBuilder().level(2).build().read(
            Fixtures.store("ome04-multiscale.zarr")));
    assertTrue(e.getMessage().contains("2 levels"), e.getMessage());
  }

  @Test
  void takesChannelZeroAndTimeZeroOfTczyx() {
    Volume v = Volumes.read(Fixtures.store("ome04-tczyx.zarr"));
    assertArrayEquals(new long[] {13, 11, 7}, v.dimensions());
    assertEquals("tczyx", v.metadata().get("axes"));
    // nanometres become microns
    VoxelSize vs = v.voxelSize();
    assertEquals("micron", vs.unit());
    assertEquals(0.4, vs.x(), 1e-12);
    assertEquals(0.4, vs.y(), 1e-12);
    assertEquals(1.5, vs.z(), 1e-12);
    Fixtures.assertVoxels(v, (x, y, z) -> Fixtures.expected("float32", x, y, z), "tczyx");
  }

  @Test
  void readsN5MultiscaleGroupsWithDownsampledResolution() {
    Volume l0 = Volumes.read(Fixtures.store("n5-multiscale.n5"));
    assertEquals(new VoxelSize(0.3, 0.25, 2.0, "micron"), l0.voxelSize());
    assertEquals("n5", l0.metadata().get("format"));
    assertEquals("2", l0.metadata().get("levels"));
    Fixtures.assertVoxels(l0, (x, y, z) -> Fixtures.expected("uint8", x, y, z), "s0");
    Volume l1 = ChunkedReader.newBuilder().level(1).build().read(
        Fixtures.store("n5-multiscale.n5"));
    assertArrayEquals(new long[] {7, 6, 7}, l1.dimensions());
    assertEquals(0.6, l1.voxelSize().x(), 1e-12);
    assertEquals(0.5, l1.voxelSize().y(), 1e-12);
    assertEquals(2.0, l1.voxelSize().z(), 1e-12);
    Fixtures.assertVoxels(l1, (x, y, z) -> Fixtures.expected("uint8", 2 * x, 2 * y, z), "s1");
  }

  @Test
  void readsShardedZarrV3WithAMissingInnerChunkAsFill() {
    Volume v = Volumes.read(Fixtures.store("v3-uint16-sharded-gzip.zarr"));
    assertEquals("[4, 6, 7]", v.metadata().get("chunks"));
    // the generator left out inner chunk 1 of every shard: (z, y, x) inner index (0, 0, 1)
    Fixtures.assertVoxels(v, (x, y, z) -> {
      boolean left = (z % 8) < 4 && (y % 12) < 6 && (x % 14) >= 7;
      return left ? 0 : Fixtures.expected("uint16", x, y, z);
    }, "sharded");
  }

  @Test
  void readsShardIndexesAtTheStart(@TempDir Path tmp) throws IOException {
    // the sharded fixture with every shard's index (and its CRC32C) moved to the front
    Path src = Fixtures.store("v3-uint16-sharded-gzip.zarr");
    Path dst = tmp.resolve("start.zarr");
    List<Path> files;
    try (Stream<Path> w = Files.walk(src)) {
      files = w.toList();
    }
    int inner = 8;
    int indexBytes = 16 * inner + 4;
    for (Path p : files) {
      Path t = dst.resolve(src.relativize(p).toString());
      if (Files.isDirectory(p)) {
        Files.createDirectories(t);
      } else if (p.getFileName().toString().equals("zarr.json")) {
        Files.writeString(t, Files.readString(p).replace("\"end\"", "\"start\""));
      } else {
        byte[] b = Files.readAllBytes(p);
        int dataLength = b.length - indexBytes;
        ByteBuffer index = ByteBuffer.wrap(b, dataLength, 16 * inner).slice()
            .order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer moved = ByteBuffer.allocate(16 * inner).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 2 * inner; i += 2) {
          long off = index.getLong(8 * i);
          long len = index.getLong(8 * i + 8);
          moved.putLong(off == -1 ? -1 : off + indexBytes).putLong(len);
        }
        CRC32C crc = new CRC32C();
        crc.update(moved.array());
        ByteBuffer out = ByteBuffer.allocate(b.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(moved.array()).putInt((int) crc.getValue()).put(b, 0, dataLength);
        Files.write(t, out.array());
      }
    }
    Volume v = Volumes.read(dst);
    Fixtures.assertVoxels(v, (x, y, z) -> {
      boolean left = (z % 8) < 4 && (y % 12) < 6 && (x % 14) >= 7;
      return left ? 0 : Fixtures.expected("uint16", x, y, z);
    }, "sharded, index at the start");
  }

  @Test
  void rejectsBloscLzWithAClearMessage() {
    Volume v = Volumes.read(Fixtures.store("v2-uint16-blosc-blosclz-shuffle.zarr"));
    FormatException e = assertThrows(FormatException.class,
        () -> v.image().getAt(0, 0, 0).getRealDouble());
    assertTrue(e.getMessage().contains("blosclz"), e.getMessage());
    assertTrue(e.getMessage().contains("0.0.0"), e.getMessage());
  }
}
