package io.github.neuroseg.imagej;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ShortProcessor;
import io.github.neuroseg.synth.NeuronGenerator;
import io.github.neuroseg.synth.NeuronRenderer;
import io.github.neuroseg.synth.RenderedNeuron;
import io.github.neuroseg.volume.VoxelSize;
import net.imglib2.RandomAccess;
import net.imglib2.type.numeric.RealType;

/** Small rendered neurons as ImageJ stacks. */
final class Neurons {
  private Neurons() {}

  static final int WIDTH = 64;
  static final int HEIGHT = 64;
  static final int DEPTH = 12;
  static final VoxelSize VOXEL = VoxelSize.microns(0.4, 0.4, 1.2);

  /** A neuron rendered at {@link #VOXEL}, the generator and renderer seeded with {@code seed}. */
  static RenderedNeuron render(long seed) {
    long[] dims = {WIDTH, HEIGHT, DEPTH};
    return NeuronRenderer.newBuilder().seed(seed).build().render(
        NeuronGenerator.newBuilder().bounds(WIDTH, HEIGHT, DEPTH).seed(seed).build().generate()
            .toPhysical(VOXEL), dims, VOXEL);
  }

  /** The neuron's 16-bit image as a calibrated ImageJ stack (copied voxel by voxel). */
  static ImagePlus imagePlus(RenderedNeuron n, String title) {
    ImageStack stack = new ImageStack(WIDTH, HEIGHT);
    RandomAccess<? extends RealType<?>> ra = n.image().image().randomAccess();
    for (int z = 0; z < DEPTH; z++) {
      short[] plane = new short[WIDTH * HEIGHT];
      for (int y = 0; y < HEIGHT; y++) {
        for (int x = 0; x < WIDTH; x++) {
          ra.setPosition(new long[] {x, y, z});
          plane[y * WIDTH + x] = (short) ra.get().getRealDouble();
        }
      }
      stack.addSlice(null, new ShortProcessor(WIDTH, HEIGHT, plane, null));
    }
    ImagePlus imp = new ImagePlus(title, stack);
    imp.setDimensions(1, DEPTH, 1);
    Calibration cal = imp.getCalibration();
    cal.pixelWidth = VOXEL.x();
    cal.pixelHeight = VOXEL.y();
    cal.pixelDepth = VOXEL.z();
    cal.setUnit("\u00b5m");
    return imp;
  }
}
