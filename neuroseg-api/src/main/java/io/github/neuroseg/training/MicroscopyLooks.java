package io.github.neuroseg.training;

import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.synth.GroundTruth;
import io.github.neuroseg.synth.NeuronGenerator;
import io.github.neuroseg.synth.NeuronRenderer;
import io.github.neuroseg.synth.RenderedNeuron;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.VoxelSize;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.view.Views;

/**
 * Renders a neuron under a look drawn at random for each volume, so that training sees the
 * range of real light microscopy rather than one synthetic style: contrast-to-noise ratio
 * log-uniform in 1..20, a noisy floor or a pre-masked background (every voxel farther than two
 * voxels from any fibre set to exact zero, as in background-subtracted stacks), structured
 * background, bright blobs, other fibres that are not the neuron (in the image, not in the
 * label), dim and broken branches, anisotropic voxels (z step 1 to 3 times x) with a matching
 * point-spread function, and 8- or 16-bit storage. The label is the neuron's own tube mask.
 * Deterministic for the seed.
 */
final class MicroscopyLooks {
  private MicroscopyLooks() {}

  /**
   * One look.
   *
   * @param zStep voxel size in z relative to x and y
   * @param cnr the contrast-to-noise ratio aimed at
   * @param background mean background count
   * @param readNoise read noise, counts
   * @param foreground tube brightness, counts
   * @param preMasked whether the background is set to exact zero away from the fibres
   * @param eightBit whether the image is stored as 8-bit (scaled, clipped, rounded)
   * @param otherFibres neurons drawn into the image but not into the label
   */
  record Look(double zStep, double cnr, double background, double readNoise, double foreground,
      boolean preMasked, boolean eightBit, int otherFibres, NeuronRenderer renderer) {

    String describe() {
      return String.format(Locale.ROOT, "z %.1f, cnr %.1f, %s, %s, %d other fibres", zStep, cnr,
          preMasked ? "pre-masked" : "noise floor " + Math.round(background),
          eightBit ? "8-bit" : "16-bit", otherFibres);
    }
  }

  /** A look drawn from {@code r}. */
  static Look draw(SplittableRandom r) {
    double[] steps = {1, 1, 2, 3};
    double zStep = steps[r.nextInt(steps.length)];
    double cnr = Math.exp(Math.log(1) + r.nextDouble() * (Math.log(20) - Math.log(1)));
    boolean preMasked = r.nextDouble() < 0.35;
    double background = preMasked ? 2 + 8 * r.nextDouble() : 20 + 180 * r.nextDouble();
    double readNoise = 1 + 6 * r.nextDouble();
    double sigma = Math.sqrt(background + readNoise * readNoise);
    // blurring spreads a thin tube's signal: about half its brightness is left at the centre
    double foreground = cnr * sigma / 0.5;
    double psfXy = 0.6 + 0.9 * r.nextDouble();
    double psfZ = (1 + 1.5 * r.nextDouble()) / zStep;
    NeuronRenderer.Builder b = NeuronRenderer.newBuilder().seed(r.nextLong())
        .background(background).foreground(foreground).readNoise(readNoise)
        .psfSigmaXy(psfXy).psfSigmaZ(psfZ)
        .intensityVariation(0.2 + 0.5 * r.nextDouble())
        .gapRate(0.05 * r.nextDouble()).gapDepth(0.1 + 0.4 * r.nextDouble())
        .distractors(r.nextInt(9))
        .distractorIntensity(foreground * (0.3 + 1.2 * r.nextDouble()));
    if (!preMasked && r.nextDouble() < 0.5) {
      b.backgroundVariation(sigma * 2 * r.nextDouble())
          .backgroundCorrelation(3 + 12 * r.nextDouble())
          .backgroundGradient(background * (r.nextDouble() - 0.5),
              background * (r.nextDouble() - 0.5), background * 0.5 * (r.nextDouble() - 0.5));
    }
    return new Look(zStep, cnr, background, readNoise, foreground, preMasked,
        r.nextBoolean(), r.nextInt(3), b.build());
  }

