package io.github.neuroseg.synth;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.internal.Checks;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.VoxelSize;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.type.numeric.integer.UnsignedByteType;

/**
 * Renders a neuron tree into a realistic synthetic light-microscopy volume together with its exact
 * ground-truth mask.
 *
 * <p>The image model, in order:
 *
 * <ol>
 *   <li>Signal: every parent-child edge is a tube with linearly interpolated radius, as in {@link
 *       GroundTruth} (same minimum radius, so the bright structure and the mask coincide before
 *       blurring). Its brightness is {@code foreground * (1 + intensityVariation * v)} (at least
 *       10% of {@code foreground}), where {@code v} is a continuous unit-variance random process
 *       along the branches (an Ornstein-Uhlenbeck walk from the root: correlation {@code exp(-s /
 *       intensityCorrelation)} between points {@code s} voxels apart), linear between nodes. Overlapping tubes take the maximum, not the sum.
 *   <li>Gaps: each edge gets a dark stretch with probability {@code 1 - exp(-gapRate * length)}
 *       ({@code gapRate} per voxel of length): over {@code gapLength} voxels of the edge the signal
 *       is multiplied by {@code gapDepth}. Gaps stay in the mask (the neurite is there, only dim).
 *   <li>Varicosities: on each edge, with probability {@code 1 - exp(-varicosityRate * length)},
 *       a bright swelling: a sphere of {@code varicositySize} times the local radius and {@code
 *       varicosityGain} times the local brightness. Swellings are not in the mask beyond the
 *       tube.
 *   <li>Distractors: {@code distractors} spherical blobs of radius {@code distractorRadius} voxels
 *       and brightness {@code distractorIntensity}, placed at random where no blob voxel touches
 *       the mask (placement is retried; blobs that find no room are left out). Not in the mask.
 *   <li>Point-spread function: separable anisotropic Gaussian blur with {@code psfSigmaXy} and
 *       {@code psfSigmaZ} voxels (kernels cut at 3 sigma, zero signal outside the image; 0
 *       disables blurring on that axis).
 *   <li>Structured background (off by default): a smooth random field of standard deviation
 *       {@code backgroundVariation} counts whose correlation between voxels {@code d} apart is
 *       {@code exp(-d^2 / (2 backgroundCorrelation^2))} (Gaussian-filtered white noise with the
 *       variance made uniform up to the borders), plus a linear ramp rising by {@code
 *       backgroundGradient} counts from the first to the last voxel along x, y and z (zero mean).
 *       It stands for autofluorescence, out-of-focus light and uneven illumination. It is not
 *       in the mask.
 *   <li>Noise: the expected count is {@code background + structured background + blurred
 *       signal} (at least 0); a Poisson sample of it
 *       (exact below a mean of 30, Gaussian with the same mean and variance above) plus Gaussian
 *       read noise of standard deviation {@code readNoise}, rounded and clamped to 0..65535.
 * </ol>
 *
 * <p>The image is 16-bit unsigned ({@code UnsignedShortType}) as microscopes write it. Rendering is
 * deterministic for a seed: the same tree, size, voxel size and settings give the same voxels. The
 * renderer is immutable and thread-safe.
 *
 * <pre>{@code
 * NeuronRenderer r = NeuronRenderer.newBuilder().seed(1).psfSigmaZ(2.5).distractors(5).build();
 * RenderedNeuron n = r.render(tree, new long[] {128, 128, 32}, VoxelSize.UNIT);
 * }</pre>
 */
public final class NeuronRenderer {
  private final long seed;
  private final double background;
  private final double foreground;
  private final double intensityVariation;
  private final double intensityCorrelation;
  private final double gapRate;
  private final double gapLength;
  private final double gapDepth;
  private final double varicosityRate;
  private final double varicositySize;
  private final double varicosityGain;
  private final double psfSigmaXy;
  private final double psfSigmaZ;
  private final boolean poisson;
  private final double readNoise;
  private final int distractors;
  private final double distractorRadius;
  private final double distractorIntensity;
  private final double minRadiusVoxels;
  private final double backgroundVariation;
  private final double backgroundCorrelation;
  private final double[] backgroundGradient;

