package io.github.neuroseg.examples.cli;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.files.AtomicWrite;
import io.github.neuroseg.metrics.EvaluationReport;
import io.github.neuroseg.metrics.ReconstructionMetrics;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.volume.Volumes;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Scores a segmentation mask against a ground-truth mask (Dice, HD95) and a reconstruction
 * against a ground-truth reconstruction (ESA, DSA, PDS, node F1) with {@link EvaluationReport}.
 * The last line printed is the machine-readable {@code EVAL ...} line, with {@code na} for what
 * was not given; when the two trees are evidently in different units or frames, {@code warning:}
 * lines come first and the {@code EVAL} line ends with {@code warn=...}.
 */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = {
      "Score a predicted mask and/or SWC against ground truth: give --mask with --truth-mask,"
          + " --swc with --truth-swc, or both pairs. A mask voxel above --mask-threshold is"
          + " foreground.",
      "The last line is EVAL dice=<x> hd95=<x> esa=<x> dsa=<x> pds=<x> f1=<x>"
          + " (na where not given; hd95 in voxels). ESA, DSA and PDS are Vaa3D's neuron"
          + " distance (points >= --distance-threshold apart are far).",
      "When the SWC headers state different units, or the trees differ in size by more than"
          + " 5x or do not overlap, 'warning:' lines say so and the EVAL line ends with"
          + " warn=units|scale|disjoint."
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
      throw Usage.error(spec, "nothing to evaluate: give --mask with --truth-mask and/or --swc with --truth-swc");
    }
    // comparing nothing checks the values alone, before any file is read
    Usage.option(spec, "--mask-threshold", () -> EvaluationReport.compare(null, null, null,
        null, maskThreshold, ReconstructionMetrics.DEFAULT_THRESHOLD, 0));
    Usage.option(spec, "--distance-threshold", () -> EvaluationReport.compare(null, null, null,
        null, 0, distanceThreshold, 0));
    Usage.option(spec, "--tolerance", () -> EvaluationReport.compare(null, null, null, null, 0,
        ReconstructionMetrics.DEFAULT_THRESHOLD, tolerance));
    new Outputs(spec)
        .input("--mask", masks == null ? null : masks.mask)
        .input("--truth-mask", masks == null ? null : masks.truthMask)
        .input("--swc", swcs == null ? null : swcs.swc)
        .input("--truth-swc", swcs == null ? null : swcs.truthSwc)
        .text("--report", report);
    String text = EvaluationReport.compare(
        masks == null ? null : Volumes.read(masks.mask),
        masks == null ? null : Volumes.read(masks.truthMask),
        swcs == null ? null : Swc.read(swcs.swc),
        swcs == null ? null : truth(swcs.truthSwc),
        maskThreshold, distanceThreshold, tolerance).text();
    if (report != null) {
      Path r = report;
      AtomicWrite.write(r, temp -> Files.writeString(temp, text));
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(text);
    out.flush();
    return 0;
  }

  /** The ground-truth tree; one without nodes would score every reconstruction as nothing. */
  private static NeuronTree truth(Path file) {
    NeuronTree t = Swc.read(file);
    if (t.isEmpty()) {
      throw FormatException.of(file.toString(), "the ground-truth SWC holds no nodes: there is"
          + " nothing to score the reconstruction against");
    }
    return t;
  }
}
