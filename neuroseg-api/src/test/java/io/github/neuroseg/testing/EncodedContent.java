package io.github.neuroseg.testing;

import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.Arrays;
import java.util.List;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Volume content as 8-bit values (0..255, x fastest) and the same content in the three encodings
 * microscopy stacks come in: unsigned 8-bit, unsigned 16-bit ({@code x 257}, so that 255 becomes
 * 65535) and 32-bit float ({@code / 255}, so that 255 becomes 1). With QuickTheories generators
 * of dense, sparse (at least 99.9% zeros), few-valued and constant content.
 *
 * @param kind which generator made it, for failure reports
 * @param width voxels along x
 * @param height voxels along y
 * @param depth voxels along z
 * @param values width x height x depth values in 0..255
 */
public record EncodedContent(String kind, int width, int height, int depth, int[] values) {

  /** The unsigned 8-bit image. */
  public RandomAccessibleInterval<? extends RealType<?>> asUnsignedBytes() {
    byte[] b = new byte[values.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) values[i];
    }
    return ArrayImgs.unsignedBytes(b, width, height, depth);
  }

  /** The unsigned 16-bit image, every value times 257. */
  public RandomAccessibleInterval<? extends RealType<?>> asUnsignedShorts() {
    short[] s = new short[values.length];
    for (int i = 0; i < s.length; i++) {
      s[i] = (short) (values[i] * 257);
    }
    return ArrayImgs.unsignedShorts(s, width, height, depth);
  }

  /** The float image, every value divided by 255 (and rounded to float). */
  public RandomAccessibleInterval<? extends RealType<?>> asFloats() {
    float[] f = new float[values.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) (values[i] / 255.0);
    }
    return ArrayImgs.floats(f, width, height, depth);
  }

  /** The three encodings: 8-bit, 16-bit, float. */
  public List<RandomAccessibleInterval<? extends RealType<?>>> encodings() {
    return List.of(asUnsignedBytes(), asUnsignedShorts(), asFloats());
  }

  /** The fraction of voxels that are 0. */
  public double zeroFraction() {
    return Arrays.stream(values).filter(v -> v == 0).count() / (double) values.length;
  }

  @Override
  public String toString() {
    long nonZero = Arrays.stream(values).filter(v -> v != 0).count();
    String shown = values.length <= 64 ? Arrays.toString(values)
        : Arrays.toString(Arrays.stream(values).filter(v -> v != 0).limit(32).toArray())
            + " (first non-zero values)";
    return kind + " " + width + "x" + height + "x" + depth + ", " + nonZero + " non-zero: "
        + shown;
  }

  /**
   * Dense, sparse (at least 99.9% zeros, so that the 0.5th and 99.5th percentiles are 0),
   * sparse with one non-zero value, few-valued, and constant content, equally often.
   *
   * @param maxSide the largest width and height, at least 16
   * @param maxDepth the largest depth, at least 4
   */
  public static Gen<EncodedContent> any(int maxSide, int maxDepth) {
    return Generate.oneOf(dense(maxSide, maxDepth), sparse(maxSide, maxDepth, false),
        sparse(maxSide, maxDepth, true), fewValued(maxSide, maxDepth),
        constant(maxSide, maxDepth));
  }

  private static Gen<int[]> dims(int minSide, int maxSide, int minDepth, int maxDepth) {
    return integers().between(minSide, maxSide).zip(integers().between(minSide, maxSide),
        integers().between(minDepth, maxDepth), (w, h, d) -> new int[] {w, h, d});
  }

  /** Uniform values 0..255. */
  static Gen<EncodedContent> dense(int maxSide, int maxDepth) {
    return dims(1, maxSide, 1, maxDepth).flatMap(d -> lists().of(integers().between(0, 255))
        .ofSize(d[0] * d[1] * d[2])
        .map(l -> new EncodedContent("dense", d[0], d[1], d[2], ints(l))));
  }

  /** Zeros and two other values, in random proportions: ties and interpolated percentiles. */
  static Gen<EncodedContent> fewValued(int maxSide, int maxDepth) {
    return dims(1, maxSide, 1, maxDepth).zip(integers().between(1, 255),
        integers().between(1, 255), (d, a, b) -> new int[] {d[0], d[1], d[2], a, b})
        .flatMap(p -> lists().of(Generate.pick(List.of(0, p[3], p[4])))
            .ofSize(p[0] * p[1] * p[2])
            .map(l -> new EncodedContent("few-valued", p[0], p[1], p[2], ints(l))));
  }

  /**
   * At most one voxel in a thousand non-zero (none at all sometimes); with {@code oneValue} all
   * non-zero voxels share one value, so that the non-zero percentiles collapse as well.
   */
  static Gen<EncodedContent> sparse(int maxSide, int maxDepth, boolean oneValue) {
    int side = Math.max(16, maxSide);
    int depth = Math.max(4, maxDepth);
    return dims(16, side, 4, depth).zip(integers().between(1, 255), (d, v) ->
        new int[] {d[0], d[1], d[2], v}).flatMap(p -> {
          int n = p[0] * p[1] * p[2];
          Gen<Integer> value = oneValue ? Generate.constant(p[3]) : integers().between(1, 255);
          return lists().of(integers().between(0, n - 1).zip(value, (i, v) -> new int[] {i, v}))
              .ofSizeBetween(0, n / 1000)
              .map(nz -> {
                int[] values = new int[n];
                for (int[] iv : nz) {
                  values[iv[0]] = iv[1];
                }
                return new EncodedContent(oneValue ? "sparse-one-value" : "sparse", p[0], p[1],
                    p[2], values);
              });
        });
  }

  /** Every voxel the same value (0 included). */
  static Gen<EncodedContent> constant(int maxSide, int maxDepth) {
    return dims(1, maxSide, 1, maxDepth).zip(integers().between(0, 255), (d, v) -> {
      int[] values = new int[d[0] * d[1] * d[2]];
      Arrays.fill(values, v);
      return new EncodedContent("constant", d[0], d[1], d[2], values);
    });
  }

  private static int[] ints(List<Integer> l) {
    return l.stream().mapToInt(Integer::intValue).toArray();
  }
}
