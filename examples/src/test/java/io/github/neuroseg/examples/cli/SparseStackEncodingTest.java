package io.github.neuroseg.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.metrics.SegmentationMetrics;
import io.github.neuroseg.synth.NeuronGenerator;
import io.github.neuroseg.synth.NeuronRenderer;
import io.github.neuroseg.synth.RenderedNeuron;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.Volumes;
import io.github.neuroseg.volume.VoxelSize;
import java.nio.file.Path;
import java.util.Arrays;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A background-subtracted stack that is 99.9% exact zeros, stored as 8-bit and as 16-bit (x257),
 * gives the same mask through {@code neuroseg segment} with the bundled model: its 0.5th and
 * 99.5th percentiles are both 0, and the normalisation's fallback must not depend on the
 * encoding.
 */
class SparseStackEncodingTest {
  private static final long[] DIMS = {128, 128, 32};

  @TempDir Path dir;

  @Test
  void eightAndSixteenBitGiveTheSameMask() {
    VoxelSize vs = VoxelSize.UNIT;
    RenderedNeuron n = NeuronRenderer.newBuilder().seed(4).build().render(
        NeuronGenerator.newBuilder().bounds(DIMS[0], DIMS[1], DIMS[2]).build().generate(4),
        DIMS, vs);
    int[] raw = values(n.image().image());
    // background subtraction: everything at or below the 99.92nd percentile becomes 0
    int[] sorted = raw.clone();
    Arrays.sort(sorted);
    int cut = sorted[(int) (0.9992 * (sorted.length - 1))];
    int max = sorted[sorted.length - 1];
    byte[] u8 = new byte[raw.length];
    short[] u16 = new short[raw.length];
    int zeros = 0;
    for (int i = 0; i < raw.length; i++) {
      int x = (int) Math.round(255.0 * Math.max(0, raw[i] - cut) / (max - cut));
      u8[i] = (byte) x;
      u16[i] = (short) (257 * x);
      zeros += x == 0 ? 1 : 0;
    }
    double zeroFraction = zeros / (double) raw.length;
    assertTrue(zeroFraction >= 0.999, "zero fraction " + zeroFraction);
    // the collapse this test is about: both percentiles of the model's normalisation are 0
    assertEquals(0, percentile(u8, 0.5));
    assertEquals(0, percentile(u8, 99.5));

    int w = (int) DIMS[0];
    int h = (int) DIMS[1];
    int d = (int) DIMS[2];
    Path in8 = dir.resolve("sparse-8bit.tif");
    Path in16 = dir.resolve("sparse-16bit.tif");
    Volumes.write(Volume.ofUnsignedBytes(u8, w, h, d, vs), in8);
    Volumes.write(Volume.ofUnsignedShorts(u16, w, h, d, vs), in16);
    byte[] m8 = segment(in8, dir.resolve("mask-8bit.tif"));
    byte[] m16 = segment(in16, dir.resolve("mask-16bit.tif"));
    long fg8 = count(m8);
    long fg16 = count(m16);
    Volume truth = new Volume(n.mask(), vs);
    Volume mask8 = Volumes.read(dir.resolve("mask-8bit.tif"));
    byte[] kept = new byte[u8.length];
    for (int i = 0; i < kept.length; i++) {
      kept[i] = (byte) (u8[i] != 0 ? 1 : 0);
    }
    Volume visible = Volume.ofUnsignedBytes(kept, w, h, d, vs);
    System.out.printf("sparse stack: %.5f zeros, %d non-zero voxels; mask foreground 8-bit %d,"
            + " 16-bit %d, differing voxels %d; dice 8-bit vs the non-zero voxels %.4f, vs the"
            + " whole neuron's mask %.4f%n",
        zeroFraction, raw.length - zeros, fg8, fg16, differing(m8, m16),
        SegmentationMetrics.dice(mask8.image(), visible.image()),
        SegmentationMetrics.dice(mask8.image(), truth.image()));
    assertTrue(fg8 > 0, "the neuron's bright core is found");
    assertArrayEquals(m8, m16, "8-bit and 16-bit masks differ in " + differing(m8, m16)
        + " voxels");
  }

  private byte[] segment(Path input, Path mask) {
    PipelineCommandsTest.Run r = PipelineCommandsTest.cli("segment", "--input", input.toString(),
        "--output", mask.toString());
    assertEquals(0, r.code(), r.err());
    int[] v = values(Volumes.read(mask).image());
    byte[] out = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (byte) v[i];
    }
    return out;
  }

  private static int[] values(RandomAccessibleInterval<? extends RealType<?>> image) {
    int[] v = new int[(int) Views.iterable(image).size()];
    int i = 0;
    for (RealType<?> t : Views.flatIterable(image)) {
      v[i++] = (int) t.getRealDouble();
    }
    return v;
  }

  /** NumPy's default (linear) percentile of the unsigned bytes, by sorting. */
  private static double percentile(byte[] data, double q) {
    int[] v = new int[data.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = data[i] & 0xff;
    }
    Arrays.sort(v);
    double rank = q / 100 * (v.length - 1);
    int lo = (int) Math.floor(rank);
    int hi = Math.min(lo + 1, v.length - 1);
    return v[lo] + (rank - lo) * (v[hi] - v[lo]);
  }

  private static long count(byte[] mask) {
    long c = 0;
    for (byte b : mask) {
      c += b != 0 ? 1 : 0;
    }
    return c;
  }

  private static long differing(byte[] a, byte[] b) {
    long c = 0;
    for (int i = 0; i < a.length; i++) {
      c += a[i] != b[i] ? 1 : 0;
    }
    return c;
  }
}
