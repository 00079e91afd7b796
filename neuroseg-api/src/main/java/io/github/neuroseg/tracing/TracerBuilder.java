package io.github.neuroseg.tracing;

import io.github.neuroseg.spi.Providers;
import io.github.neuroseg.spi.TracerProvider;
import java.util.List;

/**
 * Fluent builder of {@link Tracer}s. Not thread-safe; the tracers it builds are.
 *
 * <pre>{@code
 * Tracer tracer = NeuroSeg.tracer().threshold(0.5).pruneLength(5).build();
 * NeuronTree tree = tracer.trace(segmentation);
 * }</pre>
 */
public final class TracerBuilder {
  /** Default foreground threshold: 0.5 (a 0/1 mask or a probability map). */
  public static final double DEFAULT_THRESHOLD = 0.5;

  /** Default smallest traced component: 30 voxels. */
  public static final int DEFAULT_MIN_COMPONENT_SIZE = 30;

  /** Default shortest kept terminal branch: 5 voxels. */
  public static final double DEFAULT_PRUNE_LENGTH = 5;

  /**
   * Default factor on the radius of the neurite a terminal branch leaves: 2 (a terminal branch
   * must be at least twice as long as that radius, so reach one radius beyond the surface).
   */
  public static final double DEFAULT_PRUNE_RADIUS_FACTOR = 2;

  /** Default ratio of a soma's radius to the thickest neurite leaving it: 2. */
  public static final double DEFAULT_SOMA_RATIO = 2;

  /** Default longest bridged gap: 6 voxels of background. */
  public static final double DEFAULT_BRIDGE_GAP = 6;

  /** Default largest angle between a terminal's direction and a bridge: 60 degrees. */
  public static final double DEFAULT_BRIDGE_ANGLE = 60;

  /** Default coverage ratio above which a branch is redundant: 0.9. */
  public static final double DEFAULT_COVERAGE_RATIO = 0.9;

  /** Default factor on coverage sphere radii: 1. */
  public static final double DEFAULT_SPHERE_SCALE = 1;

  /** Default speed contrast (APP2's lambda): 10. */
  public static final double DEFAULT_SPEED_CONTRAST = 10;

  /** Default smoothing half-width: 2 nodes (a moving average over 5 nodes). */
  public static final int DEFAULT_SMOOTHING = 2;

  /** Default structure code of neurite nodes: 3 (basal dendrite, as APP2 writes). */
  public static final int DEFAULT_NEURITE_TYPE = 3;

  private double threshold = DEFAULT_THRESHOLD;
  private List<Seed> seeds = List.of();
  private int minComponentSize = DEFAULT_MIN_COMPONENT_SIZE;
  private double pruneLength = DEFAULT_PRUNE_LENGTH;
  private double pruneRadiusFactor = DEFAULT_PRUNE_RADIUS_FACTOR;
  private double somaRatio = DEFAULT_SOMA_RATIO;
  private double bridgeGap = DEFAULT_BRIDGE_GAP;
  private double bridgeAngle = DEFAULT_BRIDGE_ANGLE;
  private double coverageRatio = DEFAULT_COVERAGE_RATIO;
  private double sphereScale = DEFAULT_SPHERE_SCALE;
  private double resampleStep;
  private int smoothing = DEFAULT_SMOOTHING;
  private SpeedSource speed = SpeedSource.AUTO;
  private double speedContrast = DEFAULT_SPEED_CONTRAST;
  private int neuriteType = DEFAULT_NEURITE_TYPE;

  /** Use {@link io.github.neuroseg.NeuroSeg#tracer()}. */
  public TracerBuilder() {}

  /**
   * Foreground threshold: a voxel is foreground when its value is {@code >=} this; default 0.5.
   * A {@link TraceInput} or segmentation with its own threshold overrides it.
   */
  public TracerBuilder threshold(double value) {
    this.threshold = value;
    return this;
  }

  /**
   * Seeds (somata) as voxel indices; default none, meaning one automatic seed per component at
   * the voxel farthest from the background. With seeds, only the components that contain a seed
   * (and those bridged to them, see {@link #bridgeGap}) are traced, each seed becoming a root.
   */
  public TracerBuilder seeds(List<Seed> values) {
    this.seeds = List.copyOf(values);
    return this;
  }

  /** Components of fewer voxels (26-connected) are ignored; default 30. */
  public TracerBuilder minComponentSize(int voxels) {
    this.minComponentSize = voxels;
    return this;
  }

  /**
   * Terminal branches shorter than this many voxels are pruned; default 5. {@link
   * #pruneRadiusFactor} prunes longer ones off thick neurites.
   */
  public TracerBuilder pruneLength(double voxels) {
    this.pruneLength = voxels;
    return this;
  }

