package io.github.neuroseg.benchmarks;

import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.NeuroSegException;
import io.github.neuroseg.files.AtomicWrite;
import io.github.neuroseg.metrics.ReconstructionMetrics;
import io.github.neuroseg.metrics.SegmentationMetrics;
import io.github.neuroseg.pipeline.Pipeline;
import io.github.neuroseg.pipeline.Reconstruction;
import io.github.neuroseg.segmentation.PostProcessing;
import io.github.neuroseg.segmentation.SegmenterBuilder;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.tracing.TraceInput;
import io.github.neuroseg.tracing.Tracer;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.VoxelSize;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import org.jspecify.annotations.Nullable;

/**
 * The real-data benchmark: the learned segmentation against threshold baselines, all traced by
 * the same default tracer, on real stacks with references and on real reconstructions rendered at
 * set contrast-to-noise ratios.
 *
 * <p>Cases ({@link RealCases}): the DIADEM stacks {@code OP_1..OP_6} with their gold standards
 * (shifted as the data README says), {@code test.small} and {@code crop1} (references counting y
 * from the bottom, flipped; crop1's is APP2's output, not a gold standard), and four real
 * reconstructions rendered at contrast-to-noise ratios 1.5, 3 and 6. Methods, each traced with
 * {@code NeuroSeg.tracer()} defaults:
 *
 * <ul>
 *   <li>{@code run}: the model's segmentation traced with the volume's intensities, as {@code
 *       neuroseg run} does;
 *   <li>{@code mean+0.5std}: foreground where the voxel exceeds mean + 0.5 std of the volume
 *       (APP2's background rule);
 *   <li>{@code gauss1+3std}: a Gaussian filter of sigma 1 voxel, then foreground where the
 *       smoothed volume exceeds its mean + 3 std.
 * </ul>
 *
 * <p>The baselines give the tracer their 0/1 mask and the original intensities, so the three
 * methods differ only in the mask. Scores, all in voxels of the volume (a traced tree is in
 * physical units and is converted back): node precision, recall and F1 at 2 voxels, ESA, DSA and
 * PDS at 2 voxels ({@link ReconstructionMetrics}), the number of trees and tips; for DIADEM also
 * precision and F1 with the prediction restricted to the reference's bounding box grown by
 * {@value #BOX_MARGIN} voxels (the gold standards trace one arbor from a root: the trunk upstream
 * and other fibres are not in them); for rendered cases Dice and HD95 of the mask against the
 * exact one.
 *
 * <p>Cases named in the model's metadata {@code training_cases} or {@code validation_cases}
 * (comma-separated; a rendered case matches by its reconstruction's stem, extensions ignored)
 * are marked and left out of the means. The last line is {@code BENCH real vit_f1=<mean F1 of
 * run> base_f1=<mean F1 of the better baseline> wins=<cases where run's F1 >= both baselines'>
 * cases=<counted cases>}.
 *
 * <p>Usage: {@code RealEvaluation [--data DIR] [--model M.onnx] [--out DIR] [--only NAMES]},
 * defaults {@code ../shared/data}, the bundled model and {@code target/eval-real}; {@code --only}
 * takes comma-separated case or source names; {@code --threshold P} replaces the model's
 * calibrated threshold, {@code --low-threshold P} and {@code --min-object N} the default
 * post-processing, {@code --tta} turns on test-time augmentation. The output folder gets {@code results.md},
 * {@code results.tsv} and, under {@code swc/}, every reference and traced tree in voxel
 * coordinates.
 */
public final class RealEvaluation {
  /** Growth of the reference's bounding box for the boxed scores, voxels. */
  static final double BOX_MARGIN = 10;

  private RealEvaluation() {}

  /** The three ways to get a mask. */
  enum Method {
    RUN("run"),
    MEAN_HALF_STD("mean+0.5std"),
    GAUSS_THREE_STD("gauss1+3std");

    final String label;

    Method(String label) {
      this.label = label;
    }
  }

