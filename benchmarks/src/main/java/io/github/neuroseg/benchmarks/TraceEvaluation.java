package io.github.neuroseg.benchmarks;

import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.NeuroSegException;
import io.github.neuroseg.metrics.ReconstructionMetrics;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.synth.GroundTruth;
import io.github.neuroseg.synth.NeuronGenerator;
import io.github.neuroseg.synth.NeuronRenderer;
import io.github.neuroseg.synth.RenderedNeuron;
import io.github.neuroseg.synth.TreeFitting;
import io.github.neuroseg.tracing.TraceInput;
import io.github.neuroseg.tracing.Tracer;
import io.github.neuroseg.tracing.TracerBuilder;
import io.github.neuroseg.volume.VoxelSize;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.type.numeric.integer.UnsignedByteType;

/**
 * Evaluates the tracer on ground-truth masks: every real SWC under the data folder is fitted into
 * a volume ({@link TreeFitting}), rendered as an exact mask ({@link GroundTruth}), traced with the
 * default tracer and compared with the source tree (ESA, DSA, PDS, node F1 at 2 voxels); a few
 * generated neurons are scored the same way (also with anisotropic voxels), and a 512 x 512 x 128
 * volume is timed.
 *
 * <p>Usage: {@code TraceEvaluation [dataDir]} (default {@code ../shared/data}); the system
 * properties {@code trace.pruneLength}, {@code trace.coverageRatio}, {@code trace.smoothing} and
 * {@code trace.speedContrast} override the tracer's defaults. Ends with {@code
 * BENCH trace neurons=<n> mean_f1=<x> mean_esa=<x> mean_pds=<x> vox_s=<n>}, the means over the real
 * neurons and the throughput on the 512 x 512 x 128 volume.
 */
public final class TraceEvaluation {
  private static final double LONGEST_SIDE = 256;
  private static final double MARGIN = 4;
  /** Anisotropic voxels for the second rendering of each real neuron, microns. */
  private static final VoxelSize ANISO_REAL = VoxelSize.microns(0.5, 0.5, 1.5);
  /** Threshold of the rendered images: a quarter of the way from background (100) to 1000. */
  private static final double NOISY_THRESHOLD = 325;

  private TraceEvaluation() {}

