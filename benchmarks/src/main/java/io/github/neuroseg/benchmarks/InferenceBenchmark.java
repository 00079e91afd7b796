package io.github.neuroseg.benchmarks;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.model.FloatTensor;
import io.github.neuroseg.model.ModelContract;
import io.github.neuroseg.model.VitOnnxWriter;
import io.github.neuroseg.model.VitWeights;
import io.github.neuroseg.model.internal.OnnxGraph;
import io.github.neuroseg.model.internal.TilePlan;
import io.github.neuroseg.segmentation.ModelSource;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.segmentation.SegmenterConfig;
import io.github.neuroseg.training.VitArchitecture;
import io.github.neuroseg.volume.Normalization;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.VoxelSize;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import net.imglib2.RandomAccess;
import net.imglib2.type.numeric.RealType;

/**
 * Throughput of {@code segment()} against raw ONNX Runtime on the same batches, the thread sweep
 * behind the default thread policy, and the models' FLOP/s against the machine's matmul peak.
 *
 * <p>Models: a ViT-Tiny-sized 3D ViT written by {@link VitOnnxWriter} with random weights (E =
 * 192, 4 blocks, 3 heads, patch 16, input depth 5, tile 96 x 96; its graph ends with the sigmoid,
 * as trained models are exported), and the bundled model (a logits model: the sigmoid is applied
 * by the segmenter). Volume: 512 x 512 x {@code slices} random 16-bit-like intensities stored as
 * floats. Settings: default overlap (a quarter tile), Gaussian blending, batch size 8, and the
 * default thread policy ({@link SegmenterConfig#defaultThreads}, {@link
 * SegmenterConfig#defaultWorkers}) unless threads are given.
 *
 * <p><b>Raw.</b> The same number of batches of the same shape run through one {@code OrtSession}
 * created with the segmenter's options, on prepared inputs (the plan's first batches, normalised,
 * cycled) with the output bound to a reused buffer: ONNX Runtime's own cost, without reading,
 * normalising, tiling or stitching. Raw and {@code segment()} are measured alternately {@code
 * rounds} times and the best wall and CPU (process) time of each is kept, which makes the ratio
 * robust against other load on the machine. The glue's overhead is {@code segment / raw - 1} of
 * each.
 *
 * <p><b>Sweep.</b> {@code segment()} of a 256 x 256 x 16 volume with the ViT-Tiny-sized model
 * for intra-op threads 1, 2, 4, ... up to the cores (and one less than the cores) times workers
 * 1, 2 (and 4 from 8 cores), best of two each; the default's time against the best.
 *
 * <p><b>Peak.</b> ONNX Runtime's MatMul of two 1024 x 1024 matrices (2 * 1024^3 FLOP), best of
 * five, with one intra-op thread and with the threads used; the model's FLOP (the matrix products
 * and convolutions counted from its architecture, {@link #flopsPerTile}) times the tiles over the
 * raw time is its achieved rate.
 *
 * <p>It also times the int8 export of the ViT-Tiny-sized model ({@code export --int8}) against
 * its float32 original, raw, on the same batches ({@code int8_raw_speedup} of the BENCH line).
 *
 * <p>Arguments: {@code [threads] [slices] [rounds]} (defaults: the default policy, 64, 3); {@code
 * --no-sweep} skips the sweep. The last line is {@code overhead_pct=...}: the larger of the wall
 * and CPU overheads of the ViT-Tiny-sized model.
 */
public final class InferenceBenchmark {
  private static final int WIDTH = 512;
  private static final int HEIGHT = 512;
  private static final int BATCH = 8;

  private InferenceBenchmark() {}

  /** One model's measurement. */
  private record Result(String name, double rawWall, double rawCpu, double segWall,
      double segCpu, long tiles, double flopsPerTile, int threads) {
    double wallOverheadPct() {
      return 100 * (segWall / rawWall - 1);
    }

    double cpuOverheadPct() {
      return 100 * (segCpu / rawCpu - 1);
    }
  }