  /**
   * One method's scores on one case; {@code NaN} where a score does not apply.
   *
   * @param method the method
   * @param precision node precision at 2 voxels
   * @param recall node recall
   * @param f1 node F1
   * @param boxPrecision precision inside the reference's grown box (DIADEM)
   * @param boxF1 F1 inside that box
   * @param esa entire-structure average, voxels
   * @param dsa different-structure average, voxels
   * @param pds percentage of different structure
   * @param trees trees of the trace
   * @param tips tips of the trace
   * @param dice Dice of the mask against the exact one (rendered cases)
   * @param hd95 HD95 of the mask, voxels (rendered cases)
   * @param seconds wall time of segmenting (or thresholding) and tracing
   */
  record Row(Method method, double precision, double recall, double f1, double boxPrecision,
      double boxF1, double esa, double dsa, double pds, int trees, int tips, double dice,
      double hd95, double seconds) {}

  /**
   * One case's results.
   *
   * @param name the case
   * @param mark {@code *train}, {@code *val}, {@code test} or empty
   * @param counted whether it enters the means
   * @param rendered whether the image is a rendering (not a real stack)
   * @param referenceTrees trees of the reference
   * @param referenceTips tips of the reference
   * @param rows one per method, in {@link Method} order
   * @param note how the case was made
   */
  record CaseResult(String name, String mark, boolean counted, boolean rendered,
      int referenceTrees,
      int referenceTips, List<Row> rows, String note) {
    Row row(Method m) {
      return rows.get(m.ordinal());
    }
  }

  /**
   * The model's data split, from its metadata.
   *
   * @param training names of training cases, extensions dropped
   * @param validation names of validation cases
   * @param test names of test cases
   */
  record Split(Set<String> training, Set<String> validation, Set<String> test) {
    static Split of(Map<String, String> metadata) {
      return new Split(names(metadata.get("training_cases")),
          names(metadata.get("validation_cases")), names(metadata.get("test_cases")));
    }

    private static Set<String> names(@Nullable String list) {
      Set<String> out = new LinkedHashSet<>();
      if (list != null) {
        for (String s : list.split(",")) {
          String t = stripExtension(s.trim());
          if (!t.isEmpty()) {
            out.add(t);
          }
        }
      }
      return out;
    }

    private static String stripExtension(String s) {
      return s.replaceFirst("(?i)\\.(swc|tiff?|v3draw)$", "");
    }

    /** {@code *train}, {@code *val}, {@code test} or empty, by the case's name or source. */
    String mark(String name, String source) {
      if (hit(training, name, source)) {
        return "*train";
      }
      if (hit(validation, name, source)) {
        return "*val";
      }
      return hit(test, name, source) ? "test" : "";
    }

    private static boolean hit(Set<String> set, String name, String source) {
      return set.contains(name) || set.contains(source);
    }
  }

