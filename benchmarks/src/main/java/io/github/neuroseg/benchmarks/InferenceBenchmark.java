package io.github.neuroseg.benchmarks;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.model.ModelContract;
import io.github.neuroseg.model.VitOnnxWriter;
import io.github.neuroseg.model.VitWeights;
import io.github.neuroseg.model.internal.OnnxGraph;
import io.github.neuroseg.model.internal.TilePlan;
import io.github.neuroseg.training.VitArchitecture;
import io.github.neuroseg.segmentation.ModelSource;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.segmentation.SegmenterConfig;
import io.github.neuroseg.volume.Normalization;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.VoxelSize;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import net.imglib2.RandomAccess;
import net.imglib2.type.numeric.RealType;

/**
 * Throughput of {@code segment()} against raw ONNX Runtime on the same batches.
 *
 * <p>Model: a ViT-Tiny-sized 3D ViT written by {@link VitOnnxWriter} with random weights (E =
 * 192, 4 blocks, 3 heads, patch 16, input depth 5, tile 96 x 96). Volume: 512 x 512 x 64 random
 * 16-bit-like intensities. Settings: default overlap (a quarter tile, 24), Gaussian blending,
 * batch size 8, ONNX Runtime intra-op threads = the number of processors unless given.
 *
 * <p>Raw: the same number of batches of the same shape run through one {@code OrtSession} with
 * the same options, on prepared inputs (the plan's first batches, normalised, cycled), without
 * reading, normalising, tiling or stitching. A third measurement runs {@code segment()} with a
 * model that returns its input's centre slice: the cost of the glue alone.
 *
 * <p>The two are measured alternately {@code rounds} times and the best time of each is kept,
 * which makes the ratio robust against other load on the machine.
 *
 * <p>Arguments: {@code [threads] [slices] [rounds]} (defaults: available processors, 64, 3).
 */
public final class InferenceBenchmark {
  private InferenceBenchmark() {}

