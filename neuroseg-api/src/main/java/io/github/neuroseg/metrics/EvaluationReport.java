package io.github.neuroseg.metrics;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.internal.Checks;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.volume.Volume;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.converter.Converters;
import net.imglib2.type.logic.BitType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;
import org.jspecify.annotations.Nullable;

/**
 * The scores of a segmentation against a ground-truth mask (Dice, HD95) and of a
 * reconstruction against a ground-truth reconstruction (ESA, DSA, PDS, node precision, recall
 * and F1), as the {@code evaluate} and {@code demo} commands print them: {@link #lines()} ends
 * with the machine-readable {@link #evalLine()}, {@code EVAL dice=<x> hd95=<x> esa=<x> dsa=<x>
 * pds=<x> f1=<x>}, with {@code na} for what was not compared.
 *
 * <p>When the two trees are evidently not comparable ({@link ReconstructionMetrics#warnings}:
 * their SWC headers state different units, their sizes differ by a large factor, or they do not
 * overlap), the report starts with one {@code warning: ...} line per finding and the {@code EVAL}
 * line ends with {@code warn=<kinds>}, e.g. {@code warn=units,scale}, so that a score of 0 is not
 * read as a bad reconstruction.
 *
 * @param maskLabel "predicted vs truth" names of the masks, or {@code null} when none were
 *     compared
 * @param dice Dice of the masks, or NaN when none were compared
 * @param hd95 HD95 of the masks, or {@code null} when none were compared
 * @param reconstruction reconstruction scores, or {@code null} when no trees were compared
 * @param warnings why the trees' scores may mean little; empty when nothing was found
 */
