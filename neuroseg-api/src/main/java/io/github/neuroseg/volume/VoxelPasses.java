package io.github.neuroseg.volume;

import java.io.Serializable;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

/**
 * A volume's voxel values, visited pass by pass, possibly in parts by many threads or processes:
 * {@link Normalization#range(VoxelPasses)} computes a data-dependent range (exact percentiles,
 * minimum and maximum) with a few passes, each of which accumulates every part's voxels and
 * merges the parts' results. Because the accumulations are {@link Serializable} and their merge
 * is associative and commutative, an implementation may run the parts anywhere (the Spark block
 * job runs one task per block); the range is the one {@link Normalization#range} gives the whole
 * image.
 */
public interface VoxelPasses {

  /**
   * What one pass computes.
   *
   * @param <A> the accumulator: one per part, merged
   */
  interface Accumulation<A extends Serializable> extends Serializable {
    /** A new, empty accumulator. */
    A zero();

    /** Adds a voxel's value; may change {@code accumulator} and return it. */
    A add(A accumulator, double value);

    /** The accumulator of both parts; may change and return either. */
    A merge(A a, A b);
  }

  /**
   * Runs one pass: every voxel's value, in any order and grouping, added to an accumulator of its
   * part; the parts' accumulators merged.
   */
  <A extends Serializable> A run(Accumulation<A> accumulation);

  /** The passes of one image, in this thread, in its iteration order. */
  static VoxelPasses of(RandomAccessibleInterval<? extends RealType<?>> image) {
    return new VoxelPasses() {
      @Override
      public <A extends Serializable> A run(Accumulation<A> accumulation) {
        A a = accumulation.zero();
        for (RealType<?> t : Views.iterable(image)) {
          a = accumulation.add(a, t.getRealDouble());
        }
        return a;
      }
    };
  }
}