  private NeuronRenderer(Builder b) {
    this.seed = b.seed;
    this.background = b.background;
    this.foreground = b.foreground;
    this.intensityVariation = b.intensityVariation;
    this.intensityCorrelation = b.intensityCorrelation;
    this.gapRate = b.gapRate;
    this.gapLength = b.gapLength;
    this.gapDepth = b.gapDepth;
    this.varicosityRate = b.varicosityRate;
    this.varicositySize = b.varicositySize;
    this.varicosityGain = b.varicosityGain;
    this.psfSigmaXy = b.psfSigmaXy;
    this.psfSigmaZ = b.psfSigmaZ;
    this.poisson = b.poisson;
    this.readNoise = b.readNoise;
    this.distractors = b.distractors;
    this.distractorRadius = b.distractorRadius;
    this.distractorIntensity = b.distractorIntensity >= 0 ? b.distractorIntensity
        : 0.6 * b.foreground;
    this.minRadiusVoxels = b.minRadiusVoxels;
    this.backgroundVariation = b.backgroundVariation;
    this.backgroundCorrelation = b.backgroundCorrelation;
    this.backgroundGradient = b.backgroundGradient.clone();
  }

  /** A builder with the defaults listed on each setter. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /**
   * Renders {@code tree} into an image of {@code dims = [width, height, depth]} voxels.
   *
   * @param tree nodes in physical units of {@code voxelSize} ({@link VoxelSize#UNIT}: voxels)
   * @param dims three positive sizes
   * @param voxelSize the physical voxel size of the image
   * @throws InvalidInputException on bad dimensions
   */
  public RenderedNeuron render(NeuronTree tree, long[] dims, VoxelSize voxelSize) {
    GroundTruth.checkDims(dims);
    ArrayImg<UnsignedByteType, ByteArray> mask =
        GroundTruth.render(tree, dims, voxelSize, minRadiusVoxels);
    int nx = (int) dims[0];
    int ny = (int) dims[1];
    int nz = (int) dims[2];
    // separate random streams, so that e.g. adding distractors does not change the noise
    SplittableRandom root = new SplittableRandom(seed);
    SplittableRandom structure = root.split();
    SplittableRandom blobs = root.split();
    SplittableRandom noise = root.split();
    SplittableRandom field = root.split(); // split last: renders without a field keep their voxels
    float[] signal = new float[nx * ny * nz];
    drawTree(tree, signal, nx, ny, nz, voxelSize, structure);
    drawDistractors(signal, mask.update(null).getCurrentStorageArray(), nx, ny, nz, blobs);
    Blur.gaussian(signal, nx, ny, nz, psfSigmaXy, psfSigmaXy, psfSigmaZ);
    float[] structured = hasStructuredBackground()
        ? BackgroundField.render(nx, ny, nz, backgroundVariation, backgroundCorrelation,
            backgroundGradient, field)
        : null;
    short[] out = new short[signal.length];
    for (int i = 0; i < out.length; i++) {
      // a falling ramp or a dark patch of the field may push the expected count below zero
      double mean = Math.max(0,
          background + signal[i] + (structured == null ? 0 : structured[i]));
      double v = poisson ? poissonSample(mean, noise) : mean;
      if (readNoise > 0) {
        v += readNoise * NeuronGenerator.gaussian(noise);
      }
      long c = Math.round(v);
      out[i] = (short) Math.max(0, Math.min(65535, c));
    }
    Volume image = new Volume(ArrayImgs.unsignedShorts(out, dims), voxelSize, "synthetic",
        Map.of("neuroseg.synthetic.seed", Long.toString(seed)));
    return new RenderedNeuron(image, mask, tree);
  }

  private boolean hasStructuredBackground() {
    return backgroundVariation > 0 || backgroundGradient[0] != 0 || backgroundGradient[1] != 0
        || backgroundGradient[2] != 0;
  }

