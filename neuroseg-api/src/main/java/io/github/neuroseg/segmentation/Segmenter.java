package io.github.neuroseg.segmentation;

import io.github.neuroseg.volume.Normalization;
import io.github.neuroseg.volume.Volume;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.logic.BitType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

/**
 * Segments neurons in 3D volumes with a trained model. Build one with {@link
 * io.github.neuroseg.NeuroSeg#segmenter()}; it holds native resources, so close it (it is safe to
 * close twice). A segmenter is thread-safe: several threads may call {@link #segment} at once.
 */
public interface Segmenter extends AutoCloseable {

  /**
   * Segments a volume into a new probability image of the same size. A volume without contrast
   * (a constant one, under a data-dependent {@link io.github.neuroseg.volume.Normalization})
   * gives probabilities of 0 everywhere: an empty mask.
   *
   * @throws io.github.neuroseg.InvalidInputException for an empty volume or NaN voxels
   */
  Segmentation segment(Volume volume);

  /**
   * Segments a volume, writing foreground probabilities into {@code target}, which must have the
   * volume's dimensions. Use this to write into a disk-backed or cell image for volumes bigger
   * than memory.
   */
  Segmentation segmentInto(Volume volume, RandomAccessibleInterval<FloatType> target);

  /**
   * Segments a volume into its mask alone: 1 where {@code segment(volume).mask()} is set, 0
   * elsewhere, one byte per voxel. neuroseg's segmenter thresholds each slice as it is
   * finished and never holds a probability map of the whole volume, so this needs a quarter of
   * {@link #segment}'s memory for the result; the default implementation here thresholds {@link
   * #segment}'s map.
   *
   * @throws io.github.neuroseg.InvalidInputException for an empty volume or NaN voxels
   */
  default RandomAccessibleInterval<UnsignedByteType> segmentMask(Volume volume) {
    Segmentation s = segment(volume);
    RandomAccessibleInterval<UnsignedByteType> out = Masks.create(volume.dimensions());
    Cursor<BitType> in = Views.flatIterable(s.mask()).cursor();
    for (UnsignedByteType t : Views.flatIterable(out)) {
      t.set(in.next().get() ? 1 : 0);
    }
    return out;
  }

  /**
   * Segments a volume into the {@linkplain PostProcessing#level levels} post-processing reads,
   * one byte per voxel: 2 where the probability is at or above {@code high}, 1 where it is at or
   * above {@code low} only, else 0. {@link PostProcessing#applyToLevels} of them is the
   * post-processed mask, without a probability map of the whole volume: neuroseg's segmenter
   * takes each slice's levels as it is finished; the default implementation here those of
   * {@link #segment}'s map.
   *
   * @throws io.github.neuroseg.InvalidInputException for an empty volume or NaN voxels
   */
  default RandomAccessibleInterval<UnsignedByteType> segmentLevels(Volume volume, double low,
      double high) {
    Segmentation s = segment(volume);
    RandomAccessibleInterval<UnsignedByteType> out = Masks.create(volume.dimensions());
    Cursor<FloatType> in = Views.flatIterable(s.probabilities()).cursor();
    for (UnsignedByteType t : Views.flatIterable(out)) {
      t.set(PostProcessing.level(in.next().get(), low, high));
    }
    return out;
  }

  /**
   * Segments one box of a volume, writing into {@code target} exactly the probabilities {@link
   * #segment} gives the box's voxels when it segments the whole volume, bit for bit: the tiles of
   * the whole volume's plan that touch the box are predicted and blended in the same order, and
   * only the input voxels they need are read (the box, a margin of up to a tile in x and y, and
   * half the model's input depth in z). A volume too large for one machine can so be segmented
   * box by box, by many processes, with the result of one {@code segment} call.
   *
   * @param volume the whole volume (typically a lazy chunked one)
   * @param range the whole volume's normalisation range, {@code
   *     config().normalization().range(volume.image())}, computed once for all boxes
   * @param min the box's first voxel (x, y, z)
   * @param max the box's last voxel (x, y, z), inclusive
   * @param target receives the box's probabilities; the box's size, any origin
   * @throws io.github.neuroseg.InvalidInputException for a box outside the volume, a target of
   *     another size, or NaN voxels
   */
  void segmentBox(Volume volume, Normalization.Range range, long[] min, long[] max,
      RandomAccessibleInterval<FloatType> target);

  /** The settings this segmenter runs with, model defaults resolved. */
  SegmenterConfig config();

  /**
   * The model's metadata: its contract (input depth, tile, patch, normalisation, threshold) and
   * the provenance training recorded (command, seed, data split, scores), sorted by key.
   */
  java.util.Map<String, String> modelMetadata();

  /** Releases native resources. Idempotent; never throws a checked exception. */
  @Override
  void close();
}