  /** Runs the evaluation; see the class comment. */
  public static void main(String[] args) throws IOException {
    Path data = Path.of(args.length > 0 ? args[0] : "../shared/data");
    TracerBuilder builder = NeuroSeg.tracer();
    // optional overrides for experiments, e.g. -Dtrace.pruneLength=3
    String v;
    if ((v = System.getProperty("trace.pruneLength")) != null) {
      builder.pruneLength(Double.parseDouble(v));
    }
    if ((v = System.getProperty("trace.coverageRatio")) != null) {
      builder.coverageRatio(Double.parseDouble(v));
    }
    if ((v = System.getProperty("trace.smoothing")) != null) {
      builder.smoothing(Integer.parseInt(v));
    }
    if ((v = System.getProperty("trace.speedContrast")) != null) {
      builder.speedContrast(Double.parseDouble(v));
    }
    if ((v = System.getProperty("trace.pruneRadiusFactor")) != null) {
      builder.pruneRadiusFactor(Double.parseDouble(v));
    }
    if ((v = System.getProperty("trace.somaRatio")) != null) {
      builder.somaRatio(Double.parseDouble(v));
    }
    if ((v = System.getProperty("trace.bridgeGap")) != null) {
      builder.bridgeGap(Double.parseDouble(v));
    }
    if ((v = System.getProperty("trace.bridgeAngle")) != null) {
      builder.bridgeAngle(Double.parseDouble(v));
    }
    Tracer tracer = builder.build();
    System.out.println("tracer: " + tracer.config());
    List<Path> files = swcFiles(data);
    double sumF1 = 0;
    double sumEsa = 0;
    double sumPds = 0;
    int count = 0;
    double anisoF1 = 0;
    double anisoPds = 0;
    for (Path f : files) {
      NeuronTree raw;
      try {
        raw = Swc.read(f);
      } catch (NeuroSegException e) {
        System.out.println("skip " + f.getFileName() + ": " + e.getMessage());
        continue;
      }
      if (raw.size() < 20) {
        System.out.println("skip " + f.getFileName() + ": only " + raw.size() + " nodes");
        continue;
      }
      long[] dims = dimsFor(raw);
      NeuronTree ref = TreeFitting.fit(raw, dims, VoxelSize.UNIT, MARGIN);
      ReconstructionMetrics.Scores s = evaluate(tracer, f.getFileName().toString(), ref, dims,
          VoxelSize.UNIT);
      sumF1 += s.f1();
      sumEsa += s.esa();
      sumPds += s.pds();
      count++;
      // the same neuron on anisotropic voxels (not in the BENCH means)
      NeuronTree refAniso = TreeFitting.fit(raw, dims, ANISO_REAL, MARGIN);
      ReconstructionMetrics.Scores a = evaluate(tracer, f.getFileName() + "-aniso", refAniso,
          dims, ANISO_REAL);
      anisoF1 += a.f1();
      anisoPds += a.pds();
    }
    if (count > 0) {
      System.out.printf(Locale.ROOT,
          "real neurons on %s x %s x %s voxels: mean_f1=%.4f mean_pds=%.4f%n", ANISO_REAL.x(),
          ANISO_REAL.y(), ANISO_REAL.z(), anisoF1 / count, anisoPds / count);
    }
    NeuronGenerator gen = NeuronGenerator.newBuilder().bounds(192, 192, 48).build();
    VoxelSize aniso = VoxelSize.microns(0.4, 0.4, 1.0);
    for (int seed = 1; seed <= 4; seed++) {
      NeuronTree vox = gen.generate(seed);
      evaluate(tracer, "generated-" + seed, vox, new long[] {192, 192, 48}, VoxelSize.UNIT);
      // the same neuron in physical units on anisotropic voxels
      evaluate(tracer, "generated-" + seed + "-aniso", vox.toPhysical(aniso),
          new long[] {192, 192, 48}, aniso);
    }
    // imperfect foreground: the rendered microscopy-like image (PSF, noise, gaps, varicosities)
    // thresholded, traced as a mask alone and with its intensities
    NeuronRenderer renderer = NeuronRenderer.newBuilder().build();
    for (int seed = 1; seed <= 4; seed++) {
      NeuronTree vox = gen.generate(seed);
      RenderedNeuron r = renderer.render(vox, new long[] {192, 192, 48}, VoxelSize.UNIT);
      TraceInput in = TraceInput.of(r.image().image(), VoxelSize.UNIT)
          .withThreshold(NOISY_THRESHOLD);
      long t0 = System.nanoTime();
      NeuronTree fromMask = tracer.trace(in);
      long t1 = System.nanoTime();
      NeuronTree fromIntensity = tracer.trace(in.withIntensities(r.image().image()));
      long t2 = System.nanoTime();
      score("noisy-" + seed + "-mask", vox, fromMask, new long[] {192, 192, 48}, (t1 - t0) / 1e9);
      score("noisy-" + seed + "-intensity", vox, fromIntensity, new long[] {192, 192, 48},
          (t2 - t1) / 1e9);
    }
    long voxS = timeLargeVolume(tracer);
    System.out.printf(Locale.ROOT,
        "BENCH trace neurons=%d mean_f1=%.4f mean_esa=%.4f mean_pds=%.4f vox_s=%d%n", count,
        count == 0 ? 0 : sumF1 / count, count == 0 ? 0 : sumEsa / count,
        count == 0 ? 0 : sumPds / count, voxS);
  }

  private static ReconstructionMetrics.Scores evaluate(Tracer tracer, String name,
      NeuronTree ref, long[] dims, VoxelSize vs) {
    ArrayImg<UnsignedByteType, ByteArray> mask = GroundTruth.render(ref, dims, vs);
    long t0 = System.nanoTime();
    NeuronTree traced = tracer.trace(mask, vs);
    double sec = (System.nanoTime() - t0) / 1e9;
    return score(name, ref.toVoxels(vs), traced.toVoxels(vs), dims, sec);
  }