  /**
   * The neuron rendered under the look, labelled with its own mask.
   *
   * @param voxelTree the neuron in voxel coordinates of a volume of {@code dims}
   */
  static LabeledVolume render(NeuronTree voxelTree, long[] dims, Look look, long seed,
      String name) {
    VoxelSize vs = VoxelSize.microns(1, 1, look.zStep());
    List<SwcNode> all = new ArrayList<>(voxelTree.nodes());
    long nextId = all.stream().mapToLong(SwcNode::id).max().orElse(0) + 1;
    for (int k = 0; k < look.otherFibres(); k++) {
      NeuronTree other = NeuronGenerator.newBuilder().bounds(dims[0], dims[1], dims[2])
          .seed(seed * 31 + k).build().generate();
      long offset = nextId;
      for (SwcNode n : other.nodes()) {
        all.add(new SwcNode(n.id() + offset, n.structure(), n.x(), n.y(), n.z(), n.radius(),
            n.parent() < 0 ? n.parent() : n.parent() + offset));
        nextId = Math.max(nextId, n.id() + offset + 1);
      }
    }
    NeuronTree forest = NeuronTree.of(all);
    RenderedNeuron r = look.renderer().render(forest.toPhysical(vs), dims, vs);
    ArrayImg<UnsignedByteType, ByteArray> label =
        GroundTruth.render(voxelTree.toPhysical(vs), dims, vs);
    float[] v = new float[(int) (dims[0] * dims[1] * dims[2])];
    int i = 0;
    for (RealType<?> t : Views.flatIterable(r.image().image())) {
      v[i++] = (float) t.getRealDouble();
    }
    if (look.preMasked()) {
      byte[] near = dilate(r.mask().update(null).getCurrentStorageArray(), dims, 2);
      for (int k = 0; k < v.length; k++) {
        if (near[k] == 0) {
          v[k] = 0;
        }
      }
    }
    Volume image = look.eightBit() ? eightBit(v, dims, vs, name) : sixteenBit(v, dims, vs, name);
    return new LabeledVolume(image, label, name);
  }

  /** Stored as 8-bit: the 99.9th percentile of the non-zero voxels maps to 255. */
  private static Volume eightBit(float[] v, long[] dims, VoxelSize vs, String name) {
    float[] nonZero = new float[v.length];
    int n = 0;
    for (float x : v) {
      if (x > 0) {
        nonZero[n++] = x;
      }
    }
    Arrays.sort(nonZero, 0, n);
    double top = n == 0 ? 1 : Math.max(1, nonZero[Math.min(n - 1, (int) (0.999 * n))]);
    byte[] b = new byte[v.length];
    for (int k = 0; k < v.length; k++) {
      b[k] = (byte) Math.max(0, Math.min(255, Math.round(v[k] * 255 / top)));
    }
    return new Volume(ArrayImgs.unsignedBytes(b, dims), vs, name, Map.of());
  }

  private static Volume sixteenBit(float[] v, long[] dims, VoxelSize vs, String name) {
    short[] s = new short[v.length];
    for (int k = 0; k < v.length; k++) {
      s[k] = (short) Math.max(0, Math.min(65535, Math.round(v[k])));
    }
    return new Volume(ArrayImgs.unsignedShorts(s, dims), vs, name, Map.of());
  }

  /** The mask grown by {@code r} voxels in x and y and one voxel in z (a box neighbourhood). */
  static byte[] dilate(byte[] mask, long[] dims, int r) {
    int nx = (int) dims[0];
    int ny = (int) dims[1];
    int nz = (int) dims[2];
    byte[] out = new byte[mask.length];
    for (int z = 0; z < nz; z++) {
      for (int y = 0; y < ny; y++) {
        for (int x = 0; x < nx; x++) {
          if (mask[(z * ny + y) * nx + x] == 0) {
            continue;
          }
          for (int zz = Math.max(0, z - 1); zz <= Math.min(nz - 1, z + 1); zz++) {
            for (int yy = Math.max(0, y - r); yy <= Math.min(ny - 1, y + r); yy++) {
              int row = (zz * ny + yy) * nx;
              for (int xx = Math.max(0, x - r); xx <= Math.min(nx - 1, x + r); xx++) {
                out[row + xx] = 1;
              }
            }
          }
        }
      }
    }
    return out;
  }
}