  private void drawTree(NeuronTree tree, float[] signal, int nx, int ny, int nz, VoxelSize vs,
      SplittableRandom rnd) {
    List<SwcNode> nodes = tree.nodes();
    int n = nodes.size();
    // smooth brightness per node: an AR(1) walk from the roots; parents come before children
    double[] level = new double[n];
    java.util.Map<Long, Integer> index = new java.util.HashMap<>(n * 2);
    for (int i = 0; i < n; i++) {
      index.put(nodes.get(i).id(), i);
    }
    int[] stack = new int[n];
    for (SwcNode r : tree.roots()) {
      int ri = index.get(r.id());
      level[ri] = NeuronGenerator.gaussian(rnd);
      int top = 0;
      stack[top++] = ri;
      while (top > 0) {
        int cur = stack[--top];
        for (SwcNode c : tree.children(nodes.get(cur).id())) {
          int ci = index.get(c.id());
          double len = voxelDistance(nodes.get(cur), c, vs);
          double rho = Math.exp(-len / intensityCorrelation);
          level[ci] = rho * level[cur] + Math.sqrt(1 - rho * rho) * NeuronGenerator.gaussian(rnd);
          stack[top++] = ci;
        }
      }
    }
    TubeRaster raster = new TubeRaster(signal, nx, ny, nz, vs, minRadiusVoxels);
    for (int i = 0; i < n; i++) {
      SwcNode b = nodes.get(i);
      SwcNode a = b.isRoot() ? b : tree.parentOf(b);
      int ai = index.get(a.id());
      double ia = brightness(level[ai]);
      double ib = brightness(level[i]);
      double len = voxelDistance(a, b, vs);
      double gapStart = 2;
      double gapEnd = -1;
      if (len > 0 && rnd.nextDouble() < 1 - Math.exp(-gapRate * len)) {
        double frac = Math.min(1, gapLength / len);
        gapStart = rnd.nextDouble() * (1 - frac);
        gapEnd = gapStart + frac;
      }
      raster.tube(a, b, ia, ib, gapStart, gapEnd, gapDepth);
      if (len > 0 && rnd.nextDouble() < 1 - Math.exp(-varicosityRate * len)) {
        double t = rnd.nextDouble();
        double r = (a.radius() + t * (b.radius() - a.radius())) * varicositySize;
        double[] p = {a.x() + t * (b.x() - a.x()), a.y() + t * (b.y() - a.y()),
            a.z() + t * (b.z() - a.z())};
        double bright = varicosityGain * (ia + t * (ib - ia));
        raster.ball(p, r, Math.max(minRadiusVoxels, 1.0) * varicositySize, bright);
      }
    }
  }

  private double brightness(double v) {
    return foreground * Math.max(0.1, 1 + intensityVariation * v);
  }

  private static double voxelDistance(SwcNode a, SwcNode b, VoxelSize vs) {
    double dx = (a.x() - b.x()) / vs.x();
    double dy = (a.y() - b.y()) / vs.y();
    double dz = (a.z() - b.z()) / vs.z();
    return Math.sqrt(dx * dx + dy * dy + dz * dz);
  }

  private void drawDistractors(float[] signal, byte[] mask, int nx, int ny, int nz,
      SplittableRandom rnd) {
    int r = (int) Math.ceil(distractorRadius);
    double r2 = distractorRadius * distractorRadius;
    for (int k = 0; k < distractors; k++) {
      for (int attempt = 0; attempt < 100; attempt++) {
        int cx = rnd.nextInt(nx);
        int cy = rnd.nextInt(ny);
        int cz = rnd.nextInt(nz);
        if (blobFits(mask, nx, ny, nz, cx, cy, cz, r, r2)) {
          for (int z = Math.max(0, cz - r); z <= Math.min(nz - 1, cz + r); z++) {
            for (int y = Math.max(0, cy - r); y <= Math.min(ny - 1, cy + r); y++) {
              for (int x = Math.max(0, cx - r); x <= Math.min(nx - 1, cx + r); x++) {
                double d2 = (double) (x - cx) * (x - cx) + (y - cy) * (y - cy)
                    + (z - cz) * (z - cz);
                if (d2 <= r2) {
                  int i = (z * ny + y) * nx + x;
                  signal[i] = (float) Math.max(signal[i], distractorIntensity);
                }
              }
            }
          }
          break;
        }
      }
    }
  }