  /** Scores and prints one trace; both trees in voxel coordinates. */
  private static ReconstructionMetrics.Scores score(String name, NeuronTree ref,
      NeuronTree traced, long[] dims, double sec) {
    ReconstructionMetrics.Scores s = ReconstructionMetrics.compare(ref, traced);
    System.out.printf(Locale.ROOT,
        "%-34s dims=%dx%dx%d ref_nodes=%d traced_nodes=%d roots=%d f1=%.4f precision=%.4f "
            + "recall=%.4f esa=%.3f dsa=%.3f pds=%.4f time_s=%.3f%n",
        name, dims[0], dims[1], dims[2], ref.size(), traced.size(), traced.roots().size(),
        s.f1(), s.precision(), s.recall(), s.esa(), s.dsa(), s.pds(), sec);
    return s;
  }

  /** A volume whose longest in-plane side is 256 voxels, with depth from the tree's z extent. */
  static long[] dimsFor(NeuronTree tree) {
    double[] b = tree.boundingBox();
    double ex = b[3] - b[0];
    double ey = b[4] - b[1];
    double ez = b[5] - b[2];
    double side = Math.max(ex, ey);
    double scale = side > 0 ? (LONGEST_SIDE - 1 - 2 * MARGIN) / side : 1;
    long w = Math.max(16, Math.round(ex * scale + 1 + 2 * MARGIN));
    long h = Math.max(16, Math.round(ey * scale + 1 + 2 * MARGIN));
    long d = Math.max(16, Math.min(128, Math.round(ez * scale + 1 + 2 * MARGIN)));
    return new long[] {w, h, d};
  }

  /**
   * Six dense generated neurons (thick, much branched) in one 512 x 512 x 128 volume, traced as a
   * forest; returns voxels per second of the best of three runs.
   */
  private static long timeLargeVolume(Tracer tracer) {
    long[] dims = {512, 512, 128};
    NeuronGenerator gen = NeuronGenerator.newBuilder().bounds(512, 512, 128).neurites(8, 12)
        .somaRadius(10).neuriteRadius(3).taper(0.998).branchProbability(0.04)
        .maxBranchOrder(4).maxNodes(20000).build();
    List<SwcNode> all = new ArrayList<>();
    long offset = 0;
    for (int seed = 1; seed <= 6; seed++) {
      NeuronTree t = gen.generate(100 + seed);
      long maxId = 0;
      for (SwcNode n : t.nodes()) {
        all.add(new SwcNode(n.id() + offset, n.structure(), n.x(), n.y(), n.z(), n.radius(),
            n.isRoot() ? SwcNode.NO_PARENT : n.parent() + offset));
        maxId = Math.max(maxId, n.id());
      }
      offset += maxId + 1;
    }
    NeuronTree forest = NeuronTree.of(all);
    ArrayImg<UnsignedByteType, ByteArray> mask = GroundTruth.render(forest, dims, VoxelSize.UNIT);
    long fgCount = 0;
    for (byte v : mask.update(null).getCurrentStorageArray()) {
      fgCount += v != 0 ? 1 : 0;
    }
    double best = Double.POSITIVE_INFINITY;
    double bestCpu = Double.POSITIVE_INFINITY;
    NeuronTree traced = NeuronTree.empty();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    for (int rep = 0; rep < 3; rep++) {
      long c0 = mx.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      traced = tracer.trace(mask, VoxelSize.UNIT);
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
      bestCpu = Math.min(bestCpu, (mx.getCurrentThreadCpuTime() - c0) / 1e9);
    }
    ReconstructionMetrics.Scores s = ReconstructionMetrics.compare(forest, traced);
    long voxels = dims[0] * dims[1] * dims[2];
    System.out.printf(Locale.ROOT,
        "large 512x512x128 (6 neurons): foreground=%d voxels (%.2f%%), ref_nodes=%d "
            + "traced_nodes=%d roots=%d f1=%.4f pds=%.4f best_of_3_wall_s=%.3f cpu_s=%.3f%n",
        fgCount, 100.0 * fgCount / voxels, forest.size(), traced.size(), traced.roots().size(),
        s.f1(), s.pds(), best, bestCpu);
    return Math.round(voxels / best);
  }

  private static List<Path> swcFiles(Path data) throws IOException {
    List<Path> out = new ArrayList<>();
    for (String sub : new String[] {"swc", "stacks"}) {
      Path dir = data.resolve(sub);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> s = Files.list(dir)) {
        s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".swc"))
            .sorted().forEach(out::add);
      }
    }
    if (out.isEmpty()) {
      System.out.println("no SWC files under " + data.toAbsolutePath());
    }
    return out;
  }
}
