package io.github.neuroseg.volume.chunked;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.neuroseg.volume.Volume;
import java.net.URISyntaxException;
import java.nio.file.Path;
import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;

/** The committed stores of scripts/fixtures/zarr_fixtures.py and their expected voxels. */
final class Fixtures {
  static final int W = 13;
  static final int H = 11;
  static final int D = 7;

  private Fixtures() {}

  static Path dir() {
    try {
      return Path.of(Fixtures.class.getResource("/io/github/neuroseg/volume/chunked/VERSIONS")
          .toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path store(String name) {
    return dir().resolve(name);
  }

  /** The generator's value of {@code dtype} at (x, y, z), as the reader must return it. */
  static double expected(String dtype, long x, long y, long z) {
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
      case "float64" -> f;
      default -> throw new IllegalArgumentException(dtype);
    };
  }

  /** Asserts every voxel of {@code v} equals {@code value(x, y, z)} exactly. */
  static void assertVoxels(Volume v, Value value, String what) {
    RandomAccessibleInterval<? extends RealType<?>> img = v.image();
    RandomAccess<? extends RealType<?>> ra = img.randomAccess();
    for (long z = 0; z < v.depth(); z++) {
      for (long y = 0; y < v.height(); y++) {
        for (long x = 0; x < v.width(); x++) {
          ra.setPosition(new long[] {x, y, z});
          double got = ra.get().getRealDouble();
          double want = value.at(x, y, z);
          if (Double.compare(got, want) != 0) {
            assertEquals(want, got, what + " at (" + x + ", " + y + ", " + z + ")");
          }
        }
      }
    }
  }

  /** Expected voxel values. */
  @FunctionalInterface
  interface Value {
    double at(long x, long y, long z);
  }
}
