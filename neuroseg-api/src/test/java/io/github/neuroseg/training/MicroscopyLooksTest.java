package io.github.neuroseg.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.synth.GroundTruth;
import io.github.neuroseg.synth.NeuronGenerator;
import io.github.neuroseg.volume.VoxelSize;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.imglib2.Cursor;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.view.Views;
import org.junit.jupiter.api.Test;

class MicroscopyLooksTest {
  private static final long[] DIMS = {48, 40, 10};

  @Test
  void looksVaryAndVolumesAreLabelledByTheNeuronAlone() {
    NeuronTree neuron = NeuronGenerator.newBuilder().bounds(48, 40, 10).seed(5).build()
        .generate();
    SplittableRandom r = new SplittableRandom(11);
    boolean sawMasked = false;
    boolean sawEightBit = false;
    boolean sawOthers = false;
    for (int k = 0; k < 12; k++) {
      MicroscopyLooks.Look look = MicroscopyLooks.draw(r.split());
      assertTrue(look.cnr() >= 1 && look.cnr() <= 20, look.describe());
      LabeledVolume v = MicroscopyLooks.render(neuron, DIMS, look, k, "n" + k);
      assertEquals(VoxelSize.microns(1, 1, look.zStep()), v.image().voxelSize());
      assertEquals(look.eightBit(), v.image().image().getType() instanceof UnsignedByteType);
      // the label is the neuron's own mask, whatever else the image shows
      Cursor<? extends RealType<?>> want = Views.flatIterable(GroundTruth.render(
          neuron.toPhysical(v.image().voxelSize()), DIMS, v.image().voxelSize())).cursor();
      Cursor<? extends RealType<?>> got = Views.flatIterable(v.mask()).cursor();
      while (want.hasNext()) {
        assertEquals(want.next().getRealDouble(), got.next().getRealDouble(), 0);
      }
      if (look.preMasked()) {
        sawMasked = true;
        // pre-masked: most of the volume is exact zero, the neuron is not
        long zeros = 0;
        long n = 0;
        double onNeuron = 0;
        long fg = 0;
        Cursor<? extends RealType<?>> c = Views.flatIterable(v.image().image()).cursor();
        Cursor<? extends RealType<?>> m = Views.flatIterable(v.mask()).cursor();
        while (c.hasNext()) {
          double x = c.next().getRealDouble();
          boolean in = m.next().getRealDouble() != 0;
          zeros += x == 0 ? 1 : 0;
          n++;
          if (in) {
            onNeuron += x;
            fg++;
          }
        }
        assertTrue(zeros > n / 2, "zeros " + zeros + " of " + n);
        assertTrue(onNeuron / fg > 0, look.describe());
      }
      sawEightBit |= look.eightBit();
      sawOthers |= look.otherFibres() > 0;
    }
    assertTrue(sawMasked && sawEightBit && sawOthers, "twelve looks cover the variations");
  }

  @Test
  void randomizedDataIsDeterministic() {
    List<String> a = new ArrayList<>();
    List<String> b = new ArrayList<>();
    List<LabeledVolume> x = SyntheticData.randomized(List.of(), 2, DIMS, 3, (f, e) -> { },
        (n, d) -> a.add(n + " " + d));
    List<LabeledVolume> y = SyntheticData.randomized(List.of(), 2, DIMS, 3, (f, e) -> { },
        (n, d) -> b.add(n + " " + d));
    assertEquals(a, b);
    for (int k = 0; k < 2; k++) {
      Cursor<? extends RealType<?>> p = Views.flatIterable(x.get(k).image().image()).cursor();
      Cursor<? extends RealType<?>> q = Views.flatIterable(y.get(k).image().image()).cursor();
      while (p.hasNext()) {
        assertEquals(p.next().getRealDouble(), q.next().getRealDouble(), 0);
      }
    }
  }
}
