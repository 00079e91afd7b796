package io.github.neuroseg.segmentation;

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
