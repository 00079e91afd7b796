package io.github.neuroseg.volume;

import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.floats;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import net.imglib2.Cursor;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * QuickTheories generators of volumes and stacks for the I/O properties. Every size, type, voxel
 * size and voxel value is drawn from a generator, so a failing case shrinks towards a small
 * volume with simple values, and is printed with its voxels.
 */
final class VolumeGens {
  /** The three types volumes are written as. */
  enum Stored { U8, U16, F32 }

  /** Compressions of the JDK's TIFF writer; {@code null} for none. */
  static final List<String> JDK_COMPRESSIONS = Arrays.asList(null, "LZW", "Deflate", "PackBits");

  /** Sample types of the JDK's TIFF writer ({@link java.awt.image.DataBuffer} codes). */
  static final List<Integer> JDK_TYPES = List.of(java.awt.image.DataBuffer.TYPE_BYTE,
      java.awt.image.DataBuffer.TYPE_USHORT, java.awt.image.DataBuffer.TYPE_FLOAT);

  private VolumeGens() {}

  /**
   * Volumes of sizes from the three generators, of one of the {@link Stored} types, with {@link
   * VoxelSize#UNIT} in a quarter of the cases and otherwise sizes from 0.001 to 1000 in micron or
   * voxel. 16-bit voxels include the extremes 0 and 65535; float voxels include every bit pattern
   * (NaN and infinities too), large negatives and values in [0, 1].
   */
  static Gen<Volume> volumes(Gen<Integer> widths, Gen<Integer> heights, Gen<Integer> depths) {
    Gen<Volume> g = widths.zip(heights, depths, Generate.enumValues(Stored.class), voxelSizes(),
            Shape::new)
        .flatMap(VolumeGens::filled);
    return g.describedAs(VolumeGens::describe);
  }

  private record Shape(int w, int h, int d, Stored stored, VoxelSize voxelSize) {
    int voxels() {
      return w * h * d;
    }
  }

  private static Gen<Volume> filled(Shape s) {
    int n = s.voxels();
    return switch (s.stored) {
      case U8 -> Generate.byteArrays(Generate.constant(n),
              Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0))
          .map(a -> Volume.ofUnsignedBytes(a, s.w, s.h, s.d, s.voxelSize));
      case U16 -> Generate.intArrays(Generate.constant(n), Generate.frequency(
              Pair.of(1, Generate.pick(List.of(0, 65535))),
              Pair.of(9, integers().between(0, 65535))))
          .map(a -> {
            short[] v = new short[n];
            for (int i = 0; i < n; i++) {
              v[i] = (short) a[i];
            }
            return Volume.ofUnsignedShorts(v, s.w, s.h, s.d, s.voxelSize);
          });
      case F32 -> Generate.intArrays(Generate.constant(n), floatBits())
          .map(a -> {
            // from raw bits, so NaN payloads reach the array unchanged
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
              v[i] = Float.intBitsToFloat(a[i]);
            }
            return Volume.ofFloats(v, s.w, s.h, s.d, s.voxelSize);
          });
    };
  }

  /** Raw bits of float voxels: any pattern, a large negative, or a value in [0, 1]. */
  private static Gen<Integer> floatBits() {
    return Generate.frequency(
        Pair.of(1, integers().all()),
        Pair.of(1, floats().between(0f, 1f).map(f -> Float.floatToRawIntBits(-f * 1e6f))),
        Pair.of(3, floats().fromZeroToOne().map(Float::floatToRawIntBits)));
  }

  private static Gen<VoxelSize> voxelSizes() {
    Gen<Double> exponents = doubles().between(-3, 3);
    Gen<VoxelSize> sized = exponents.zip(exponents, exponents,
        Generate.pick(List.of("micron", "voxel")),
        (x, y, z, unit) -> new VoxelSize(Math.pow(10, x), Math.pow(10, y), Math.pow(10, z),
            unit));
    return Generate.frequency(Pair.of(1, Generate.constant(VoxelSize.UNIT)), Pair.of(3, sized));
  }

  /** A volume for a failure report: type, sizes, voxel size and up to 64 voxels. */
  static String describe(Volume v) {
    long[] d = v.dimensions();
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s %dx%dx%d %s [",
        v.image().getType().getClass().getSimpleName(), d[0], d[1], d[2], v.voxelSize()));
    Cursor<? extends RealType<?>> c = Views.flatIterable(v.image()).cursor();
    for (int i = 0; c.hasNext() && i < 64; i++) {
      sb.append(i == 0 ? "" : ", ").append(c.next().getRealFloat());
    }
    return sb.append(c.hasNext() ? ", ...]" : "]").toString();
  }

  /**
   * A stack for the JDK's TIFF writer: sizes, compression, sample type, strips or 16 x 16 tiles,
   * and the samples of every page (x fastest, then y, then page), a quarter of them one repeated
   * value so the compressors have runs to compress.
   */
  record JdkStack(int w, int h, int d, String compression, int type, boolean tiled,
      double[] samples) {
    @Override
    public String toString() {
      return w + "x" + h + "x" + d + " " + compression + " type " + type
          + (tiled ? " tiled" : "") + " samples " + Arrays.toString(
              Arrays.copyOf(samples, Math.min(samples.length, 64)));
    }
  }

  /** JDK-written stacks of sizes up to the given ones. */
  static Gen<JdkStack> jdkStacks(int maxWidth, int maxHeight, int maxDepth) {
    Gen<int[]> shapes = integers().between(1, maxWidth).zip(integers().between(1, maxHeight),
        integers().between(1, maxDepth), (w, h, d) -> new int[] {w, h, d});
    return shapes.zip(Generate.pick(JDK_COMPRESSIONS), Generate.pick(JDK_TYPES),
            Generate.booleans(), JdkLayout::new)
        .flatMap(k -> samples(k.type, k.shape[0] * k.shape[1] * k.shape[2])
            .map(v -> new JdkStack(k.shape[0], k.shape[1], k.shape[2], k.compression, k.type,
                k.tiled, v)));
  }

  private record JdkLayout(int[] shape, String compression, int type, boolean tiled) {}

  private static Gen<double[]> samples(int type, int n) {
    Gen<Double> one = switch (type) {
      case java.awt.image.DataBuffer.TYPE_BYTE -> runsOr(7, integers().between(0, 255));
      case java.awt.image.DataBuffer.TYPE_USHORT -> runsOr(9, integers().between(0, 65535));
      default -> Generate.frequency(Pair.of(1, Generate.constant(0.5)),
          Pair.of(3, doubles().between(-1e4, 1e4)));
    };
    // a custom generator: n draws of one, so each sample shrinks on its own
    return source -> {
      double[] a = new double[n];
      for (int i = 0; i < n; i++) {
        a[i] = one.generate(source);
      }
      return a;
    };
  }

  private static Gen<Double> runsOr(int repeated, Gen<Integer> values) {
    return Generate.frequency(Pair.of(1, Generate.constant((double) repeated)),
        Pair.of(3, values.map(Integer::doubleValue)));
  }
}
