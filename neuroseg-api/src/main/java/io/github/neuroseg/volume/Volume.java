package io.github.neuroseg.volume;

import io.github.neuroseg.InvalidInputException;
import java.util.Map;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.converter.Converters;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.util.Intervals;
import net.imglib2.view.Views;
import org.jspecify.annotations.Nullable;

/**
 * A 3D light-microscopy image: an imglib2 image indexed {@code x, y, z} plus the physical size of
 * a voxel. The image may be any {@link RandomAccessibleInterval} of a real type, including lazy
 * views and cell images; neuroseg reads it slab by slab and never copies it whole unless asked.
 *
 * <p>The interval is translated to start at the origin, so {@code (0, 0, 0)} is always the first
 * voxel.
 *
 * @param image the voxels, three dimensions {@code x, y, z}
 * @param voxelSize physical voxel extent
 * @param name a label for messages and file names, or {@code null}
 * @param metadata free-form key/value pairs carried along (e.g. the source file)
 */
public record Volume(
    RandomAccessibleInterval<? extends RealType<?>> image,
    VoxelSize voxelSize,
    @Nullable String name,
    Map<String, String> metadata) {

  public Volume {
    if (image.numDimensions() != 3) {
      throw new InvalidInputException(
          "a volume needs 3 dimensions (x, y, z), got " + image.numDimensions()
              + " with size " + java.util.Arrays.toString(image.dimensionsAsLongArray()));
    }
    if (Intervals.numElements(image) == 0) {
      throw new InvalidInputException(
          "a volume must not be empty, got size "
              + java.util.Arrays.toString(image.dimensionsAsLongArray()));
    }
    if (!Views.isZeroMin(image)) {
      image = Views.zeroMin(image);
    }
    metadata = Map.copyOf(metadata);
  }

  /** A volume without name or metadata. */
  public Volume(RandomAccessibleInterval<? extends RealType<?>> image, VoxelSize voxelSize) {
    this(image, voxelSize, null, Map.of());
  }

  /**
   * Wraps a float array laid out x fastest, then y, then z (no copy).
   *
   * @throws InvalidInputException if {@code data.length != width * height * depth}
   */
  public static Volume ofFloats(float[] data, int width, int height, int depth, VoxelSize size) {
    checkLength(data.length, width, height, depth);
    return new Volume(ArrayImgs.floats(data, width, height, depth), size);
  }

  /** Wraps unsigned 8-bit voxels laid out x fastest (no copy). */
  public static Volume ofUnsignedBytes(
      byte[] data, int width, int height, int depth, VoxelSize size) {
    checkLength(data.length, width, height, depth);
    return new Volume(ArrayImgs.unsignedBytes(data, width, height, depth), size);
  }

  /** Wraps unsigned 16-bit voxels laid out x fastest (no copy). */
  public static Volume ofUnsignedShorts(
      short[] data, int width, int height, int depth, VoxelSize size) {
    checkLength(data.length, width, height, depth);
    return new Volume(ArrayImgs.unsignedShorts(data, width, height, depth), size);
  }

  private static void checkLength(int length, int width, int height, int depth) {
    long expected = (long) width * height * depth;
    if (width <= 0 || height <= 0 || depth <= 0 || length != expected) {
      throw new InvalidInputException(
          "expected " + width + " x " + height + " x " + depth + " = " + expected
              + " voxels, got an array of " + length);
    }
  }

  /** Number of voxels along x. */
  public long width() {
    return image.dimension(0);
  }

  /** Number of voxels along y. */
  public long height() {
    return image.dimension(1);
  }

  /** Number of voxels along z (slices). */
  public long depth() {
    return image.dimension(2);
  }

  /** {@code [width, height, depth]}. */
  public long[] dimensions() {
    return image.dimensionsAsLongArray();
  }

  /** A lazy float view of the voxels (no copy; values converted on access). */
  public RandomAccessibleInterval<FloatType> asFloat() {
    return toFloat(image);
  }

  /** This volume with another voxel size. */
  public Volume withVoxelSize(VoxelSize size) {
    return new Volume(image, size, name, metadata);
  }

  /** This volume with another name. */
  public Volume withName(@Nullable String newName) {
    return new Volume(image, voxelSize, newName, metadata);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static RandomAccessibleInterval<FloatType> toFloat(
      RandomAccessibleInterval<? extends RealType<?>> img) {
    Object first = img.getType();
    if (first instanceof FloatType) {
      return (RandomAccessibleInterval<FloatType>) img;
    }
    RandomAccessibleInterval raw = img;
    return Converters.convert(
        raw,
        (in, out) -> ((FloatType) out).setReal(((RealType<?>) in).getRealDouble()),
        new FloatType());
  }
}