  /** Runs the benchmark; see the class comment. */
  public static void main(String[] args) throws IOException {
    Path data = Path.of("../shared/data");
    Path model = null;
    Path out = Path.of("target/eval-real");
    Set<String> only = null;
    boolean tta = false;
    double low = PostProcessing.DEFAULT.lowThreshold();
    int minObject = PostProcessing.DEFAULT.minComponentVoxels();
    Double threshold = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--tta")) {
        tta = true;
        continue;
      }
      if (i + 1 >= args.length) {
        usage("missing value after " + a);
      }
      switch (a) {
        case "--low-threshold" -> low = Double.parseDouble(args[++i]);
        case "--threshold" -> threshold = Double.parseDouble(args[++i]);
        case "--min-object" -> minObject = Integer.parseInt(args[++i]);
        case "--data" -> data = Path.of(args[++i]);
        case "--model" -> model = Path.of(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        case "--only" -> only = new LinkedHashSet<>(Arrays.asList(args[++i].split(",")));
        default -> usage("unknown option " + a);
      }
    }
    long t0 = System.nanoTime();
    PrintStream log = System.out;
    List<RealCases.Pending> cases = RealCases.all(data, m -> log.println("SKIP " + m));
    if (only != null) {
      Set<String> o = only;
      cases = cases.stream().filter(p -> o.contains(p.name()) || o.contains(p.source())).toList();
    }
    PostProcessing post = new PostProcessing(low, minObject);
    SegmenterBuilder b = NeuroSeg.segmenter().testTimeAugmentation(tta);
    b = model == null ? b.model(NeuroSeg.bundledModel()) : b.model(model);
    if (threshold != null) {
      b = b.threshold(threshold);
    }
    List<CaseResult> results = new ArrayList<>();
    Path swcDir = out.resolve("swc");
    Files.createDirectories(swcDir);
    try (Segmenter segmenter = b.build()) {
      Map<String, String> meta = segmenter.modelMetadata();
      Split split = Split.of(meta);
      log.println("model: " + (model == null ? "bundled (neuroseg-default.onnx)" : model)
          + ", threshold " + segmenter.config().threshold() + ", split from metadata: training "
          + split.training() + ", validation " + split.validation() + ", test " + split.test()
          + (split.training().isEmpty() && split.validation().isEmpty()
              ? " (the model names no training or validation cases: every case counts)" : ""));
      log.println("tracer: " + NeuroSeg.tracer().build().config());
      log.println("run: test-time augmentation " + (tta ? "on" : "off") + ", " + post);
      log.println("data: " + data.toAbsolutePath().normalize() + ", " + cases.size() + " cases");
      for (RealCases.Pending p : cases) {
        long l0 = System.nanoTime();
        double cpu0 = processCpuSeconds();
        RealCases.Case c;
        try {
          c = p.load().get();
        } catch (NeuroSegException e) {
          log.println("SKIP " + p.name() + ": " + e.getMessage());
          continue;
        }
        double loadS = (System.nanoTime() - l0) / 1e9;
        CaseResult r = evaluate(c, segmenter, post, split, swcDir);
        results.add(r);
        log.printf(Locale.ROOT, "%s: %s; %dx%dx%d; wall s: load %.1f, %s %.1f, %s %.1f, %s %.1f;"
            + " process CPU %.1f s%n", c.name(), c.note(), c.volume().width(),
            c.volume().height(), c.volume().depth(), loadS, Method.RUN.label,
            r.row(Method.RUN).seconds(), Method.MEAN_HALF_STD.label,
            r.row(Method.MEAN_HALF_STD).seconds(), Method.GAUSS_THREE_STD.label,
            r.row(Method.GAUSS_THREE_STD).seconds(), processCpuSeconds() - cpu0);
      }
    }
    String text = table(results, false) + "\n" + means(results, false);
    String md = "# scripts/eval-real\n\n## Node F1 per case\n\n" + compact(results)
        + "\n## All scores\n\n" + table(results, true) + "\n" + means(results, true) + "\n"
        + notes(results) + "\n```\n" + goalLine(results) + "\n" + benchLine(results)
        + "\n```\n";
    AtomicWrite.write(out.resolve("results.md"), tmp -> Files.writeString(tmp, md));
    AtomicWrite.write(out.resolve("results.tsv"), tmp -> Files.writeString(tmp, tsv(results)));
    log.println();
    log.print(text);
    log.printf(Locale.ROOT, "total %.1f s wall, %.1f s process CPU; wrote %s, %s and traces"
        + " under %s%n", (System.nanoTime() - t0) / 1e9, processCpuSeconds(),
        out.resolve("results.md"), out.resolve("results.tsv"), swcDir);
    log.println(goalLine(results));
    log.println(benchLine(results));
  }

  /** CPU time of the whole process (ONNX Runtime's native threads included), seconds. */
  private static double processCpuSeconds() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime() / 1e9;
    }
    return Double.NaN;
  }

  private static void usage(String problem) {
    System.err.println("error: " + problem);
    System.err.println("usage: RealEvaluation [--data DIR] [--model M.onnx] [--out DIR]"
        + " [--only NAME,...] [--tta] [--threshold P] [--low-threshold P] [--min-object N]");
    System.exit(2);
  }

  /**
   * Runs the three methods on one case and scores them; writes the reference and the traces (in
   * voxels) into {@code swcDir} when it is not {@code null}.
   */
  static CaseResult evaluate(RealCases.Case c, Segmenter segmenter, Split split,
      @Nullable Path swcDir) {
    return evaluate(c, segmenter, PostProcessing.DEFAULT, split, swcDir);
  }

  /** As {@link #evaluate(RealCases.Case, Segmenter, Split, Path)} with this post-processing. */
  static CaseResult evaluate(RealCases.Case c, Segmenter segmenter, PostProcessing post,
      Split split, @Nullable Path swcDir) {
    Volume v = c.volume();
    NeuronTree ref = c.reference();
    List<Row> rows = new ArrayList<>();
    for (Method m : Method.values()) {
      long t0 = System.nanoTime();
      RandomAccessibleInterval<? extends RealType<?>> mask;
      NeuronTree traced;
      if (m == Method.RUN) {
        // exactly what `neuroseg run` does
        Reconstruction r = Pipeline.of(segmenter, NeuroSeg.tracer().build())
            .withPostProcessing(post).run(v);
        traced = r.tree();
        mask = r.mask();
      } else {
        var bin = m == Method.MEAN_HALF_STD ? Thresholds.meanHalfStd(v)
            : Thresholds.gaussThreeStd(v);
        Tracer tracer = NeuroSeg.tracer().build();
        traced = tracer.trace(TraceInput.of(bin, v.voxelSize()).withIntensities(v.image()));
        mask = bin;
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      NeuronTree pred = traced.toVoxels(v.voxelSize());
      rows.add(score(m, ref, pred, c.boxed(), mask, c.truthMask(), seconds));
      if (swcDir != null) {
        Swc.write(pred, swcDir.resolve(c.name() + "." + m.label + ".swc"));
      }
    }
    if (swcDir != null) {
      Swc.write(ref, swcDir.resolve(c.name() + ".reference.swc"));
    }
    String mark = split.mark(c.name(), c.source());
    return new CaseResult(c.name(), mark, !mark.startsWith("*"), c.truthMask() != null,
        ref.roots().size(),
        ref.leaves().size(), rows, c.note());
  }

  /** Scores of a prediction against a reference, both in voxels. */
  static Row score(Method m, NeuronTree ref, NeuronTree pred, boolean boxed,
      RandomAccessibleInterval<? extends RealType<?>> mask,
      @Nullable RandomAccessibleInterval<? extends RealType<?>> truthMask, double seconds) {
    ReconstructionMetrics.Scores s = ReconstructionMetrics.compare(ref, pred);
    double boxP = Double.NaN;
    double boxF1 = Double.NaN;
    if (boxed) {
      ReconstructionMetrics.Scores bs = ReconstructionMetrics.compare(ref, boxed(ref, pred));
      boxP = bs.precision();
      boxF1 = bs.f1();
    }
    double dice = Double.NaN;
    double hd95 = Double.NaN;
    if (truthMask != null) {
      dice = SegmentationMetrics.dice(mask, truthMask);
      hd95 = SegmentationMetrics.hd95(mask, truthMask, VoxelSize.UNIT).voxels();
    }
    return new Row(m, s.precision(), s.recall(), s.f1(), boxP, boxF1, s.esa(), s.dsa(), s.pds(),
        pred.roots().size(), pred.leaves().size(), dice, hd95, seconds);
  }

  /**
   * The prediction restricted to the reference's bounding box grown by {@link #BOX_MARGIN}
   * voxels: resampled at one voxel, so that edges leaving the box are cut within a voxel of it,
   * then cropped. Every node removed is more than the margin from the reference, so recall is
   * unchanged.
   */
  static NeuronTree boxed(NeuronTree ref, NeuronTree pred) {
    if (ref.isEmpty() || pred.isEmpty()) {
      return pred;
    }
    double[] box = ref.boundingBox();
    for (int d = 0; d < 3; d++) {
      box[d] -= BOX_MARGIN;
      box[d + 3] += BOX_MARGIN;
    }
    return pred.resample(1.0).crop(box);
  }

  // ----------------------------------------------------------------------------- output

  private static final String[] HEAD = {"case", "split", "method", "P", "R", "F1", "boxP",
    "boxF1", "ESA", "DSA", "PDS", "trees", "tips", "Dice", "HD95", "time_s"};

  /** The results table: a reference row and one row per method for every case. */
  static String table(List<CaseResult> results, boolean markdown) {
    List<String[]> rows = new ArrayList<>();
    for (CaseResult r : results) {
      rows.add(new String[] {r.name(), r.mark(), "reference", "", "", "", "", "", "", "", "",
        Integer.toString(r.referenceTrees()), Integer.toString(r.referenceTips()), "", "", ""});
      for (Row w : r.rows()) {
        rows.add(cells(r.name(), r.mark(), w));
      }
    }
    return render(HEAD, rows, markdown, 3);
  }

  /**
   * A row per case: node F1 of the three methods, boxed F1 (DIADEM), mask Dice (rendered cases)
   * and the model's tips against the reference's, as a markdown table.
   */
  static String compact(List<CaseResult> results) {
    Method[] ms = Method.values();
    String order = String.join(" / ", Arrays.stream(ms).map(m -> m.label).toList());
    String[] head = {"case", "split", "F1: " + order, "boxed F1", "Dice", "run tips (ref)"};
    List<String[]> rows = new ArrayList<>();
    for (CaseResult r : results) {
      List<String> c = new ArrayList<>(List.of(r.name(), r.mark()));
      for (ToDoubleFunction<Row> f : List.<ToDoubleFunction<Row>>of(Row::f1, Row::boxF1,
          Row::dice)) {
        double best = Double.NEGATIVE_INFINITY;
        for (Method m : ms) {
          best = Math.max(best, f.applyAsDouble(r.row(m)));
        }
        List<String> parts = new ArrayList<>();
        for (Method m : ms) {
          double v = f.applyAsDouble(r.row(m));
          // the case's best method in bold
          parts.add(!Double.isNaN(v) && v == best ? "**" + f3(v) + "**" : f3(v));
        }
        c.add(Double.isNaN(best) ? "-" : String.join(" / ", parts));
      }
      c.add(r.row(Method.RUN).tips() + " (" + r.referenceTips() + ")");
      rows.add(c.toArray(String[]::new));
    }
    return render(head, rows, true, 2);
  }

  private static String[] cells(String name, String mark, Row w) {
    return new String[] {name, mark, w.method().label, f3(w.precision()), f3(w.recall()),
      f3(w.f1()), f3(w.boxPrecision()), f3(w.boxF1()), f2(w.esa()), f2(w.dsa()), f3(w.pds()),
      Integer.toString(w.trees()), Integer.toString(w.tips()), f3(w.dice()), f2(w.hd95()),
      String.format(Locale.ROOT, "%.1f", w.seconds())};
  }

  /**
   * Means per method over the counted cases, then over the real stacks and the rendered cases
   * apart (boxed and mask scores over the cases that have them).
   */
  static String means(List<CaseResult> results, boolean markdown) {
    List<CaseResult> counted = results.stream().filter(CaseResult::counted).toList();
    String[] head = {"mean over", "method", "P", "R", "F1", "boxP", "boxF1", "ESA", "DSA", "PDS",
      "trees", "tips", "Dice", "HD95", "time_s"};
    List<String[]> rows = new ArrayList<>();
    List<CaseResult> real = counted.stream().filter(r -> !r.rendered()).toList();
    List<CaseResult> rendered = counted.stream().filter(CaseResult::rendered).toList();
    for (Object[] group : new Object[][] {{"all " + counted.size(), counted},
        {"real " + real.size(), real}, {"rendered " + rendered.size(), rendered}}) {
      @SuppressWarnings("unchecked")
      List<CaseResult> g = (List<CaseResult>) group[1];
      if (g.isEmpty()) {
        continue;
      }
      for (Method m : Method.values()) {
        rows.add(new String[] {m == Method.RUN ? (String) group[0] : "", m.label,
          f3(mean(g, m, Row::precision)), f3(mean(g, m, Row::recall)), f3(mean(g, m, Row::f1)),
          f3(mean(g, m, Row::boxPrecision)), f3(mean(g, m, Row::boxF1)),
          f2(mean(g, m, Row::esa)), f2(mean(g, m, Row::dsa)), f3(mean(g, m, Row::pds)),
          f1(mean(g, m, Row::trees)), f1(mean(g, m, Row::tips)), f3(mean(g, m, Row::dice)),
          f2(mean(g, m, Row::hd95)), String.format(Locale.ROOT, "%.1f", sum(g, m, Row::seconds))});
      }
    }
    String marked = results.stream().filter(r -> !r.counted()).map(CaseResult::name)
        .reduce((a, b) -> a + ", " + b).map(s -> "left out (the model trained or validated on"
            + " them): " + s + "\n").orElse("");
    return render(head, rows, markdown, 2) + marked;
  }

  private static String notes(List<CaseResult> results) {
    StringBuilder sb = new StringBuilder();
    for (CaseResult r : results) {
      sb.append("- ").append(r.name()).append(": ").append(r.note()).append('\n');
    }
    return sb.toString();
  }

  /** Mean of a score over the cases where it is defined (not NaN); NaN when there are none. */
  static double mean(List<CaseResult> cases, Method m, ToDoubleFunction<Row> f) {
    double s = 0;
    int n = 0;
    for (CaseResult c : cases) {
      double v = f.applyAsDouble(c.row(m));
      if (!Double.isNaN(v)) {
        s += v;
        n++;
      }
    }
    return n == 0 ? Double.NaN : s / n;
  }

  private static double sum(List<CaseResult> cases, Method m, ToDoubleFunction<Row> f) {
    double s = 0;
    for (CaseResult c : cases) {
      s += f.applyAsDouble(c.row(m));
    }
    return s;
  }

  /** The last line: model F1, the better baseline's F1, wins and counted cases. */
  static String benchLine(List<CaseResult> results) {
    List<CaseResult> counted = results.stream().filter(CaseResult::counted).toList();
    double vit = mean(counted, Method.RUN, Row::f1);
    double b1 = mean(counted, Method.MEAN_HALF_STD, Row::f1);
    double b2 = mean(counted, Method.GAUSS_THREE_STD, Row::f1);
    double base = Double.isNaN(b1) ? b2 : Double.isNaN(b2) ? b1 : Math.max(b1, b2);
    int wins = 0;
    for (CaseResult c : counted) {
      double best = Math.max(c.row(Method.MEAN_HALF_STD).f1(),
          c.row(Method.GAUSS_THREE_STD).f1());
      if (c.row(Method.RUN).f1() >= best) {
        wins++;
      }
    }
    return String.format(Locale.ROOT, "BENCH real vit_f1=%.4f base_f1=%.4f wins=%d cases=%d",
        vit, base, wins, counted.size());
  }

  /**
   * The real-model goal on the counted cases: on every one {@code run}'s F1 at least the better
   * baseline's ({@code losses} counts the others, named in {@code lost}), a mean margin of 0.05
   * or more over the better baseline's mean, recall of {@code run} at least 0.9 everywhere, and
   * on the rendered cases at contrast-to-noise 3 a mask Dice of at least 0.6 with at most 3 trees.
   */
  static String goalLine(List<CaseResult> results) {
    List<CaseResult> counted = results.stream().filter(CaseResult::counted).toList();
    List<String> lost = new ArrayList<>();
    double minRecall = Double.POSITIVE_INFINITY;
    double cnr3Dice = Double.POSITIVE_INFINITY;
    int cnr3Trees = 0;
    for (CaseResult c : counted) {
      Row run = c.row(Method.RUN);
      if (run.f1() < Math.max(c.row(Method.MEAN_HALF_STD).f1(),
          c.row(Method.GAUSS_THREE_STD).f1())) {
        lost.add(c.name());
      }
      minRecall = Math.min(minRecall, run.recall());
      if (c.name().endsWith("@cnr3")) {
        cnr3Dice = Math.min(cnr3Dice, run.dice());
        cnr3Trees = Math.max(cnr3Trees, run.trees());
      }
    }
    double b1 = mean(counted, Method.MEAN_HALF_STD, Row::f1);
    double b2 = mean(counted, Method.GAUSS_THREE_STD, Row::f1);
    double margin = mean(counted, Method.RUN, Row::f1) - Math.max(b1, b2);
    boolean met = !counted.isEmpty() && lost.isEmpty() && margin >= 0.05 && minRecall >= 0.9
        && (cnr3Dice == Double.POSITIVE_INFINITY || cnr3Dice >= 0.6) && cnr3Trees <= 3;
    return String.format(Locale.ROOT, "GOAL real losses=%d margin=%.4f min_recall=%.4f"
        + " cnr3_min_dice=%.4f cnr3_max_trees=%d met=%s lost=%s", lost.size(), margin,
        minRecall, cnr3Dice, cnr3Trees, met ? "yes" : "no",
        lost.isEmpty() ? "-" : String.join(",", lost));
  }

  /** Every row as tab-separated values with a header line. */
  static String tsv(List<CaseResult> results) {
    StringBuilder sb = new StringBuilder(String.join("\t", HEAD)).append("\tcounted\n");
    for (CaseResult r : results) {
      for (Row w : r.rows()) {
        sb.append(String.join("\t", cells(r.name(), r.mark(), w))).append('\t')
            .append(r.counted()).append('\n');
      }
    }
    return sb.toString();
  }

  /**
   * Aligned plain text, or a markdown table (also aligned, so it reads as text too); the first
   * {@code names} columns are left-aligned, the numbers right-aligned.
   */
  private static String render(String[] head, List<String[]> rows, boolean markdown,
      int names) {
    int[] w = new int[head.length];
    for (int i = 0; i < head.length; i++) {
      w[i] = head[i].length();
    }
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        w[i] = Math.max(w[i], r[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    line(sb, head, w, markdown, names);
    if (markdown) {
      String[] sep = new String[head.length];
      for (int i = 0; i < sep.length; i++) {
        sep[i] = "-".repeat(w[i]);
      }
      line(sb, sep, w, true, names);
    }
    for (String[] r : rows) {
      line(sb, r, w, markdown, names);
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, String[] cells, int[] w, boolean markdown,
      int names) {
    StringBuilder l = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      String c = pad(cells[i], w[i], i >= names);
      l.append(markdown ? (i == 0 ? "| " : " | ") : (i == 0 ? "" : "  ")).append(c);
    }
    if (markdown) {
      l.append(" |");
    }
    sb.append(l.toString().stripTrailing()).append('\n');
  }

  private static String pad(String s, int w, boolean right) {
    String fill = " ".repeat(Math.max(0, w - s.length()));
    return right ? fill + s : s + fill;
  }

  private static String f1(double v) {
    return fmt(v, "%.1f");
  }

  private static String f2(double v) {
    return fmt(v, "%.2f");
  }

  private static String f3(double v) {
    return fmt(v, "%.3f");
  }

  private static String fmt(double v, String pattern) {
    if (Double.isNaN(v)) {
      return "-";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    return String.format(Locale.ROOT, pattern, v);
  }
}
