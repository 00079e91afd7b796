package io.github.neuroseg.metrics;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.internal.Checks;
import io.github.neuroseg.swc.CoordinateUnit;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.SwcNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reconstruction metrics between a reference and a predicted neuron tree: the neuron distance of
 * Vaa3D's {@code neuron_distance} plugin (its {@code neuron_sim_scores}), which BigNeuron
 * reports as ESA, DSA and PDS, and node precision / recall / F1.
 *
 * <p><b>Neuron distance.</b> Both trees are used as they are (coordinates in voxels for the
 * default threshold to mean 2 voxels), in node order, without resampling. Each tree is turned
 * into sample points: for every node with a parent, the segment from the node to its parent, of
 * length {@code len}, gives {@code N = floor(len + 1.5)} points spaced evenly from the node to
 * the parent, both ends included (one point, the node, when {@code len < 0.5}). Points shared by
 * segments are sampled once per segment, as Vaa3D does; roots add no segment of their own. The
 * distance of a point to the other tree is the Euclidean distance to the nearest point of the
 * other tree's parent-child segments. With {@code d(A->B)} the distances of A's points to B, and
 * a point <em>far</em> when its distance is {@code >= threshold}:
 *
 * <ul>
 *   <li>directed averages {@code avg(A->B)} = mean of {@code d(A->B)};
 *   <li>ESA (entire-structure average) = {@code (avg(ref->pred) + avg(pred->ref)) / 2};
 *   <li>DSA (different-structure average) = the mean of the two directed averages of the far
 *       distances, {@code (mean of far d(ref->pred) + mean of far d(pred->ref)) / 2}; when only
 *       one direction has far points, that direction's mean; 0 when neither has;
 *   <li>PDS (percentage of different structure, a fraction in [0, 1]) = the mean of the two
 *       one-way fractions of far points, {@code (far(ref->pred) / |ref points| + far(pred->ref)
 *       / |pred points|) / 2}.
 * </ul>
 *
 * These are Vaa3D's {@code dist_allnodes}, {@code dist_apartnodes} and {@code
 * percent_apartnodes}, with its default threshold of 2 ({@link #DEFAULT_THRESHOLD}); the
 * directed values are its {@code dist_12_allnodes}, {@code dist_21_allnodes}, {@code
 * percent_12_apartnodes} and {@code percent_21_apartnodes} with the reference as neuron 1. Vaa3D
 * computes with single-precision coordinates and this class with double precision, so values can
 * differ in the sixth significant digit, and a distance within rounding of the threshold can fall
 * on the other side of it.
 *
 * <p>Where Vaa3D gives no value, this class defines one: a tree without any parent-child segment
 * (a single node, or only roots) is sampled at its nodes and measured to as a set of points
 * (Vaa3D needs two nodes and a segment). A node that has neither parent nor children in a tree
 * that does have segments is ignored, as Vaa3D ignores it. Two empty trees score as identical
 * (distances 0, PDS 0, precision = recall = F1 = 1); when exactly one is empty, the directed
 * averages, ESA and DSA are {@code +infinity}, PDS is 1 and precision = recall = F1 = 0.
 *
 * <p><b>Node precision, recall and F1</b> (not part of Vaa3D's plugin): both trees are resampled
 * at one unit ({@link NeuronTree#resample(double)} with step 1); precision is the fraction of
 * resampled predicted nodes within {@code tolerance} (inclusive) of the resampled reference's
 * segments (its childless roots count as points), recall the fraction of resampled reference
 * nodes within {@code tolerance} of the resampled prediction, F1 their harmonic mean (0 when
 * both are 0).
 *
 * <p>The scores compare raw coordinates: both trees must be in the same unit and frame. {@link
 * #warnings} says when they evidently are not (different units stated in the SWC headers, sizes
 * that differ by a large factor, or no overlap at all), so that a score of 0 is not taken for a
 * bad reconstruction.
 *
 * <p>Nearest segments are found through a uniform grid, so trees of 100k nodes take well under a
 * second.
 */
public final class ReconstructionMetrics {

  /**
   * Bounding-box diagonals that differ by more than this factor, with little of the smaller tree
   * near the larger, give a {@link Warning.Kind#SCALE} warning.
   */
  public static final double SCALE_WARNING_FACTOR = 5.0;

  /**
   * The fraction of the smaller tree's nodes within the tolerance of the larger below which a
   * size difference beyond {@link #SCALE_WARNING_FACTOR} is reported.
   */
  public static final double SCALE_WARNING_OVERLAP = 0.1;

  /** Default distance threshold of DSA and PDS: 2 (voxels), Vaa3D's default. */
  public static final double DEFAULT_THRESHOLD = 2.0;

  /** Default node matching tolerance: 2 (voxels). */
  public static final double DEFAULT_TOLERANCE = 2.0;

  private ReconstructionMetrics() {}

  /**
   * Scores of a predicted tree against a reference.
   *
   * @param esa entire-structure average: mean of the two directed averages
   * @param dsa different-structure average: mean of the two directed averages of the distances
   *     {@code >= threshold} (or the one direction that has any; 0 when none)
   * @param pds percentage (fraction in [0, 1]) of different structure: mean of the two one-way
   *     fractions of points at {@code >= threshold}
   * @param referenceToPredicted directed average from the reference's sample points to the
   *     prediction
   * @param predictedToReference directed average from the prediction's sample points to the
   *     reference
   * @param precision fraction of predicted nodes within the tolerance of the reference
   * @param recall fraction of reference nodes within the tolerance of the prediction
   * @param f1 harmonic mean of precision and recall
   * @param referenceNodes number of reference nodes after resampling (precision and recall)
   * @param predictedNodes number of predicted nodes after resampling (precision and recall)
   * @param pdsReferenceToPredicted fraction of the reference's sample points at {@code >=
   *     threshold} from the prediction
   * @param pdsPredictedToReference fraction of the prediction's sample points at {@code >=
   *     threshold} from the reference
   * @param referenceSamples number of sample points of the reference (neuron distance)
   * @param predictedSamples number of sample points of the prediction (neuron distance)
   */
  public record Scores(
      double esa, double dsa, double pds, double referenceToPredicted,
      double predictedToReference, double precision, double recall, double f1,
      int referenceNodes, int predictedNodes, double pdsReferenceToPredicted,
      double pdsPredictedToReference, int referenceSamples, int predictedSamples) {}

  /** Scores with the default threshold and tolerance (2 units each). */
  public static Scores compare(NeuronTree reference, NeuronTree predicted) {
    return compare(reference, predicted, DEFAULT_THRESHOLD, DEFAULT_TOLERANCE);
  }

  /**
   * Scores with a given DSA/PDS threshold and node matching tolerance.
   *
   * @throws InvalidInputException when threshold or tolerance is negative or not finite
   */
  public static Scores compare(
      NeuronTree reference, NeuronTree predicted, double threshold, double tolerance) {
    Checks.nonNegativeFinite("distance threshold", threshold);
    Checks.nonNegativeFinite("tolerance", tolerance);
    if (reference.isEmpty() && predicted.isEmpty()) {
      return new Scores(0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0);
    }
    double[] refPoints = samplePoints(reference);
    double[] predPoints = samplePoints(predicted);
    Directed rp = Directed.of(refPoints, SegmentIndex.segments(predicted), threshold);
    Directed pr = Directed.of(predPoints, SegmentIndex.segments(reference), threshold);
    double esa = (rp.average() + pr.average()) / 2;
    double dsa;
    if (rp.far > 0 && pr.far > 0) {
      dsa = (rp.farAverage() + pr.farAverage()) / 2;
    } else if (rp.far > 0) {
      dsa = rp.farAverage();
    } else if (pr.far > 0) {
      dsa = pr.farAverage();
    } else {
      dsa = 0;
    }
    double pds = (rp.farFraction() + pr.farFraction()) / 2;

    NeuronTree ref = reference.resample(1.0);
    NeuronTree pred = predicted.resample(1.0);
    double[] recallD = directed(ref, SegmentIndex.segmentsAndLoneNodes(pred));
    double[] precisionD = directed(pred, SegmentIndex.segmentsAndLoneNodes(ref));
    double recall = within(recallD, tolerance);
    double precision = within(precisionD, tolerance);
    double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    return new Scores(esa, dsa, pds, rp.average(), pr.average(), precision, recall, f1,
        recallD.length, precisionD.length, rp.farFraction(), pr.farFraction(), rp.count,
        pr.count);
  }

  /**
   * The neuron distance's sample points of a tree, as {@code x, y, z} triples: for each node
   * with a parent, {@code floor(len + 1.5)} points from the node to its parent, both included
   * (the node alone for segments shorter than 0.5); the nodes themselves for a tree without
   * segments.
   */
  static double[] samplePoints(NeuronTree tree) {
    List<SwcNode> nodes = tree.nodes();
    int total = 0;
    for (SwcNode n : nodes) {
      SwcNode p = tree.parentOf(n);
      if (p != null) {
        total += pointsOn(n.distanceTo(p));
      }
    }
    if (total == 0) {
      double[] out = new double[3 * nodes.size()];
      for (int i = 0; i < nodes.size(); i++) {
        SwcNode n = nodes.get(i);
        out[3 * i] = n.x();
        out[3 * i + 1] = n.y();
        out[3 * i + 2] = n.z();
      }
      return out;
    }
    double[] out = new double[3 * total];
    int k = 0;
    for (SwcNode n : nodes) {
      SwcNode p = tree.parentOf(n);
      if (p == null) {
        continue;
      }
      int count = pointsOn(n.distanceTo(p));
      // the step as Vaa3D forms it: the difference times 1 / (N - 1), then j steps from the node
      double f = count <= 1 ? 0 : 1.0 / (count - 1);
      double sx = f * (p.x() - n.x());
      double sy = f * (p.y() - n.y());
      double sz = f * (p.z() - n.z());
      for (int j = 0; j < count; j++) {
        out[k++] = n.x() + sx * j;
        out[k++] = n.y() + sy * j;
        out[k++] = n.z() + sz * j;
      }
    }
    return out;
  }

  /** Number of sample points on a segment of this length: {@code floor(len + 1.5)}. */
  private static int pointsOn(double len) {
    return (int) (1 + len + 0.5);
  }

  /** Sum and count of one direction's distances, and of those at or beyond the threshold. */
  private record Directed(double sum, int count, double farSum, int far) {
    static Directed of(double[] points, SegmentIndex to, double threshold) {
      double sum = 0;
      double farSum = 0;
      int far = 0;
      int count = points.length / 3;
      for (int i = 0; i < count; i++) {
        double d = to.nearest(points[3 * i], points[3 * i + 1], points[3 * i + 2]);
        sum += d;
        if (d >= threshold) {
          farSum += d;
          far++;
        }
      }
      return new Directed(sum, count, farSum, far);
    }

    /** Mean distance; {@code +infinity} for none (an empty tree is infinitely far). */
    double average() {
      return count == 0 ? Double.POSITIVE_INFINITY : sum / count;
    }

    double farAverage() {
      return farSum / far;
    }

    /** Fraction of far points; 1 for an empty tree (everything of the other is missing). */
    double farFraction() {
      return count == 0 ? 1 : (double) far / count;
    }
  }

  /**
   * A reason why two trees' scores would mean little: they are evidently not in the same unit or
   * coordinate frame.
   *
   * @param kind what was found
   * @param message a sentence for the user, naming the trees and the numbers found
   */
  public record Warning(Kind kind, String message) {
    /** What a warning found. */
    public enum Kind {
      /** The SWC headers state different units ({@link CoordinateUnit#declaredBy}). */
      UNITS,
      /**
       * The bounding-box diagonals differ by more than {@link #SCALE_WARNING_FACTOR} and less
       * than {@link #SCALE_WARNING_OVERLAP} of the smaller tree's nodes lie within the tolerance
       * of the larger.
       */
      SCALE,
      /** The bounding boxes, each grown by the tolerance, do not meet. */
      DISJOINT;

      /** The lower-case name used in the {@code EVAL} line ({@code units}, ...). */
      public String code() {
        return name().toLowerCase(Locale.ROOT);
      }
    }
  }

  /**
   * Checks that two trees can be compared: the units their headers state (when both state one),
   * their sizes and their overlap. Empty trees give no warning.
   *
   * @param reference the ground truth
   * @param predicted the reconstruction
   * @param tolerance distance within which a node counts as on the other tree, {@code >= 0}
   * @return the warnings, in {@link Warning.Kind} order; empty when nothing looks wrong
   * @throws InvalidInputException when the tolerance is negative or not finite
   */
  public static List<Warning> warnings(
      NeuronTree reference, NeuronTree predicted, double tolerance) {
    Checks.nonNegativeFinite("tolerance", tolerance);
    List<Warning> out = new ArrayList<>();
    CoordinateUnit ru = CoordinateUnit.declaredBy(reference);
    CoordinateUnit pu = CoordinateUnit.declaredBy(predicted);
    if (ru != null && pu != null && ru != pu) {
      out.add(new Warning(Warning.Kind.UNITS, "the trees state different units in their SWC"
          + " headers: the reconstruction " + pu + ", the ground truth " + ru + "; the scores"
          + " compare raw coordinates, so convert one tree first (NeuronTree.toVoxels or"
          + " toPhysical with the voxel size)"));
    }
    if (reference.isEmpty() || predicted.isEmpty()) {
      return out;
    }
    double[] rb = reference.boundingBox();
    double[] pb = predicted.boundingBox();
    double rd = diagonal(rb);
    double pd = diagonal(pb);
    boolean refLarger = rd >= pd;
    double small = Math.min(rd, pd);
    double large = Math.max(rd, pd);
    if (large > SCALE_WARNING_FACTOR * small && small > Math.max(tolerance, 1e-9)) {
      NeuronTree smaller = refLarger ? predicted : reference;
      NeuronTree larger = refLarger ? reference : predicted;
      double near = within(nodeDistances(smaller, larger), tolerance);
      if (near < SCALE_WARNING_OVERLAP) {
        out.add(new Warning(Warning.Kind.SCALE, String.format(Locale.ROOT,
            "the trees differ in size by a factor of %.1f (bounding-box diagonals: the"
                + " reconstruction %.4g, the ground truth %.4g) and only %.1f%% of the %s's"
                + " nodes lie within %s of the other tree: are both in the same unit (voxels,"
                + " microns)?",
            large / small, pd, rd, 100 * near, refLarger ? "reconstruction" : "ground truth",
            fmt(tolerance))));
      }
    }
    double gap2 = 0;
    for (int d = 0; d < 3; d++) {
      double g = Math.max(0, Math.max(rb[d] - pb[d + 3], pb[d] - rb[d + 3]));
      gap2 += g * g;
    }
    double gap = Math.sqrt(gap2);
    if (gap > 2 * tolerance && gap > 0) {
      out.add(new Warning(Warning.Kind.DISJOINT, String.format(Locale.ROOT,
          "the trees do not overlap: their bounding boxes are %.4g apart (the reconstruction %s,"
              + " the ground truth %s); are both in the same coordinate frame and unit?",
          gap, box(pb), box(rb))));
    }
    return out;
  }

  private static double diagonal(double[] b) {
    return Math.sqrt((b[3] - b[0]) * (b[3] - b[0]) + (b[4] - b[1]) * (b[4] - b[1])
        + (b[5] - b[2]) * (b[5] - b[2]));
  }

  private static String box(double[] b) {
    return String.format(Locale.ROOT, "x %.4g..%.4g, y %.4g..%.4g, z %.4g..%.4g", b[0], b[3],
        b[1], b[4], b[2], b[5]);
  }

  private static String fmt(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : Double.toString(v);
  }

  /**
   * Distance from every node of {@code from} to the nearest point on the segments of {@code
   * to} (childless roots count as points), without resampling; {@code +infinity} for every node
   * when {@code to} is empty.
   */
  public static double[] nodeDistances(NeuronTree from, NeuronTree to) {
    return directed(from, SegmentIndex.segmentsAndLoneNodes(to));
  }

  private static double[] directed(NeuronTree from, SegmentIndex to) {
    List<SwcNode> nodes = from.nodes();
    double[] d = new double[nodes.size()];
    for (int i = 0; i < d.length; i++) {
      SwcNode n = nodes.get(i);
      d[i] = to.nearest(n.x(), n.y(), n.z());
    }
    return d;
  }

  /** Fraction of the values {@code <= tolerance}; 0 for none. */
  private static double within(double[] d, double tolerance) {
    int ok = 0;
    for (double v : d) {
      if (v <= tolerance) {
        ok++;
      }
    }
    return d.length == 0 ? 0 : (double) ok / d.length;
  }
}
