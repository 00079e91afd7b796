package io.github.neuroseg.metrics;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.internal.Checks;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.SwcNode;
import java.util.List;

/**
 * Reconstruction metrics between a reference and a predicted neuron tree: BigNeuron's neuron
 * distance (ESA, DSA, PDS) and node precision / recall / F1.
 *
 * <p>Both trees are first resampled at one unit of their coordinates ({@link
 * NeuronTree#resample(double)} with step 1; trees are expected in voxel coordinates, so the
 * defaults are in voxels). For each resampled node of one tree, its distance to the other tree is
 * the Euclidean distance to the nearest point of the other tree's parent-child segments (not only
 * its nodes; a root without children counts as a point). With {@code d(A->B)} the list of these
 * distances for the nodes of A:
 *
 * <ul>
 *   <li>directed average {@code avg(A->B)} = mean of {@code d(A->B)};
 *   <li>ESA = {@code (avg(ref->pred) + avg(pred->ref)) / 2};
 *   <li>DSA = mean of the distances {@code > threshold} pooled over both directions (the sum of
 *       those distances in both lists divided by their number); 0 when there are none;
 *   <li>PDS = number of nodes of both trees whose distance is {@code > threshold} divided by the
 *       number of nodes of both trees;
 *   <li>precision = fraction of predicted nodes with distance {@code <= tolerance} to the
 *       reference; recall = fraction of reference nodes with distance {@code <= tolerance} to the
 *       prediction; F1 their harmonic mean (0 when both are 0).
 * </ul>
 *
 * <p>Empty trees: two empty trees score as identical (distances 0, PDS 0, precision = recall = F1
 * = 1). When exactly one is empty, both directed averages, ESA and DSA are
 * {@code +infinity}, PDS is 1 and precision = recall = F1 = 0.
 *
 * <p>Nearest segments are found through a uniform grid, so trees of 100k nodes take well under a
 * second.
 */
public final class ReconstructionMetrics {

  /** Default distance threshold of DSA and PDS: 2 (voxels). */
  public static final double DEFAULT_THRESHOLD = 2.0;

  /** Default node matching tolerance: 2 (voxels). */
  public static final double DEFAULT_TOLERANCE = 2.0;

  private ReconstructionMetrics() {}

  /**
   * Scores of a predicted tree against a reference.
   *
   * @param esa entire-structure average
   * @param dsa different-structure average
   * @param pds percentage (fraction in [0, 1]) of different structure
   * @param referenceToPredicted directed average from reference nodes to the prediction
   * @param predictedToReference directed average from predicted nodes to the reference
   * @param precision fraction of predicted nodes within the tolerance of the reference
   * @param recall fraction of reference nodes within the tolerance of the prediction
   * @param f1 harmonic mean of precision and recall
   * @param referenceNodes number of reference nodes after resampling
   * @param predictedNodes number of predicted nodes after resampling
   */
  public record Scores(
      double esa, double dsa, double pds, double referenceToPredicted,
      double predictedToReference, double precision, double recall, double f1,
      int referenceNodes, int predictedNodes) {}

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
    Checks.nonNegativeFinite("threshold", threshold);
    Checks.nonNegativeFinite("tolerance", tolerance);
    NeuronTree ref = reference.resample(1.0);
    NeuronTree pred = predicted.resample(1.0);
    if (ref.isEmpty() && pred.isEmpty()) {
      return new Scores(0, 0, 0, 0, 0, 1, 1, 1, 0, 0);
    }
    double[] rp = directed(ref, new SegmentIndex(pred));
    double[] pr = directed(pred, new SegmentIndex(ref));
    double avgRp = mean(rp);
    double avgPr = mean(pr);
    double bigSum = 0;
    int big = 0;
    int recalled = 0;
    int precise = 0;
    for (double d : rp) {
      if (d > threshold) {
        bigSum += d;
        big++;
      }
      if (d <= tolerance) {
        recalled++;
      }
    }
    for (double d : pr) {
      if (d > threshold) {
        bigSum += d;
        big++;
      }
      if (d <= tolerance) {
        precise++;
      }
    }
    double precision = pr.length == 0 ? 0 : (double) precise / pr.length;
    double recall = rp.length == 0 ? 0 : (double) recalled / rp.length;
    double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    double esa = (avgRp + avgPr) / 2;
    double dsa = big == 0 ? 0 : bigSum / big;
    double pds = (double) big / (rp.length + pr.length);
    return new Scores(esa, dsa, pds, avgRp, avgPr, precision, recall, f1, rp.length, pr.length);
  }

  /**
   * Distance from every node of {@code from} to the nearest point on the segments of {@code
   * to}, without resampling; {@code +infinity} for every node when {@code to} is empty.
   */
  public static double[] nodeDistances(NeuronTree from, NeuronTree to) {
    return directed(from, new SegmentIndex(to));
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

  /** Mean of the values; {@code +infinity} for none (an empty tree is infinitely far). */
  private static double mean(double[] d) {
    if (d.length == 0) {
      return Double.POSITIVE_INFINITY;
    }
    double s = 0;
    for (double v : d) {
      s += v;
    }
    return s / d.length;
  }
}
