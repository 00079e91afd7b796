package io.github.neuroseg.benchmarks;

import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.VoxelSize;
import io.github.neuroseg.volume.chunked.ChunkedFormat;
import io.github.neuroseg.volume.chunked.ChunkedWriter;
import io.github.neuroseg.volume.chunked.Codec;
import io.github.neuroseg.volume.chunked.Codec.BloscCompressor;
import io.github.neuroseg.volume.chunked.Codec.BloscShuffle;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.imglib2.Cursor;
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

/**
 * Writes chunked stores with neuroseg for {@code scripts/check-zarr-interop}, which reads them
 * with zarr-python (Zarr v2, N5) and zarrita (Zarr v3) and compares every voxel and the voxel
 * size with the values this program used: the formulas of the test fixtures
 * ({@code scripts/fixtures/zarr_fixtures.py}) on a 13 x 11 x 7 volume, and a 70 x 50 x 9 one
 * whose chunks span several Blosc blocks. Writes {@code manifest.tsv} (name, format, data type,
 * codec, x, y, z sizes, voxel size x, y, z) beside the stores.
 *
 * <p>Usage: {@code ChunkedInteropStores DIR}.
 */
public final class ChunkedInteropStores {
  private ChunkedInteropStores() {}

  static final String[] TYPES = {"uint8", "int8", "uint16", "int16", "uint32", "int32",
      "float32", "float64"};

  /** The fixtures' value of {@code dtype} at (x, y, z). */
  static double value(String dtype, long x, long y, long z) {
    long u = 3 * x + 40 * y + 500 * z + (x * y * z) % 7;
    double f = (x - 4.5 * y) * (z + 0.25);
    return switch (dtype) {
      case "uint8" -> u % 256;
      case "int8" -> u % 256 - 128;
      case "uint16" -> u;
      case "int16" -> u - 2000;
      case "uint32" -> 100003 * u;
      case "int32" -> 100003 * u - 100_000_000;
      case "float32" -> (float) f;
      default -> f;
    };
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static Img<? extends RealType<?>> image(String dtype, long w, long h, long d) {
    NativeType t = switch (dtype) {
      case "uint8" -> new UnsignedByteType();
      case "int8" -> new ByteType();
      case "uint16" -> new UnsignedShortType();
      case "int16" -> new ShortType();
      case "uint32" -> new UnsignedIntType();
      case "int32" -> new IntType();
      case "float32" -> new FloatType();
      default -> new DoubleType();
    };
    Img img = new ArrayImgFactory(t).create(w, h, d);
    Cursor<? extends RealType<?>> c = img.localizingCursor();
    while (c.hasNext()) {
      RealType<?> v = c.next();
      v.setReal(value(dtype, c.getLongPosition(0), c.getLongPosition(1), c.getLongPosition(2)));
    }
    return img;
  }

  /**
   * Writes the stores.
   *
   * @param args the output folder
   * @throws IOException when the manifest cannot be written
   */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    Codec[] codecs = {Codec.raw(), Codec.gzip(5), Codec.zstd(),
        Codec.blosc(BloscCompressor.LZ4, BloscShuffle.NONE),
        Codec.blosc(BloscCompressor.LZ4, BloscShuffle.BYTE),
        Codec.blosc(BloscCompressor.LZ4, BloscShuffle.BIT),
        Codec.blosc(BloscCompressor.ZSTD, BloscShuffle.BYTE),
        Codec.blosc(BloscCompressor.ZSTD, BloscShuffle.BIT),
        Codec.blosc(BloscCompressor.ZLIB, BloscShuffle.BYTE)};
    String[] codecNames = {"raw", "gzip", "zstd", "blosc-lz4-noshuffle", "blosc-lz4-shuffle",
        "blosc-lz4-bitshuffle", "blosc-zstd-shuffle", "blosc-zstd-bitshuffle",
        "blosc-zlib-shuffle"};
    List<String> manifest = new ArrayList<>();
    VoxelSize vs = VoxelSize.microns(0.3, 0.25, 2.0);
    for (ChunkedFormat f : ChunkedFormat.values()) {
      String fname = switch (f) {
        case OME_ZARR_0_4 -> "zarr2";
        case OME_ZARR_0_5 -> "zarr3";
        case N5 -> "n5";
      };
      for (int c = 0; c < codecs.length; c++) {
        for (String type : TYPES) {
          for (boolean big : new boolean[] {false, true}) {
            if (big && !type.equals("uint16") && !type.equals("float32")) {
              continue;
            }
            long w = big ? 70 : 13;
            long h = big ? 50 : 11;
            long d = big ? 9 : 7;
            String name = String.join("-", fname, codecNames[c], type) + (big ? "-big" : "")
                + (f == ChunkedFormat.N5 ? ".n5" : ".zarr");
            ByteOrder order = c % 2 == 0 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
            ChunkedWriter.newBuilder().format(f).codec(codecs[c])
                .chunkSize(big ? 64 : 5, big ? 48 : 4, big ? 4 : 3).byteOrder(order).build()
                .write(new Volume(image(type, w, h, d), vs, name, java.util.Map.of()),
                    dir.resolve(name));
            manifest.add(String.format(Locale.ROOT, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\t%s",
                name, fname, type, codecNames[c], w, h, d, vs.x(), vs.y(), vs.z()));
          }
        }
      }
    }
    Files.write(dir.resolve("manifest.tsv"), (String.join("\n", manifest) + "\n")
        .getBytes(StandardCharsets.UTF_8));
    System.out.println("wrote " + manifest.size() + " stores to " + dir);
  }
}