public record EvaluationReport(
    @Nullable String maskLabel,
    double dice,
    SegmentationMetrics.@Nullable Hd95 hd95,
    ReconstructionMetrics.@Nullable Scores reconstruction,
    List<ReconstructionMetrics.Warning> warnings) {

  /** Copies the warnings. */
  public EvaluationReport {
    warnings = List.copyOf(warnings);
  }

  /**
   * Compares whatever pairs are given.
   *
   * @param mask predicted mask, or null (then {@code truthMask} is ignored)
   * @param truthMask ground-truth mask of the same size
   * @param tree predicted reconstruction, or null (then {@code truthTree} is ignored)
   * @param truthTree ground-truth reconstruction, in the same units (checked with {@link
   *     ReconstructionMetrics#warnings})
   * @param maskThreshold a mask voxel is foreground when its value is above this; finite
   * @param distanceThreshold DSA/PDS distance threshold in SWC units
   * @param tolerance node matching tolerance for precision, recall and F1, in SWC units
   * @throws InvalidInputException when the masks differ in size, a threshold is out of range,
   *     the mask threshold leaves no foreground in a ground-truth mask that has some (every
   *     voxel would be background, and an empty prediction would score a perfect Dice), or the
   *     ground-truth tree has no nodes
   */
  public static EvaluationReport compare(@Nullable Volume mask, @Nullable Volume truthMask,
      @Nullable NeuronTree tree, @Nullable NeuronTree truthTree, double maskThreshold,
      double distanceThreshold, double tolerance) {
    Checks.finite("mask threshold", maskThreshold);
    Checks.nonNegativeFinite("distance threshold", distanceThreshold);
    Checks.nonNegativeFinite("tolerance", tolerance);
    String label = null;
    double dice = Double.NaN;
    SegmentationMetrics.Hd95 hd95 = null;
    if (mask != null && truthMask != null) {
      checkForeground(truthMask, maskThreshold);
      var p = binary(mask.image(), maskThreshold);
      var t = binary(truthMask.image(), maskThreshold);
      dice = SegmentationMetrics.dice(p, t);
      hd95 = SegmentationMetrics.hd95(p, t, truthMask.voxelSize());
      label = name(mask) + " vs " + name(truthMask);
    }
    ReconstructionMetrics.Scores rec = null;
    List<ReconstructionMetrics.Warning> warnings = List.of();
    if (tree != null && truthTree != null) {
      if (truthTree.isEmpty()) {
        throw new InvalidInputException("the ground-truth reconstruction has no nodes: there is"
            + " nothing to score the reconstruction against");
      }
      rec = ReconstructionMetrics.compare(truthTree, tree, distanceThreshold, tolerance);
      warnings = ReconstructionMetrics.warnings(truthTree, tree, tolerance);
    }
    return new EvaluationReport(label, dice, hd95, rec, warnings);
  }

  /** The report as text lines: warnings first, the {@link #evalLine()} last. */
  public List<String> lines() {
    List<String> lines = new ArrayList<>();
    for (ReconstructionMetrics.Warning w : warnings) {
      lines.add("warning: " + w.message());
    }
    if (hd95 != null) {
      lines.add("mask " + maskLabel);
      lines.add("  dice=" + format(dice));
      lines.add("  hd95_voxels=" + format(hd95.voxels()));
      lines.add("  hd95_physical=" + format(hd95.physical()) + " " + hd95.unit());
    }
    if (reconstruction != null) {
      ReconstructionMetrics.Scores s = reconstruction;
      lines.add("reconstruction (" + s.predictedNodes() + " nodes) vs ground truth ("
          + s.referenceNodes() + " nodes)");
      lines.add("  esa=" + format(s.esa()));
      lines.add("  dsa=" + format(s.dsa()));
      lines.add("  pds=" + format(s.pds()) + " (reconstruction " + format(
          s.pdsPredictedToReference()) + ", ground truth " + format(s.pdsReferenceToPredicted())
          + ")");
      lines.add("  precision=" + format(s.precision()));
      lines.add("  recall=" + format(s.recall()));
      lines.add("  f1=" + format(s.f1()));
    }
    lines.add(evalLine());
    return lines;
  }

  /**
   * {@code EVAL dice=<x> hd95=<x> esa=<x> dsa=<x> pds=<x> f1=<x>}, {@code na} where absent, then
   * {@code warn=<kind>,...} when there are {@link #warnings()}.
   */
  public String evalLine() {
    ReconstructionMetrics.Scores s = reconstruction;
    String line = "EVAL dice=" + (hd95 == null ? "na" : format(dice))
        + " hd95=" + (hd95 == null ? "na" : format(hd95.voxels()))
        + " esa=" + (s == null ? "na" : format(s.esa()))
        + " dsa=" + (s == null ? "na" : format(s.dsa()))
        + " pds=" + (s == null ? "na" : format(s.pds()))
        + " f1=" + (s == null ? "na" : format(s.f1()));
    if (!warnings.isEmpty()) {
      line += " warn=" + String.join(",", warnings.stream().map(w -> w.kind().code()).toList());
    }
    return line;
  }

  /** The report's text: its lines, each ended by a newline. */
  public String text() {
    return String.join("\n", lines()) + "\n";
  }

  /** A score as the report prints it: 4 decimals, {@code nan}, {@code inf} or {@code -inf}. */
  public static String format(double v) {
    if (Double.isNaN(v)) {
      return "nan";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    return String.format(Locale.ROOT, "%.4f", v);
  }

  /**
   * Refuses a threshold at or above every value of a ground-truth mask that is not all zero:
   * both masks would then be empty and Dice 1 whatever the prediction.
   */
  private static void checkForeground(Volume truth, double threshold) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (RealType<?> t : Views.flatIterable(truth.image())) {
      double v = t.getRealDouble();
      if (v > threshold) {
        return;
      }
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    if (min != 0 || max != 0) {
      throw new InvalidInputException("no voxel of the ground-truth mask " + name(truth)
          + " is above the mask threshold " + threshold + " (its values are " + min + " to "
          + max + "): every voxel would be background and any empty prediction would score"
          + " Dice 1; use a threshold below " + max);
    }
  }

  /** A lazy 0/1 view of an image: 1 where the value is above {@code threshold}. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static RandomAccessibleInterval<BitType> binary(
      RandomAccessibleInterval<? extends RealType<?>> img, double threshold) {
    RandomAccessibleInterval raw = img;
    return Converters.convert(raw,
        (in, out) -> ((BitType) out).set(((RealType<?>) in).getRealDouble() > threshold),
        new BitType());
  }

  private static String name(Volume v) {
    return v.name() == null ? "volume" : v.name();
  }
}