  /** Runs the benchmark and prints the {@code overhead_pct=...} line last. */
  public static void main(String[] args) throws Exception {
    List<String> positional = new ArrayList<>();
    boolean sweep = true;
    for (String a : args) {
      if (a.equals("--no-sweep")) {
        sweep = false;
      } else {
        positional.add(a);
      }
    }
    int cores = Runtime.getRuntime().availableProcessors();
    int threads = positional.size() > 0 ? Integer.parseInt(positional.get(0)) : 0;
    int depth = positional.size() > 1 ? Integer.parseInt(positional.get(1)) : 64;
    int rounds = positional.size() > 2 ? Integer.parseInt(positional.get(2)) : 3;
    int ortThreads = threads > 0 ? threads : SegmenterConfig.defaultThreads(cores);
    System.out.printf(Locale.ROOT, "machine: %d cores; threads: %d intra-op (%s), %d workers"
        + " (default)%n", cores, ortThreads, threads > 0 ? "given" : "default",
        SegmenterConfig.defaultWorkers(cores));

    Volume vol = volume(WIDTH, HEIGHT, depth, 7);
    VitArchitecture tiny = new VitArchitecture(192, 4, 3, 16, 5, 96, 96);
    Map<String, FloatTensor> tinyWeights = VitWeights.random(tiny, 1, 0.02);
    Map<String, String> tinyMeta = Map.of(ModelContract.NORMALIZATION, "percentile:0.5,99.5",
        ModelContract.THRESHOLD, "0.5", ModelContract.PRETRAINED, "random (benchmark)");
    byte[] tinyModel = VitOnnxWriter.write(tiny, tinyWeights, tinyMeta,
        ModelContract.Output.PROBABILITIES);
    ModelSource bundled = NeuroSeg.bundledModel();
    byte[] bundledModel = ((ModelSource.Bytes) bundled).content();
    VitArchitecture bundledSpec;
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        OrtSession s = env.createSession(bundledModel, o)) {
      bundledSpec = ModelContract.architecture(s.getMetadata().getCustomMetadata(),
          "the bundled model");
    }

    Map<Integer, Double> peaks = new java.util.TreeMap<>();
    for (int t : new TreeSet<>(List.of(1, ortThreads))) {
      peaks.put(t, matmulPeak(env, t));
      System.out.printf(Locale.ROOT, "matmul peak (ONNX Runtime MatMul 1024^3, %d intra-op "
          + "thread%s): %.1f GFLOP/s%n", t, t == 1 ? "" : "s", peaks.get(t) / 1e9);
    }

    Result vit = measure("ViT-Tiny-sized " + tiny, tinyModel, tiny, vol, threads, rounds);
    report(vit, vol, peaks);
    Result small = measure("bundled " + bundledSpec, bundledModel, bundledSpec, vol, threads,
        rounds);
    report(small, vol, peaks);

