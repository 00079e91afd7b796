package io.github.neuroseg.spark;

import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.NeuroSegException;
import io.github.neuroseg.segmentation.SegmenterBuilder;
import io.github.neuroseg.segmentation.SegmenterConfig;
import io.github.neuroseg.tracing.TracerBuilder;
import io.github.neuroseg.volume.Normalization;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.chunked.ChunkedWriter;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The command line of the Spark jobs, for {@code spark-submit --class
 * io.github.neuroseg.spark.SparkMain} or {@code scripts/neuroseg-spark}:
 *
 * <pre>
 * generate --output vol.zarr [--size W,H,D] [--neurons N] [--seed S] [--chunk C]
 * segment  --input vol.zarr --mask mask.zarr [--probabilities p.zarr] [--level L]
 *          [--chunk X,Y,Z] [--block-chunks X,Y,Z] [segmenter options]
 * batch    --stacks DIR|GLOB|FILE [--stacks ...] --output DIR [segmenter options]
 *          [tracer options]
 * trace    --mask mask.zarr --output forest.swc [--intensities vol.zarr] [--level L]
 *          [--chunk X,Y,Z] [tracer options]
 *
 * segmenter options: --model M.onnx (default: the bundled model) --tile W,H --overlap N
 *   --batch N --threads N --threshold T --normalization SPEC
 * tracer options: --min-component N --prune-length L --bridge-gap G --trace-threshold T
 * every command:  --master URL (default: spark-submit's, else local[*])
 * </pre>
 *
 * <p>Each command ends with one line starting with its name in capitals and {@code key=value}
 * pairs. Exit codes: 0 success, 1 a neuroseg error ({@code error: ...}), 2 a usage error.
 */
public final class SparkMain {
  private static final Set<String> COMMANDS = Set.of("generate", "segment", "batch", "trace");

  private SparkMain() {}

  /** Runs a command and exits with its code. */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs a command, printing to {@code out} and {@code err}; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || !COMMANDS.contains(args[0])) {
      err.println("usage: SparkMain generate|segment|batch|trace --option value ... (see the "
          + "class documentation or README \"Spark\")");
      return 2;
    }
    Map<String, List<String>> o;
    try {
      o = options(args);
    } catch (IllegalArgumentException e) {
      err.println("usage error: " + e.getMessage());
      return 2;
    }
    try {
      switch (args[0]) {
        case "generate" -> generate(o, out);
        case "segment" -> withSpark(o, sc -> segment(o, sc, out));
        case "batch" -> withSpark(o, sc -> batch(o, sc, out));
        default -> withSpark(o, sc -> trace(o, sc, out));
      }
      return 0;
    } catch (UsageException e) {
      err.println("usage error: " + e.getMessage());
      return 2;
    } catch (NeuroSegException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
  }

  private static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  private interface Job {
    void run(JavaSparkContext sc);
  }

  private static void withSpark(Map<String, List<String>> o, Job job) {
    SparkConf conf = new SparkConf().setAppName("neuroseg");
    String master = one(o, "master", null);
    if (master != null) {
      conf.setMaster(master);
    } else if (!conf.contains("spark.master")) {
      conf.setMaster("local[*]");
    }
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      job.run(sc);
    }
  }

  private static void generate(Map<String, List<String>> o, PrintStream out) {
    long[] size = longs(o, "size", new long[] {256, 256, 64});
    int neurons = (int) number(o, "neurons", 4);
    long seed = (long) number(o, "seed", 1);
    int chunk = (int) number(o, "chunk", 64);
    Path path = Path.of(required(o, "output"));
    long start = System.nanoTime();
    Volume v = SyntheticVolume.of(size[0], size[1], size[2], neurons, seed);
    ChunkedWriter.newBuilder().chunkSize(chunk, chunk, chunk).build().write(v, path);
    out.printf(Locale.ROOT, "GENERATED path=%s width=%d height=%d depth=%d seconds=%.2f%n",
        path, size[0], size[1], size[2], (System.nanoTime() - start) / 1e9);
  }

  private static void segment(Map<String, List<String>> o, JavaSparkContext sc,
      PrintStream out) {
    BlockSegmentationJob.Builder b = BlockSegmentationJob.newBuilder()
        .input(Path.of(required(o, "input"))).mask(Path.of(required(o, "mask")))
        .level((int) number(o, "level", 0)).segmenter(segmenter(o));
    if (o.containsKey("probabilities")) {
      b.probabilities(Path.of(one(o, "probabilities", null)));
    }
    long[] c = longs(o, "chunk", new long[] {64, 64, 64});
    b.chunkSize((int) c[0], (int) c[1], (int) c[2]);
    long[] bc = longs(o, "block-chunks", new long[] {8, 8, 1});
    b.blockChunks((int) bc[0], (int) bc[1], (int) bc[2]);
    BlockSegmentationJob.Result r = b.build().run(sc);
    out.printf(Locale.ROOT, "SEGMENTED voxels=%d blocks=%d foreground=%d seconds=%.2f "
        + "voxels_per_s=%.0f%n", r.voxels(), r.blocks(), r.foregroundVoxels(), r.seconds(),
        r.voxels() / r.seconds());
  }

  private static void batch(Map<String, List<String>> o, JavaSparkContext sc, PrintStream out) {
    BatchJob.Builder b = BatchJob.newBuilder().output(Path.of(required(o, "output")))
        .segmenter(segmenter(o)).tracer(tracer(o).config());
    List<String> stacks = o.get("stacks");
    if (stacks == null) {
      throw new UsageException("--stacks is required (a folder, a glob or a file)");
    }
    stacks.forEach(b::stacks);
    BatchJob.Result r = b.build().run(sc);
    out.printf(Locale.ROOT, "BATCH stacks=%d ok=%d failed=%d table=%s%n", r.results().size(),
        r.results().size() - r.failures().size(), r.failures().size(), r.table());
  }

  private static void trace(Map<String, List<String>> o, JavaSparkContext sc, PrintStream out) {
    ComponentTracingJob.Builder b = ComponentTracingJob.newBuilder()
        .mask(Path.of(required(o, "mask"))).output(Path.of(required(o, "output")))
        .level((int) number(o, "level", 0)).tracer(tracer(o).config());
    if (o.containsKey("intensities")) {
      b.intensities(Path.of(one(o, "intensities", null)));
    }
    long[] c = longs(o, "chunk", new long[] {64, 64, 64});
    b.chunkSize((int) c[0], (int) c[1], (int) c[2]);
    ComponentTracingJob.Result r = b.build().run(sc);
    out.printf(Locale.ROOT, "TRACED components=%d groups=%d trees=%d nodes=%d length=%.1f "
        + "seconds=%.2f%n", r.components(), r.groups(), r.forest().roots().size(),
        r.forest().size(), r.forest().pathLength(), r.seconds());
  }

  private static SegmenterConfig segmenter(Map<String, List<String>> o) {
    SegmenterBuilder b = NeuroSeg.segmenter();
    String model = one(o, "model", null);
    b.model(model == null ? NeuroSeg.bundledModel()
        : io.github.neuroseg.segmentation.ModelSource.file(Path.of(model)));
    if (o.containsKey("tile")) {
      long[] t = longs(o, "tile", null);
      b.tile((int) t[0], (int) t[1]);
    }
    if (o.containsKey("overlap")) {
      b.overlap((int) number(o, "overlap", 0));
    }
    if (o.containsKey("batch")) {
      b.batchSize((int) number(o, "batch", 1));
    }
    if (o.containsKey("threads")) {
      b.threads((int) number(o, "threads", 0));
    }
    if (o.containsKey("threshold")) {
      b.threshold(number(o, "threshold", 0.5));
    }
    if (o.containsKey("normalization")) {
      b.normalization(Normalization.parse(one(o, "normalization", null)));
    }
    return b.config();
  }

  private static TracerBuilder tracer(Map<String, List<String>> o) {
    TracerBuilder b = NeuroSeg.tracer();
    if (o.containsKey("min-component")) {
      b.minComponentSize((int) number(o, "min-component", 1));
    }
    if (o.containsKey("prune-length")) {
      b.pruneLength(number(o, "prune-length", 0));
    }
    if (o.containsKey("bridge-gap")) {
      b.bridgeGap(number(o, "bridge-gap", 0));
    }
    if (o.containsKey("trace-threshold")) {
      b.threshold(number(o, "trace-threshold", 0.5));
    }
    return b;
  }

  /** {@code --key value} pairs; a key may repeat. */
  private static Map<String, List<String>> options(String[] args) {
    Map<String, List<String>> m = new HashMap<>();
    for (int i = 1; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --option value pairs, got '" + args[i]
            + "'" + (i + 1 >= args.length ? " without a value" : ""));
      }
      m.computeIfAbsent(args[i].substring(2), k -> new ArrayList<>()).add(args[i + 1]);
    }
    return m;
  }

  private static String required(Map<String, List<String>> o, String key) {
    String v = one(o, key, null);
    if (v == null) {
      throw new UsageException("--" + key + " is required");
    }
    return v;
  }

  private static String one(Map<String, List<String>> o, String key, String fallback) {
    List<String> v = o.get(key);
    return v == null ? fallback : v.get(v.size() - 1);
  }

  private static double number(Map<String, List<String>> o, String key, double fallback) {
    String v = one(o, key, null);
    if (v == null) {
      return fallback;
    }
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new UsageException("--" + key + " needs a number, got '" + v + "'");
    }
  }

  private static long[] longs(Map<String, List<String>> o, String key, long[] fallback) {
    String v = one(o, key, null);
    if (v == null) {
      return fallback;
    }
    String[] parts = v.split("[,x]");
    if (parts.length != 3 && !(key.equals("tile") && parts.length == 2)) {
      throw new UsageException("--" + key + " needs " + (key.equals("tile") ? "W,H" : "X,Y,Z")
          + ", got '" + v + "'");
    }
    long[] out = new long[parts.length];
    try {
      for (int i = 0; i < parts.length; i++) {
        out[i] = Long.parseLong(parts[i].strip());
      }
    } catch (NumberFormatException e) {
      throw new UsageException("--" + key + " needs whole numbers, got '" + v + "'");
    }
    return out;
  }
}