  private static boolean blobFits(byte[] mask, int nx, int ny, int nz, int cx, int cy, int cz,
      int r, double r2) {
    for (int z = Math.max(0, cz - r); z <= Math.min(nz - 1, cz + r); z++) {
      for (int y = Math.max(0, cy - r); y <= Math.min(ny - 1, cy + r); y++) {
        for (int x = Math.max(0, cx - r); x <= Math.min(nx - 1, cx + r); x++) {
          double d2 = (double) (x - cx) * (x - cx) + (y - cy) * (y - cy) + (z - cz) * (z - cz);
          if (d2 <= r2 && mask[(z * ny + y) * nx + x] != 0) {
            return false;
          }
        }
      }
    }
    return true;
  }

  /** Poisson sample: Knuth's product method below 30, a Gaussian of equal moments above. */
  static double poissonSample(double mean, SplittableRandom rnd) {
    if (mean <= 0) {
      return 0;
    }
    if (mean < 30) {
      double limit = Math.exp(-mean);
      double p = 1;
      int k = -1;
      do {
        k++;
        p *= rnd.nextDouble();
      } while (p > limit);
      return k;
    }
    return mean + Math.sqrt(mean) * NeuronGenerator.gaussian(rnd);
  }

  /** Builder of {@link NeuronRenderer}; setters return this builder. */
  public static final class Builder {
    private long seed;
    private double background = 100;
    private double foreground = 1000;
    private double intensityVariation = 0.3;
    private double intensityCorrelation = 20;
    private double gapRate = 0.005;
    private double gapLength = 3;
    private double gapDepth = 0.1;
    private double varicosityRate = 0.02;
    private double varicositySize = 1.8;
    private double varicosityGain = 1.6;
    private double psfSigmaXy = 1.0;
    private double psfSigmaZ = 2.0;
    private boolean poisson = true;
    private double readNoise = 5;
    private int distractors;
    private double distractorRadius = 3;
    private double distractorIntensity = -1;
    private double minRadiusVoxels = GroundTruth.DEFAULT_MIN_RADIUS_VOXELS;
    private double backgroundVariation;
    private double backgroundCorrelation = 16;
    private double[] backgroundGradient = new double[3];

    private Builder() {}

    /** Random seed (default 0). */
    public Builder seed(long value) {
      this.seed = value;
      return this;
    }

    /** Mean background count (default 100). */
    public Builder background(double value) {
      this.background = nonNegative("background", value);
      return this;
    }

    /** Mean brightness of a neurite above background, before blurring (default 1000). */
    public Builder foreground(double value) {
      this.foreground = nonNegative("foreground", value);
      return this;
    }

    /** Relative standard deviation of brightness along branches (default 0.3). */
    public Builder intensityVariation(double value) {
      this.intensityVariation = nonNegative("intensity variation", value);
      return this;
    }

    /** Correlation length of the brightness variation, voxels (default 20). */
    public Builder intensityCorrelation(double value) {
      this.intensityCorrelation = positive("intensity correlation", value);
      return this;
    }

    /** Expected gaps per voxel of neurite length (default 0.005; 0 for none). */
    public Builder gapRate(double value) {
      this.gapRate = nonNegative("gap rate", value);
      return this;
    }

    /** Length of a gap, voxels (default 3). */
    public Builder gapLength(double value) {
      this.gapLength = positive("gap length", value);
      return this;
    }

    /** Brightness factor inside a gap, in [0, 1] (default 0.1). */
    public Builder gapDepth(double value) {
      this.gapDepth = Checks.inRange("gap depth", value, 0, 1);
      return this;
    }