  /** Runs the benchmark and prints the {@code BENCH inference ...} line last. */
  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0])
        : Runtime.getRuntime().availableProcessors();
    int depth = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int width = 512;
    int height = 512;
    int batch = 8;
    VitArchitecture spec = new VitArchitecture(192, 4, 3, 16, 5, 96, 96);
    byte[] model = VitOnnxWriter.write(spec, VitWeights.random(spec, 1, 0.02),
        Map.of(ModelContract.NORMALIZATION, "percentile:0.5,99.5",
            ModelContract.THRESHOLD, "0.5", ModelContract.PRETRAINED, "random (benchmark)"));
    System.out.printf(Locale.ROOT, "model: %s, %.1f MB%n", spec, model.length / 1e6);

    float[] voxels = new float[width * height * depth];
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < voxels.length; i++) {
      voxels[i] = (float) Math.floor(200 + 50 * r.nextGaussian());
    }
    Volume vol = Volume.ofFloats(voxels, width, height, depth, VoxelSize.UNIT);
    long nvox = (long) width * height * depth;

    try (Segmenter seg = NeuroSeg.segmenter().model(ModelSource.bytes("bench-vit", model))
        .threads(threads).batchSize(batch).build()) {
      SegmenterConfig c = seg.config();
      TilePlan plan = TilePlan.of(width, height, depth, c.tileWidth(), c.tileHeight(),
          c.overlap(), spec.inputDepth());
      long batches = (plan.tileCount() + batch - 1) / batch;
      System.out.printf(Locale.ROOT, "volume %dx%dx%d, %s, %d tiles in %d batches of %d, "
          + "%d ORT threads, %d cores%n", width, height, depth, c, plan.tileCount(), batches,
          batch, threads, Runtime.getRuntime().availableProcessors());

      // warm-up on a small volume (JIT, ORT allocations)
      seg.segment(Volume.ofFloats(java.util.Arrays.copyOf(voxels, width * height * 5), width,
          height, 5, VoxelSize.UNIT));

      // alternate the two measurements and keep the best of each, so that load from other
      // processes on a shared machine disturbs the ratio as little as possible
      double rawSeconds = Double.POSITIVE_INFINITY;
      double segSeconds = Double.POSITIVE_INFINITY;
      double rawCpu = Double.POSITIVE_INFINITY;
      double segCpu = Double.POSITIVE_INFINITY;
      float[][] inputs = batches(vol, plan, batch, 4);
      for (int round = 1; round <= rounds; round++) {
        double c0 = cpuSeconds();
        double raw = raw(model, threads, spec, inputs, plan.tileCount(), batch);
        double c1 = cpuSeconds();
        long t0 = System.nanoTime();
        seg.segment(vol);
        double sg = (System.nanoTime() - t0) / 1e9;
        double c2 = cpuSeconds();
        System.out.printf(Locale.ROOT, "round %d: raw ONNX Runtime %.2f s (%.0f voxels/s, "
            + "%.1f CPU s), segment() %.2f s (%.0f voxels/s, %.1f CPU s)%n", round, raw,
            nvox / raw, c1 - c0, sg, nvox / sg, c2 - c1);
        rawCpu = Math.min(rawCpu, c1 - c0);
        segCpu = Math.min(segCpu, c2 - c1);
        rawSeconds = Math.min(rawSeconds, raw);
        segSeconds = Math.min(segSeconds, sg);
      }
      double rawRate = nvox / rawSeconds;
      double segRate = nvox / segSeconds;
      System.out.printf(Locale.ROOT, "best: raw ONNX Runtime %.2f s, %.0f voxels/s; segment() "
          + "%.2f s, %.0f voxels/s%n", rawSeconds, rawRate, segSeconds, segRate);
      double overhead = (rawRate / segRate - 1) * 100;
      // CPU time is less disturbed by other load than wall time (raw includes session creation)
      System.out.printf(Locale.ROOT, "best CPU time: raw %.1f s, segment() %.1f s: %+.1f%%%n",
          rawCpu, segCpu, 100 * (segCpu / rawCpu - 1));
      // the glue alone: the same plan with a model that costs (almost) nothing
      try (Segmenter glue = NeuroSeg.segmenter().model(ModelSource.bytes("identity",
          identity(spec))).threads(threads).batchSize(batch).build()) {
        glue.segment(vol);
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < 2; i++) {
          long t1 = System.nanoTime();
          glue.segment(vol);
          best = Math.min(best, (System.nanoTime() - t1) / 1e9);
        }
        System.out.printf(Locale.ROOT, "glue alone (identity model, same plan): %.2f s = %.1f%% "
            + "of the raw ONNX Runtime time%n", best, 100 * best / rawSeconds);
      }
      System.out.printf(Locale.ROOT, "ratio segment/raw = %.3f%n", segRate / rawRate);
      System.out.printf(Locale.ROOT,
          "BENCH inference segment_vox_s=%.0f raw_vox_s=%.0f overhead_pct=%.2f threads=%d%n",
          segRate, rawRate, overhead, threads);
    }
  }

  /**
   * Runs {@code tiles} tiles in batches through a fresh session with the segmenter's options. The
   * inputs are the plan's first batches, normalised as segment() does, cycled.
   */
  private static double raw(byte[] model, int threads, VitArchitecture spec, float[][] inputs,
      long tiles, int batch) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      o.setIntraOpNumThreads(threads);
      o.setInterOpNumThreads(1);
      try (OrtSession s = env.createSession(model, o)) {
        int last = (int) (tiles % batch == 0 ? batch : tiles % batch);
        long batches = (tiles + batch - 1) / batch;
        OnnxTensor[] in = new OnnxTensor[inputs.length];
        try (OnnxTensor inLast = tensor(env, inputs[0], last, spec)) {
          for (int i = 0; i < in.length; i++) {
            in[i] = tensor(env, inputs[i], batch, spec);
          }
          s.run(Map.of(ModelContract.INPUT, in[0])).close(); // warm-up
          long t0 = System.nanoTime();
          for (long b = 0; b < batches; b++) {
            try (OrtSession.Result res = s.run(Map.of(ModelContract.INPUT,
                b == batches - 1 ? inLast : in[(int) (b % in.length)]))) {
              // outputs are copied out as segment() does
              ((OnnxTensor) res.get(0)).getFloatBuffer();
            }
          }
          return (System.nanoTime() - t0) / 1e9;
        } finally {
          for (OnnxTensor t : in) {
            if (t != null) {
              t.close();
            }
          }
        }
      }
    }
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

  /** A model that returns its input's centre slice: segment() with it costs only the glue. */
  private static byte[] identity(VitArchitecture spec) {
    OnnxGraph g = new OnnxGraph("identity");
    int d = spec.inputDepth();
    g.input(ModelContract.INPUT, new long[] {-1, 1, d, spec.tileHeight(), spec.tileWidth()}, "N");
    g.output(ModelContract.OUTPUT, new long[] {-1, 1, spec.tileHeight(), spec.tileWidth()}, "N");
    String c = g.node("Slice", new String[] {ModelContract.INPUT, g.longs(d / 2),
        g.longs(d / 2 + 1), g.longs(2)});
    g.nodeNamed("Squeeze", ModelContract.OUTPUT, new String[] {c, g.longs(2)});
    return g.toBytes(Map.of(ModelContract.FORMAT, ModelContract.FORMAT_VERSION,
        ModelContract.INPUT_DEPTH, Integer.toString(d),
        ModelContract.TILE_H, Integer.toString(spec.tileHeight()),
        ModelContract.TILE_W, Integer.toString(spec.tileWidth()),
        ModelContract.PATCH, Integer.toString(spec.patch()),
        ModelContract.NORMALIZATION, "percentile:0.5,99.5", ModelContract.THRESHOLD, "0.5"));
  }

  private static double cpuSeconds() {
    java.lang.management.OperatingSystemMXBean os =
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun
        ? sun.getProcessCpuTime() / 1e9 : Double.NaN;
  }

  private static OnnxTensor tensor(OrtEnvironment env, float[] values, int n, VitArchitecture spec)
      throws Exception {
    int per = spec.inputDepth() * spec.tileHeight() * spec.tileWidth();
    FloatBuffer b = ByteBuffer.allocateDirect(n * per * Float.BYTES)
        .order(ByteOrder.nativeOrder()).asFloatBuffer();
    b.put(values, 0, n * per).flip();
    return OnnxTensor.createTensor(env, b, new long[] {n, 1, spec.inputDepth(),
        spec.tileHeight(), spec.tileWidth()});
  }
}