    glueAlone(tiny, vol, threads, vit.rawWall());
    double int8Speedup = int8(tiny, tinyModel, VitOnnxWriter.write(tiny, tinyWeights, tinyMeta,
        ModelContract.Output.PROBABILITIES, ModelContract.Precision.INT8), vol, vit.threads(),
        rounds);
    if (sweep) {
      sweep(tinyModel, cores);
    }
    System.out.printf(Locale.ROOT,
        "BENCH inference segment_vox_s=%.0f raw_vox_s=%.0f overhead_wall_pct=%.2f "
            + "overhead_cpu_pct=%.2f bundled_overhead_wall_pct=%.2f bundled_overhead_cpu_pct=%.2f"
            + " threads=%d int8_raw_speedup=%.3f%n", voxels(vol) / vit.segWall(),
        voxels(vol) / vit.rawWall(), vit.wallOverheadPct(), vit.cpuOverheadPct(),
        small.wallOverheadPct(), small.cpuOverheadPct(), vit.threads(), int8Speedup);
    System.out.printf(Locale.ROOT, "overhead_pct=%.2f (ViT-Tiny-sized model: wall %+.2f %%, CPU"
        + " %+.2f %%; bundled model: wall %+.2f %%, CPU %+.2f %%)%n",
        Math.max(vit.wallOverheadPct(), vit.cpuOverheadPct()), vit.wallOverheadPct(),
        vit.cpuOverheadPct(), small.wallOverheadPct(), small.cpuOverheadPct());
  }

  private static double voxels(Volume v) {
    return (double) v.width() * v.height() * v.depth();
  }

  private static Volume volume(int w, int h, int d, long seed) {
    float[] voxels = new float[w * h * d];
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < voxels.length; i++) {
      voxels[i] = (float) Math.floor(200 + 50 * r.nextGaussian());
    }
    return Volume.ofFloats(voxels, w, h, d, VoxelSize.UNIT);
  }

  /** Raw ONNX Runtime and {@code segment()} of one model, alternately, best of each. */
  private static Result measure(String name, byte[] model, VitArchitecture spec, Volume vol,
      int threads, int rounds) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (Segmenter seg = NeuroSeg.segmenter().model(ModelSource.bytes(name, model))
        .threads(threads).batchSize(BATCH).build()) {
      SegmenterConfig c = seg.config();
      TilePlan plan = TilePlan.of(vol.width(), vol.height(), vol.depth(), c.tileWidth(),
          c.tileHeight(), c.overlap(), spec.inputDepth());
      long batches = (plan.tileCount() + BATCH - 1) / BATCH;
      System.out.printf(Locale.ROOT, "%n%s: volume %dx%dx%d, %d tiles of %dx%dx%d in %d batches"
          + " of %d, %d intra-op threads, %d workers%n", name, vol.width(), vol.height(),
          vol.depth(), plan.tileCount(), c.tileWidth(), c.tileHeight(), spec.inputDepth(),
          batches, BATCH, c.threads(), c.workers());
      // warm-up on a small volume (JIT, ONNX Runtime's allocations)
      seg.segment(volume((int) vol.width(), (int) vol.height(), 5, 3));
      float[][] inputs = batches(vol, plan, BATCH, 4);
      try (Raw raw = new Raw(env, model, c.threads(), spec, inputs, plan.tileCount())) {
        raw.run(); // warm-up
        double rawWall = Double.POSITIVE_INFINITY;
        double rawCpu = Double.POSITIVE_INFINITY;
        double segWall = Double.POSITIVE_INFINITY;
        double segCpu = Double.POSITIVE_INFINITY;
        for (int round = 1; round <= rounds; round++) {
          double c0 = cpuSeconds();
          long t0 = System.nanoTime();
          raw.run();
          long t1 = System.nanoTime();
          double c1 = cpuSeconds();
          seg.segment(vol);
          long t2 = System.nanoTime();
          double c2 = cpuSeconds();
          double rw = (t1 - t0) / 1e9;
          double sw = (t2 - t1) / 1e9;
          System.out.printf(Locale.ROOT, "round %d: raw ONNX Runtime %.2f s (%.2f CPU s), "
              + "segment() %.2f s (%.2f CPU s): wall %+.1f %%, CPU %+.1f %%%n", round, rw,
              c1 - c0, sw, c2 - c1, 100 * (sw / rw - 1), 100 * ((c2 - c1) / (c1 - c0) - 1));
          rawWall = Math.min(rawWall, rw);
          rawCpu = Math.min(rawCpu, c1 - c0);
          segWall = Math.min(segWall, sw);
          segCpu = Math.min(segCpu, c2 - c1);
        }
        return new Result(name, rawWall, rawCpu, segWall, segCpu, plan.tileCount(),
            flopsPerTile(spec), c.threads());
      }
    }
  }

  /**
   * Raw ONNX Runtime on the float32 model and its int8 export ({@code export --int8}),
   * alternately on the same batches, and how far the int8 probabilities are from the float ones
   * there; returns the float/int8 time ratio (above 1: int8 is faster).
   */
  private static double int8(VitArchitecture spec, byte[] f32, byte[] i8, Volume vol,
      int threads, int rounds) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    TilePlan plan = TilePlan.of(vol.width(), vol.height(), vol.depth(), spec.tileWidth(),
        spec.tileHeight(), 0, spec.inputDepth());
    float[][] inputs = batches(vol, plan, BATCH, 4);
    try (Raw a = new Raw(env, f32, threads, spec, inputs, plan.tileCount());
        Raw b = new Raw(env, i8, threads, spec, inputs, plan.tileCount())) {
      a.run();
      b.run();
      double diff = 0;
      FloatBuffer fa = a.out.getFloatBuffer();
      FloatBuffer fb = b.out.getFloatBuffer();
      while (fa.hasRemaining()) {
        diff = Math.max(diff, Math.abs(fa.get() - fb.get()));
      }
      double bestA = Double.POSITIVE_INFINITY;
      double bestB = Double.POSITIVE_INFINITY;
      for (int round = 0; round < rounds; round++) {
        long t0 = System.nanoTime();
        a.run();
        long t1 = System.nanoTime();
        b.run();
        long t2 = System.nanoTime();
        bestA = Math.min(bestA, (t1 - t0) / 1e9);
        bestB = Math.min(bestB, (t2 - t1) / 1e9);
      }
      System.out.printf(Locale.ROOT, "%nint8 export of the ViT-Tiny-sized model: raw %.2f s "
          + "against %.2f s float32 (%.3fx), %d against %d bytes, max |probability difference| "
          + "%.4f on one batch of %d tiles%n", bestB, bestA, bestA / bestB, i8.length, f32.length,
          diff, BATCH);
      return bestA / bestB;
    }
  }

  private static void report(Result r, Volume vol, Map<Integer, Double> peaks) {
    double flops = r.flopsPerTile() * r.tiles() / r.rawWall();
    double peak = peaks.getOrDefault(r.threads(), Double.NaN);
    System.out.printf(Locale.ROOT, "best: raw %.2f s (%.2f CPU s, %.0f voxels/s), segment() "
        + "%.2f s (%.2f CPU s, %.0f voxels/s)%n", r.rawWall(), r.rawCpu(),
        voxels(vol) / r.rawWall(), r.segWall(), r.segCpu(), voxels(vol) / r.segWall());
    System.out.printf(Locale.ROOT, "ratio segment/raw = %.3f (wall), %.3f (CPU); glue overhead "
        + "wall %+.2f %%, CPU %+.2f %%%n", r.segWall() / r.rawWall(), r.segCpu() / r.rawCpu(),
        r.wallOverheadPct(), r.cpuOverheadPct());
    System.out.printf(Locale.ROOT, "model: %.3f GFLOP per tile, %.1f GFLOP/s raw = %.2f of the "
        + "matmul peak (%.1f GFLOP/s at %d thread%s), %.1f GFLOP/s through segment()%n",
        r.flopsPerTile() / 1e9, flops / 1e9, flops / peak, peak / 1e9, r.threads(),
        r.threads() == 1 ? "" : "s", r.flopsPerTile() * r.tiles() / r.segWall() / 1e9);
  }

  /**
   * FLOP of one tile: the matrix products and convolutions of the architecture (2 per
   * multiply-add); normalisations, softmax and activations are left out. Per block with {@code S}
   * tokens of width {@code E}: {@code 24 S E^2 + 4 S^2 E}; the patch embedding {@code 2 T E D
   * p^2}; the linear head {@code 2 T E p^2} (the convolutional head is counted from its weights'
   * shapes at the resolutions they run at).
   */
  static double flopsPerTile(VitArchitecture a) {
    double e = a.embedDim();
    double t = a.tokens();
    double s = t + a.prefixTokens();
    double p2 = (double) a.patch() * a.patch();
    double f = 2 * t * e * a.inputDepth() * p2;
    f += a.layers() * (24 * s * e * e + 4 * s * s * e);
    if (a.head() == VitArchitecture.Head.LINEAR) {
      f += 2 * t * e * p2;
    } else {
      // each head weight [out, in, k, k] (transposed: [in, out, k, k]) runs once per output
      // pixel of its stage; the output pixels are read from the stage's upsampling
      double pixels = a.tileWidth() * (double) a.tileHeight();
      for (Map.Entry<String, int[]> w : a.weightShapes().entrySet()) {
        String k = w.getKey();
        int[] sh = w.getValue();
        if (!k.startsWith("head.") || !k.endsWith(".weight") || sh.length != 4) {
          continue;
        }
        double macsPerPixel = (double) sh[0] * sh[1] * sh[2] * sh[3];
        double outPixels = pixels / Math.pow(4, stagesBelowFull(a, k));
        boolean transposed = k.contains(".up") || k.contains(".proj");
        // a transposed convolution with kernel = stride: each input pixel makes k x k outputs
        f += 2 * macsPerPixel * (transposed ? outPixels / (sh[2] * sh[3]) : outPixels);
      }
    }
    return f;
  }

  /** How many 2x upsamplings the conv head's stage of weight {@code key} lies below full size. */
  private static int stagesBelowFull(VitArchitecture a, String key) {
    int stages = a.decoderStages();
    if (key.startsWith("head.proj")) {
      return stages;
    }
    for (int i = 1; i <= stages; i++) {
      if (key.startsWith("head.up" + i + ".") || key.startsWith("head.conv" + i + ".")) {
        return stages - i;
      }
    }
    return 0;
  }

  /** ONNX Runtime alone on prepared batches: one session, reused input and output tensors. */
  private static final class Raw implements AutoCloseable {
    private final OrtSession session;
    private final String output;
    private final OnnxTensor[] in;
    private final OnnxTensor inLast;
    private final OnnxTensor out;
    private final OnnxTensor outLast;
    private final long batches;

    Raw(OrtEnvironment env, byte[] model, int threads, VitArchitecture spec, float[][] inputs,
        long tiles) throws OrtException {
      try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        o.setIntraOpNumThreads(threads);
        o.setInterOpNumThreads(1);
        session = env.createSession(model, o);
      }
      output = session.getOutputNames().iterator().next();
      int last = (int) (tiles % BATCH == 0 ? BATCH : tiles % BATCH);
      batches = (tiles + BATCH - 1) / BATCH;
      in = new OnnxTensor[inputs.length];
      for (int i = 0; i < in.length; i++) {
        in[i] = input(env, inputs[i], BATCH, spec);
      }
      inLast = input(env, inputs[0], last, spec);
      out = output(env, BATCH, spec);
      outLast = output(env, last, spec);
    }

    void run() throws OrtException {
      for (long b = 0; b < batches; b++) {
        boolean lastOne = b == batches - 1;
        session.run(Map.of(ModelContract.INPUT, lastOne ? inLast : in[(int) (b % in.length)]),
            Set.of(), Map.of(output, lastOne ? outLast : out)).close();
      }
    }

    @Override
    public void close() throws OrtException {
      for (OnnxTensor t : in) {
        t.close();
      }
      inLast.close();
      out.close();
      outLast.close();
      session.close();
    }

    private static OnnxTensor input(OrtEnvironment env, float[] values, int n,
        VitArchitecture spec) throws OrtException {
      int per = spec.inputDepth() * spec.tileHeight() * spec.tileWidth();
      FloatBuffer b = direct(n * per);
      b.put(values, 0, n * per).flip();
      return OnnxTensor.createTensor(env, b, new long[] {n, 1, spec.inputDepth(),
          spec.tileHeight(), spec.tileWidth()});
    }

    private static OnnxTensor output(OrtEnvironment env, int n, VitArchitecture spec)
        throws OrtException {
      return OnnxTensor.createTensor(env, direct(n * spec.tileHeight() * spec.tileWidth()),
          new long[] {n, 1, spec.tileHeight(), spec.tileWidth()});
    }
  }

  private static FloatBuffer direct(int floats) {
    return ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder())
        .asFloatBuffer();
  }

  /** The first {@code count} batches of the plan, normalised and mirror-padded. */
  private static float[][] batches(Volume vol, TilePlan plan, int batch, int count) {
    Normalization.Range range = Normalization.percentile(0.5, 99.5).range(vol.image());
    RandomAccess<? extends RealType<?>> ra = vol.image().randomAccess();
    int d = plan.inputDepth();
    int th = plan.tileHeight();
    int tw = plan.tileWidth();
    float[][] out = new float[count][batch * d * th * tw];
    for (int b = 0; b < count; b++) {
      int i = 0;
      for (int t = 0; t < batch; t++) {
        TilePlan.Tile tile = plan.tile(((long) b * batch + t) % plan.tileCount());
        for (int k = 0; k < d; k++) {
          int z = plan.inputSlice(tile.z(), k);
          for (int y = 0; y < th; y++) {
            for (int x = 0; x < tw; x++) {
              ra.setPosition(new int[] {TilePlan.mirror(tile.x0() + x, plan.width()),
                  TilePlan.mirror(tile.y0() + y, plan.height()), z});
              out[b][i++] = (float) range.apply(ra.get().getRealDouble());
            }
          }
        }
      }
    }
    return out;
  }

  /** The glue alone: the same plan with a model that returns its input's centre slice. */
  private static void glueAlone(VitArchitecture spec, Volume vol, int threads, double rawWall) {
    try (Segmenter glue = NeuroSeg.segmenter().model(ModelSource.bytes("identity",
        identity(spec))).threads(threads).batchSize(BATCH).build()) {
      glue.segment(vol);
      double best = Double.POSITIVE_INFINITY;
      double bestCpu = Double.POSITIVE_INFINITY;
      for (int i = 0; i < 2; i++) {
        double c0 = cpuSeconds();
        long t1 = System.nanoTime();
        glue.segment(vol);
        best = Math.min(best, (System.nanoTime() - t1) / 1e9);
        bestCpu = Math.min(bestCpu, cpuSeconds() - c0);
      }
      System.out.printf(Locale.ROOT, "%nglue alone (identity model, the ViT-Tiny-sized plan): "
          + "%.3f s (%.3f CPU s) = %.1f %% of the raw ONNX Runtime time%n", best, bestCpu,
          100 * best / rawWall);
    }
  }

  /** {@code segment()} time over intra-op threads x workers; the default against the best. */
  private static void sweep(byte[] model, int cores) {
    Volume v = volume(256, 256, 16, 11);
    Set<Integer> ts = new LinkedHashSet<>();
    for (int t = 1; t <= cores; t *= 2) {
      ts.add(t);
    }
    ts.add(Math.max(1, cores - 1));
    ts.add(cores);
    List<Integer> ws = cores >= 8 ? List.of(1, 2, 4) : List.of(1, 2);
    int defT = SegmenterConfig.defaultThreads(cores);
    int defW = SegmenterConfig.defaultWorkers(cores);
    ts.add(defT);
    System.out.printf(Locale.ROOT, "%nthread sweep: segment() of 256x256x16 with the "
        + "ViT-Tiny-sized model, best of 2, seconds%n%-12s", "intra-op \\ w");
    for (int w : ws) {
      System.out.printf(Locale.ROOT, "%10d", w);
    }
    System.out.println();
    double best = Double.POSITIVE_INFINITY;
    String bestAt = "";
    double atDefault = Double.NaN;
    for (int t : new TreeSet<>(ts)) {
      System.out.printf(Locale.ROOT, "%-12d", t);
      for (int w : ws) {
        try (Segmenter seg = NeuroSeg.segmenter().model(ModelSource.bytes("sweep", model))
            .threads(t).workers(w).batchSize(BATCH).build()) {
          seg.segment(v);
          double s = Double.POSITIVE_INFINITY;
          for (int i = 0; i < 2; i++) {
            long t0 = System.nanoTime();
            seg.segment(v);
            s = Math.min(s, (System.nanoTime() - t0) / 1e9);
          }
          System.out.printf(Locale.ROOT, "%10.3f", s);
          if (s < best) {
            best = s;
            bestAt = t + " intra-op, " + w + " worker" + (w == 1 ? "" : "s");
          }
          if (t == defT && w == defW) {
            atDefault = s;
          }
        }
      }
      System.out.println();
    }
    System.out.printf(Locale.ROOT, "best: %s, %.3f s; default (%d intra-op, %d worker%s): "
        + "%.3f s = %.2f of the best's speed%n", bestAt, best, defT, defW, defW == 1 ? "" : "s",
        atDefault, best / atDefault);
  }

  /** FLOP/s of ONNX Runtime's MatMul of two 1024 x 1024 matrices, best of five. */
  private static double matmulPeak(OrtEnvironment env, int threads) throws OrtException {
    int n = 1024;
    OnnxGraph g = new OnnxGraph("matmul");
    g.input("a", new long[] {n, n});
    g.output("c", new long[] {n, n});
    float[] bv = new float[n * n];
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < bv.length; i++) {
      bv[i] = (float) r.nextGaussian();
    }
    g.nodeNamed("MatMul", "c", new String[] {"a", g.floats("b", new long[] {n, n}, bv)});
    byte[] model = g.toBytes(Map.of());
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      o.setIntraOpNumThreads(threads);
      o.setInterOpNumThreads(1);
      try (OrtSession s = env.createSession(model, o)) {
        FloatBuffer a = direct(n * n);
        for (int i = 0; i < n * n; i++) {
          a.put((float) r.nextGaussian());
        }
        a.flip();
        try (OnnxTensor in = OnnxTensor.createTensor(env, a, new long[] {n, n});
            OnnxTensor out = OnnxTensor.createTensor(env, direct(n * n), new long[] {n, n})) {
          double best = Double.POSITIVE_INFINITY;
          for (int i = 0; i < 6; i++) {
            long t0 = System.nanoTime();
            s.run(Map.of("a", in), Set.of(), Map.of("c", out)).close();
            double t = (System.nanoTime() - t0) / 1e9;
            if (i > 0) {
              best = Math.min(best, t);
            }
          }
          return 2.0 * n * n * n / best;
        }
      }
    }
  }

  /** A model that returns its input's centre slice: segment() with it costs only the glue. */
  private static byte[] identity(VitArchitecture spec) {
    OnnxGraph g = new OnnxGraph("identity");
    int d = spec.inputDepth();
    g.input(ModelContract.INPUT, new long[] {-1, 1, d, spec.tileHeight(), spec.tileWidth()}, "N");
    g.output(ModelContract.PROBABILITIES,
        new long[] {-1, 1, spec.tileHeight(), spec.tileWidth()}, "N");
    String c = g.node("Slice", new String[] {ModelContract.INPUT, g.longs(d / 2),
        g.longs(d / 2 + 1), g.longs(2)});
    g.nodeNamed("Squeeze", ModelContract.PROBABILITIES, new String[] {c, g.longs(2)});
    return g.toBytes(Map.of(ModelContract.FORMAT, ModelContract.FORMAT_VERSION,
        ModelContract.INPUT_DEPTH, Integer.toString(d),
        ModelContract.TILE_H, Integer.toString(spec.tileHeight()),
        ModelContract.TILE_W, Integer.toString(spec.tileWidth()),
        ModelContract.PATCH, Integer.toString(spec.patch()),
        ModelContract.OUTPUT_KIND, ModelContract.Output.PROBABILITIES.spec(),
        ModelContract.NORMALIZATION, "percentile:0.5,99.5", ModelContract.THRESHOLD, "0.5"));
  }

  private static double cpuSeconds() {
    java.lang.management.OperatingSystemMXBean os =
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun
        ? sun.getProcessCpuTime() / 1e9 : Double.NaN;
  }
}