  /**
   * A terminal branch is also pruned when it is shorter than {@code factor * r}, {@code r} the
   * radius (voxels) of the neurite where the branch leaves it: surface noise of a thick neurite
   * sprouts spurs about as long as its radius, which no fixed length separates from the real
   * branches of thin neurites. In a stack whose slices are coarser than its pixels neurites look
   * taller than wide (the axial blur), so {@code r} is read in the branch's direction from an
   * ellipse of the neurite's width and height (the height at most three widths). Default 2 (a
   * branch must reach one radius beyond the surface); 0 turns it off.
   */
  public TracerBuilder pruneRadiusFactor(double factor) {
    this.pruneRadiusFactor = factor;
    return this;
  }

  /**
   * A root is a soma when its distance to the background is at least this many times the radius
   * of the thickest neurite leaving it (or when nothing leaves it); the nodes inside the soma's
   * sphere are then merged into the root, which keeps the soma's radius, and the neurites start
   * at its centre. Without it, a soma traces to a starburst of short paths. Default 2; 0 turns it
   * off, other values must be at least 1.
   */
  public TracerBuilder somaRatio(double ratio) {
    this.somaRatio = ratio;
    return this;
  }

  /**
   * Gaps of at most this many voxels of background between the pieces of a broken neurite are
   * bridged: a traced terminal (a tip, or a root with one branch) is linked to the nearest
   * foreground voxel of another component that lies within {@link #bridgeAngle} of its
   * direction, and linked pieces are traced as one tree. The gap is the length of background
   * crossed, physical length over the in-plane voxel size, so one missing slice of a stack with
   * 3 times coarser z counts as 3 voxels. Default 6; 0 turns it off; at most 50.
   */
  public TracerBuilder bridgeGap(double voxels) {
    this.bridgeGap = voxels;
    return this;
  }

  /**
   * Largest angle in degrees between a terminal's direction and the line to what it is bridged
   * to; default 60, in (0, 180].
   */
  public TracerBuilder bridgeAngle(double degrees) {
    this.bridgeAngle = degrees;
    return this;
  }

  /**
   * A branch whose nodes lie at least this fraction inside the spheres of longer kept branches
   * is pruned as redundant; default 0.9.
   */
  public TracerBuilder coverageRatio(double fraction) {
    this.coverageRatio = fraction;
    return this;
  }

  /** Factor on the node radii used as coverage spheres during pruning; default 1. */
  public TracerBuilder sphereScale(double factor) {
    this.sphereScale = factor;
    return this;
  }

  /** Resample the output at this spacing in voxels; default 0 (off: about one node per voxel). */
  public TracerBuilder resampleStep(double voxels) {
    this.resampleStep = voxels;
    return this;
  }

  /**
   * Smooth node positions and radii with a moving average of {@code 2 * nodes + 1} nodes (three
   * passes) along unbranched runs; roots, branch points and tips stay, and a node that the
   * average would move off the foreground keeps its voxel position. The window widens with the
   * voxel anisotropy (coarsest extent over in-plane size) and, locally, to the neurite's radius.
   * Smoothing removes the staircase of voxel paths, which otherwise makes oblique neurites up to
   * 8% longer. Default 2; 0 turns it off.
   */
  public TracerBuilder smoothing(int nodes) {
    this.smoothing = nodes;
    return this;
  }

  /** What drives the geodesic front; default {@link SpeedSource#AUTO}. */
  public TracerBuilder speed(SpeedSource source) {
    this.speed = source;
    return this;
  }

  /**
   * Steepness {@code lambda} of the cost {@code exp(lambda (1 - s)^2)} of a voxel of normalised
   * speed value {@code s}; default 10. 0 makes every foreground voxel equally fast.
   */
  public TracerBuilder speedContrast(double lambda) {
    this.speedContrast = lambda;
    return this;
  }

  /** SWC structure code of non-root nodes; default 3. Roots are always 1 (soma). */
  public TracerBuilder neuriteType(int code) {
    this.neuriteType = code;
    return this;
  }

  /**
   * The settings as configured so far.
   *
   * @throws io.github.neuroseg.InvalidInputException for an out-of-range value
   */
  public TracerConfig config() {
    return new TracerConfig(threshold, seeds, minComponentSize, pruneLength, pruneRadiusFactor,
        coverageRatio, sphereScale, somaRatio, bridgeGap, bridgeAngle, resampleStep, smoothing,
        speed, speedContrast, neuriteType);
  }

  /**
   * Builds the tracer with the implementation found on the class path.
   *
   * @throws io.github.neuroseg.MissingImplementationException if {@code neuroseg-trace} is not
   *     on the class path
   */
  public Tracer build() {
    TracerConfig c = config();
    return Providers.load(TracerProvider.class, TracerProvider.ARTIFACT).create(c);
  }
}