    /** Expected varicosities per voxel of neurite length (default 0.02; 0 for none). */
    public Builder varicosityRate(double value) {
      this.varicosityRate = nonNegative("varicosity rate", value);
      return this;
    }

    /** Varicosity radius relative to the local neurite radius (default 1.8). */
    public Builder varicositySize(double value) {
      this.varicositySize = positive("varicosity size", value);
      return this;
    }

    /** Varicosity brightness relative to the local neurite brightness (default 1.6). */
    public Builder varicosityGain(double value) {
      this.varicosityGain = nonNegative("varicosity gain", value);
      return this;
    }

    /** Gaussian PSF sigma in x and y, voxels (default 1; 0 for none). */
    public Builder psfSigmaXy(double value) {
      this.psfSigmaXy = nonNegative("PSF sigma xy", value);
      return this;
    }

    /** Gaussian PSF sigma in z, voxels (default 2; 0 for none). */
    public Builder psfSigmaZ(double value) {
      this.psfSigmaZ = nonNegative("PSF sigma z", value);
      return this;
    }

    /** Whether to apply Poisson shot noise (default true). */
    public Builder poisson(boolean value) {
      this.poisson = value;
      return this;
    }

    /** Standard deviation of Gaussian read noise, counts (default 5; 0 for none). */
    public Builder readNoise(double value) {
      this.readNoise = nonNegative("read noise", value);
      return this;
    }

    /** Number of distractor blobs outside the neuron (default 0). */
    public Builder distractors(int value) {
      this.distractors = Checks.atLeast("distractor count", value, 0);
      return this;
    }

    /** Radius of distractor blobs, voxels (default 3). */
    public Builder distractorRadius(double value) {
      this.distractorRadius = positive("distractor radius", value);
      return this;
    }

    /** Brightness of distractor blobs above background (default 0.6 x foreground). */
    public Builder distractorIntensity(double value) {
      this.distractorIntensity = nonNegative("distractor intensity", value);
      return this;
    }

    /** Minimum tube radius in voxels for signal and mask (default 1, see {@link GroundTruth}). */
    public Builder minRadiusVoxels(double value) {
      this.minRadiusVoxels = nonNegative("minimum radius", value);
      return this;
    }

    /**
     * Standard deviation, in counts, of a smooth random field added to the background (default
     * 0: a flat background). The field is stationary, Gaussian, has mean 0 and the correlation
     * length set by {@link #backgroundCorrelation}; it comes from its own random stream of the
     * seed, so adding it leaves the neuron, the distractors and the noise as they were. Rendering
     * a field costs a Gaussian filter of about {@code 4.2 * backgroundCorrelation} taps per axis
     * over the volume.
     */
    public Builder backgroundVariation(double counts) {
      this.backgroundVariation = nonNegative("background variation", counts);
      return this;
    }

    /**
     * Correlation length {@code L} of the background field, voxels (default 16): voxels {@code
     * d} apart have correlation {@code exp(-d^2 / (2 L^2))}.
     */
    public Builder backgroundCorrelation(double voxels) {
      this.backgroundCorrelation = positive("background correlation", voxels);
      return this;
    }

    /**
     * A linear background ramp (default 0, 0, 0: none): the mean background rises by {@code x},
     * {@code y} and {@code z} counts from the first to the last voxel along each axis (negative
     * values fall), centred so that the mean over the volume stays {@link #background}.
     */
    public Builder backgroundGradient(double x, double y, double z) {
      for (double v : new double[] {x, y, z}) {
        if (!Double.isFinite(v)) {
          throw new InvalidInputException("background gradient must be finite, got " + x + ", "
              + y + ", " + z);
        }
      }
      this.backgroundGradient = new double[] {x, y, z};
      return this;
    }

    /** The immutable renderer. */
    public NeuronRenderer build() {
      return new NeuronRenderer(this);
    }

    private static double positive(String what, double value) {
      return Checks.positiveFinite(what, value);
    }

    private static double nonNegative(String what, double value) {
      return Checks.nonNegativeFinite(what, value);
    }
  }
}
