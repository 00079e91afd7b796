package io.github.neuroseg.examples.cli;

import io.github.neuroseg.files.AtomicWrite;
import io.github.neuroseg.metrics.ReconstructionMetrics;
import io.github.neuroseg.metrics.SegmentationMetrics;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.Volumes;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Scores a segmentation mask against a ground-truth mask (Dice, HD95) and a reconstruction
 * against a ground-truth reconstruction (ESA, DSA, PDS, node F1). The last line printed is the
 * machine-readable {@code EVAL ...} line, with {@code na} for what was not given.
 */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = {
      "Score a predicted mask and/or SWC against ground truth: give --mask with --truth-mask,"
          + " --swc with --truth-swc, or both pairs. A mask voxel above --mask-threshold is"
          + " foreground.",
      "The last line is EVAL dice=<x> hd95=<x> esa=<x> dsa=<x> pds=<x> f1=<x>"
          + " (na where not given; hd95 in voxels)."
    })
final class EvaluateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  static final class MaskPair {
    @Option(names = "--mask", required = true, description = "predicted mask (TIFF or .v3draw)")
    Path mask;

    @Option(names = "--truth-mask", required = true, description = "ground-truth mask")
    Path truthMask;
  }

  static final class SwcPair {
    @Option(names = "--swc", required = true, description = "predicted reconstruction (SWC)")
    Path swc;

    @Option(names = "--truth-swc", required = true, description = "ground-truth reconstruction")
    Path truthSwc;
  }

  @ArgGroup(exclusive = false, multiplicity = "0..1")
  @Nullable MaskPair masks;

  @ArgGroup(exclusive = false, multiplicity = "0..1")
  @Nullable SwcPair swcs;

  @Option(names = "--mask-threshold", defaultValue = "0",
      description = "a mask voxel is foreground when its value is above this (default"
          + " ${DEFAULT-VALUE}; use 0.5 for probability maps)")
  double maskThreshold;

  @Option(names = "--distance-threshold", defaultValue = "2",
      description = "DSA/PDS distance threshold in SWC units (default ${DEFAULT-VALUE})")
  double distanceThreshold;

  @Option(names = "--tolerance", defaultValue = "2",
      description = "node matching tolerance for F1 in SWC units (default ${DEFAULT-VALUE})")
  double tolerance;

  @Option(names = "--report", description = "also write the report to this file")
  @Nullable Path report;

  @Override
  public Integer call() {
    if (masks == null && swcs == null) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "nothing to evaluate: give --mask with --truth-mask and/or --swc with --truth-swc");
    }
    List<String> lines = report(
        masks == null ? null : Volumes.read(masks.mask),
        masks == null ? null : Volumes.read(masks.truthMask),
        swcs == null ? null : Swc.read(swcs.swc),
        swcs == null ? null : Swc.read(swcs.truthSwc),
        maskThreshold, distanceThreshold, tolerance);
    String text = String.join("\n", lines) + "\n";
    if (report != null) {
      Path r = report;
      AtomicWrite.write(r, temp -> Files.writeString(temp, text));
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(text);
    out.flush();
    return 0;
  }

  /**
   * The report lines for whatever pairs are given, ending with the {@code EVAL} line.
   *
   * @param mask predicted mask, or null (then {@code truthMask} is ignored)
   * @param tree predicted reconstruction, or null (then {@code truthTree} is ignored)
   */
  static List<String> report(@Nullable Volume mask, @Nullable Volume truthMask,
      @Nullable NeuronTree tree, @Nullable NeuronTree truthTree, double maskThreshold,
      double distanceThreshold, double tolerance) {
    List<String> lines = new ArrayList<>();
    String dice = "na";
    String hd95 = "na";
    String esa = "na";
    String dsa = "na";
    String pds = "na";
    String f1 = "na";
    if (mask != null && truthMask != null) {
      var p = Masks.binary(mask.image(), maskThreshold);
      var t = Masks.binary(truthMask.image(), maskThreshold);
      double d = SegmentationMetrics.dice(p, t);
      SegmentationMetrics.Hd95 h = SegmentationMetrics.hd95(p, t, truthMask.voxelSize());
      lines.add("mask " + name(mask) + " vs " + name(truthMask));
      lines.add("  dice=" + fmt(d));
      lines.add("  hd95_voxels=" + fmt(h.voxels()));
      lines.add("  hd95_physical=" + fmt(h.physical()) + " " + h.unit());
      dice = fmt(d);
      hd95 = fmt(h.voxels());
    }
    if (tree != null && truthTree != null) {
      ReconstructionMetrics.Scores s =
          ReconstructionMetrics.compare(truthTree, tree, distanceThreshold, tolerance);
      lines.add("reconstruction (" + s.predictedNodes() + " nodes) vs ground truth ("
          + s.referenceNodes() + " nodes)");
      lines.add("  esa=" + fmt(s.esa()));
      lines.add("  dsa=" + fmt(s.dsa()));
      lines.add("  pds=" + fmt(s.pds()));
      lines.add("  precision=" + fmt(s.precision()));
      lines.add("  recall=" + fmt(s.recall()));
      lines.add("  f1=" + fmt(s.f1()));
      esa = fmt(s.esa());
      dsa = fmt(s.dsa());
      pds = fmt(s.pds());
      f1 = fmt(s.f1());
    }
    lines.add("EVAL dice=" + dice + " hd95=" + hd95 + " esa=" + esa + " dsa=" + dsa + " pds="
        + pds + " f1=" + f1);
    return lines;
  }

  private static String name(Volume v) {
    return v.name() == null ? "volume" : v.name();
  }

  static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "nan";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    return String.format(Locale.ROOT, "%.4f", v);
  }
}
