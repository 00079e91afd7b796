package io.github.neuroseg.synth;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.internal.Checks;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.SwcNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates random, plausible single neurons in voxel coordinates: a soma (a type 1 root with a
 * large radius) near the centre of the bounds, primary neurites leaving it (the first an axon,
 * type 2, the rest basal dendrites, type 3), each growing as a persistent random walk (tortuous
 * paths) with tapering radii and random branching, all inside the bounds.
 *
 * <p>Immutable and thread-safe; {@link #generate()} is deterministic for the builder's seed
 * (and {@link #generate(long)} for a given seed): the same seed gives the same tree on every
 * platform.
 *
 * <pre>{@code
 * NeuronTree t = NeuronGenerator.newBuilder().bounds(256, 256, 64).seed(7).build().generate();
 * }</pre>
 */
public final class NeuronGenerator {
  private final long[] bounds;
  private final long seed;
  private final int minNeurites;
  private final int maxNeurites;
  private final double somaRadius;
  private final double neuriteRadius;
  private final double minRadius;
  private final double taper;
  private final double step;
  private final double tortuosity;
  private final double branchProbability;
  private final int maxBranchOrder;
  private final double branchLength;
  private final int maxNodes;
  private final double margin;

  private NeuronGenerator(Builder b) {
    this.bounds = b.bounds.clone();
    this.seed = b.seed;
    this.minNeurites = b.minNeurites;
    this.maxNeurites = b.maxNeurites;
    double minDim = Math.min(bounds[0], Math.min(bounds[1], bounds[2]));
    this.somaRadius = b.somaRadius > 0 ? b.somaRadius
        : Math.max(2.5, Math.min(8, 0.05 * Math.min(bounds[0], bounds[1])));
    this.neuriteRadius = b.neuriteRadius;
    this.minRadius = b.minRadius;
    this.taper = b.taper;
    this.step = b.step;
    this.tortuosity = b.tortuosity;
    this.branchProbability = b.branchProbability;
    this.maxBranchOrder = b.maxBranchOrder;
    this.branchLength = b.branchLength > 0 ? b.branchLength
        : 0.3 * Math.max(bounds[0], Math.max(bounds[1], bounds[2]));
    this.maxNodes = b.maxNodes;
    this.margin = b.margin >= 0 ? b.margin : Math.min(3, Math.max(0, (minDim - 1) / 4));
  }

  /** A builder with defaults for a 128 x 128 x 32 volume and seed 0. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /** A neuron for the builder's seed. */
  public NeuronTree generate() {
    return generate(seed);
  }

  /** A neuron for the given seed (same seed, same tree). */
  public NeuronTree generate(long treeSeed) {
    SplittableRandom rnd = new SplittableRandom(treeSeed);
    List<SwcNode> nodes = new ArrayList<>();
    double[] lo = {margin, margin, margin};
    double[] hi = {bounds[0] - 1 - margin, bounds[1] - 1 - margin, bounds[2] - 1 - margin};
    for (int d = 0; d < 3; d++) {
      if (hi[d] < lo[d]) {
        lo[d] = hi[d] = (bounds[d] - 1) / 2.0;
      }
    }
    double[] soma = new double[3];
    for (int d = 0; d < 3; d++) {
      double c = (lo[d] + hi[d]) / 2;
      soma[d] = c + (rnd.nextDouble() - 0.5) * 0.2 * (hi[d] - lo[d]);
    }
    nodes.add(new SwcNode(1, 1, soma[0], soma[1], soma[2], somaRadius, SwcNode.NO_PARENT));
    Deque<Branch> queue = new ArrayDeque<>();
    int primaries = minNeurites + rnd.nextInt(maxNeurites - minNeurites + 1);
    double zScale = bounds[2] / (double) Math.max(bounds[0], bounds[1]);
    for (int i = 0; i < primaries; i++) {
      // directions spread around the soma, flattened along z as the volume is
      double phi = 2 * Math.PI * (i + 0.5 * rnd.nextDouble()) / primaries;
      double[] dir = {Math.cos(phi), Math.sin(phi), (rnd.nextDouble() - 0.5) * zScale};
      normalise(dir);
      double[] start = {soma[0] + dir[0] * somaRadius, soma[1] + dir[1] * somaRadius,
          soma[2] + dir[2] * somaRadius};
      clampInto(start, lo, hi);
      queue.add(new Branch(1, start, dir, neuriteRadius * (0.8 + 0.4 * rnd.nextDouble()),
          i == 0 ? 2 : 3, 0));
    }
    while (!queue.isEmpty() && nodes.size() < maxNodes) {
      Branch br = queue.poll();
      grow(br, nodes, queue, rnd, lo, hi, zScale);
    }
    return NeuronTree.of(nodes);
  }

  private record Branch(long parent, double[] start, double[] dir, double radius, int type,
      int order) {}

  private void grow(Branch br, List<SwcNode> nodes, Deque<Branch> queue, SplittableRandom rnd,
      double[] lo, double[] hi, double zScale) {
    double[] p = br.start().clone();
    double[] dir = br.dir().clone();
    double r = br.radius();
    long parent = br.parent();
    double target = branchLength * (0.5 + rnd.nextDouble()) * Math.pow(0.75, br.order());
    double grown = 0;
    long id = nodes.size() + 1L;
    nodes.add(new SwcNode(id, br.type(), p[0], p[1], p[2], r, parent));
    parent = id;
    while (grown < target && nodes.size() < maxNodes) {
      for (int d = 0; d < 3; d++) {
        dir[d] += tortuosity * gaussian(rnd) * (d == 2 ? zScale : 1);
      }
      normalise(dir);
      double[] next = new double[3];
      for (int d = 0; d < 3; d++) {
        next[d] = p[d] + step * dir[d];
        // reflect off the bounds so the neuron stays inside
        if (next[d] < lo[d] || next[d] > hi[d]) {
          dir[d] = -dir[d];
          next[d] = p[d] + step * dir[d];
        }
      }
      clampInto(next, lo, hi);
      p = next;
      grown += step;
      r = Math.max(minRadius, r * taper);
      id = nodes.size() + 1L;
      nodes.add(new SwcNode(id, br.type(), p[0], p[1], p[2], r, parent));
      parent = id;
      if (br.order() < maxBranchOrder && rnd.nextDouble() < branchProbability) {
        // a side branch leaves at 30-70 degrees
        double[] side = perpendicular(dir, rnd);
        double angle = Math.toRadians(30 + 40 * rnd.nextDouble());
        double[] bd = new double[3];
        for (int d = 0; d < 3; d++) {
          bd[d] = Math.cos(angle) * dir[d] + Math.sin(angle) * side[d];
        }
        normalise(bd);
        queue.add(new Branch(parent, p.clone(), bd, Math.max(minRadius, r * 0.8), br.type(),
            br.order() + 1));
      }
    }
  }

  private static double[] perpendicular(double[] dir, SplittableRandom rnd) {
    double[] v = {gaussian(rnd), gaussian(rnd), gaussian(rnd)};
    double dot = v[0] * dir[0] + v[1] * dir[1] + v[2] * dir[2];
    for (int d = 0; d < 3; d++) {
      v[d] -= dot * dir[d];
    }
    if (!normalise(v)) {
      v = new double[] {-dir[1], dir[0], 0};
      if (!normalise(v)) {
        v = new double[] {0, 0, 1};
      }
    }
    return v;
  }

  private static void clampInto(double[] p, double[] lo, double[] hi) {
    for (int d = 0; d < 3; d++) {
      p[d] = Math.max(lo[d], Math.min(hi[d], p[d]));
    }
  }

  private static boolean normalise(double[] v) {
    double n = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    if (!(n > 1e-12)) {
      return false;
    }
    for (int d = 0; d < 3; d++) {
      v[d] /= n;
    }
    return true;
  }

  /** Box-Muller on a {@link SplittableRandom}, which has no Gaussian of its own before 17. */
  static double gaussian(SplittableRandom rnd) {
    double u = 1 - rnd.nextDouble();
    double v = rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Builder of {@link NeuronGenerator}; setters return this builder. */
  public static final class Builder {
    private long[] bounds = {128, 128, 32};
    private long seed;
    private int minNeurites = 3;
    private int maxNeurites = 6;
    private double somaRadius = -1;
    private double neuriteRadius = 2.0;
    private double minRadius = 0.6;
    private double taper = 0.995;
    private double step = 1.5;
    private double tortuosity = 0.15;
    private double branchProbability = 0.02;
    private int maxBranchOrder = 3;
    private double branchLength = -1;
    private int maxNodes = 20_000;
    private double margin = -1;

    private Builder() {}

    /** Volume size in voxels {@code [width, height, depth]}; nodes stay inside. */
    public Builder bounds(long width, long height, long depth) {
      if (width <= 0 || height <= 0 || depth <= 0) {
        throw new InvalidInputException("bounds must be positive, got "
            + Arrays.toString(new long[] {width, height, depth}));
      }
      this.bounds = new long[] {width, height, depth};
      return this;
    }

    /** Random seed (default 0). */
    public Builder seed(long value) {
      this.seed = value;
      return this;
    }

    /** Number of primary neurites, drawn uniformly in {@code [min, max]} (default 3..6). */
    public Builder neurites(int min, int max) {
      if (min < 1 || max < min) {
        throw new InvalidInputException(
            "need 1 <= min <= max neurites, got " + min + " and " + max);
      }
      this.minNeurites = min;
      this.maxNeurites = max;
      return this;
    }

    /** Soma radius in voxels (default 5% of the smaller xy size, within 2.5..8). */
    public Builder somaRadius(double value) {
      this.somaRadius = Checks.positiveFinite("soma radius", value);
      return this;
    }

    /** Radius of primary neurites where they leave the soma, voxels (default 2). */
    public Builder neuriteRadius(double value) {
      this.neuriteRadius = Checks.positiveFinite("neurite radius", value);
      return this;
    }

    /** Smallest radius tapering reaches, voxels (default 0.6). */
    public Builder minRadius(double value) {
      this.minRadius = Checks.positiveFinite("minimum radius", value);
      return this;
    }

    /** Radius factor per step, in (0, 1] (default 0.995). */
    public Builder taper(double value) {
      if (!(value > 0 && value <= 1)) {
        throw new InvalidInputException("taper must be in (0, 1], got " + value);
      }
      this.taper = value;
      return this;
    }

    /** Distance between consecutive nodes, voxels (default 1.5). */
    public Builder step(double value) {
      this.step = Checks.positiveFinite("step", value);
      return this;
    }

    /** Random direction change per step (std of a Gaussian kick; default 0.15). */
    public Builder tortuosity(double value) {
      this.tortuosity = Checks.nonNegativeFinite("tortuosity", value);
      return this;
    }

    /** Probability of a side branch at each step, in [0, 1] (default 0.02). */
    public Builder branchProbability(double value) {
      this.branchProbability = Checks.inRange("branch probability", value, 0, 1);
      return this;
    }

    /** Deepest branch order (primary neurites are order 0; default 3). */
    public Builder maxBranchOrder(int value) {
      this.maxBranchOrder = Checks.atLeast("max branch order", value, 0);
      return this;
    }

    /** Mean length of a primary branch, voxels (default 30% of the largest size). */
    public Builder branchLength(double value) {
      this.branchLength = Checks.positiveFinite("branch length", value);
      return this;
    }

    /** Upper bound on the number of nodes (default 20000). */
    public Builder maxNodes(int value) {
      this.maxNodes = Checks.atLeast("max nodes", value, 2);
      return this;
    }

    /** Distance nodes keep from the volume border, voxels (default 3). */
    public Builder margin(double value) {
      this.margin = Checks.nonNegativeFinite("margin", value);
      return this;
    }

    /** The immutable generator. */
    public NeuronGenerator build() {
      return new NeuronGenerator(this);
    }
  }
}
