package io.github.neuroseg.spark;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.NeuroSegIOException;
import io.github.neuroseg.files.AtomicWrite;
import io.github.neuroseg.pipeline.Pipeline;
import io.github.neuroseg.pipeline.Reconstruction;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.segmentation.SegmenterConfig;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.trace.App2Tracer;
import io.github.neuroseg.tracing.TracerConfig;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.Volumes;
import io.github.neuroseg.volume.chunked.ChunkedReader;
import java.io.IOException;
import java.io.Serializable;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.jspecify.annotations.Nullable;

/**
 * Segments and traces many stacks with Spark, one task per stack: each stack is read ({@link
 * Volumes#read}: TIFF, {@code .v3draw}, OME-Zarr, N5), segmented and traced as {@link
 * Pipeline#run} does (what {@code neuroseg run} does), and its tree written as {@code
 * NAME.swc} into the output folder. A table of per-stack results, {@code results.csv}, is
 * written there too: one row per stack, in the order given, with its size, foreground voxels,
 * trees, nodes, cable length, seconds and, for a stack that failed, the error. A stack that
 * fails (unreadable, damaged, too large) is reported in its row and does not stop the others.
 *
 * <p>Each executor opens one segmenter per model (one ONNX Runtime session), shared by its
 * tasks; the model's bytes are broadcast once. Paths must be visible to every executor.
 */
public final class BatchJob {
  /** The table's file name in the output folder. */
  public static final String RESULTS = "results.csv";

  private final List<Path> stacks;
  private final Path output;
  private final SegmenterConfig segmenter;
  private final TracerConfig tracer;

  private BatchJob(Builder b) {
    if (b.stacks.isEmpty() || b.output == null || b.segmenter == null) {
      throw new InvalidInputException("a batch needs at least one stack, an output folder and a "
          + "segmenter configuration; got " + b.stacks.size() + " stacks, output " + b.output
          + ", segmenter " + b.segmenter);
    }
    this.stacks = List.copyOf(b.stacks);
    this.output = b.output;
    this.segmenter = b.segmenter;
    this.tracer = b.tracer;
  }

  /** A builder; stacks, output and segmenter are required. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /**
   * The stacks a folder, a glob or a file name stands for, sorted by path.
   *
   * <ul>
   *   <li>a folder: its TIFF ({@code .tif}, {@code .tiff}) and {@code .v3draw} files and its
   *       chunked stores (OME-Zarr, N5), not descending further;
   *   <li>a glob such as {@code /data/stacks/*.tif} or {@code /data/**}{@code /*.v3draw}: the
   *       files matching it (the part before the first wildcard is the folder searched);
   *   <li>anything else: that path.
   * </ul>
   *
   * @throws NeuroSegIOException when a folder cannot be listed
   */
  public static List<Path> expand(String pattern) {
    int wild = indexOfWildcard(pattern);
    Path p = Path.of(pattern);
    try {
      if (wild < 0) {
        if (!Files.isDirectory(p) || ChunkedReader.isChunkedStore(p)) {
          return List.of(p);
        }
        try (Stream<Path> s = Files.list(p)) {
          return s.filter(BatchJob::isStack).sorted().toList();
        }
      }
      int slash = pattern.lastIndexOf('/', wild);
      Path base = Path.of(slash < 0 ? "." : slash == 0 ? "/" : pattern.substring(0, slash));
      PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
      PathMatcher rel = FileSystems.getDefault().getPathMatcher("glob:"
          + (slash < 0 ? pattern : pattern.substring(slash + 1)));
      try (Stream<Path> s = Files.walk(base)) {
        return s.filter(q -> !q.equals(base))
            .filter(q -> m.matches(q) || rel.matches(base.relativize(q)))
            .sorted().toList();
      }
    } catch (IOException e) {
      throw new NeuroSegIOException("cannot list the stacks of " + pattern + ": "
          + e.getMessage(), e);
    }
  }

  private static int indexOfWildcard(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '*' || c == '?' || c == '[' || c == '{') {
        return i;
      }
    }
    return -1;
  }

  private static boolean isStack(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    if (Files.isDirectory(p)) {
      return ChunkedReader.isChunkedStore(p);
    }
    return n.endsWith(".tif") || n.endsWith(".tiff") || n.endsWith(".v3draw");
  }

  /**
   * One stack's row of the table.
   *
   * @param stack the stack's path as given
   * @param swc the tree's file, or {@code null} when the stack failed
   * @param error what went wrong, or {@code null} when it succeeded
   * @param dimensions the stack's size (x, y, z), or {@code null} when it could not be read
   * @param foregroundVoxels voxels of the (post-processed) mask
   * @param trees trees traced
   * @param nodes nodes of all trees
   * @param length cable length in the voxel size's units
   * @param seconds time the task spent on the stack
   */
  public record StackResult(String stack, @Nullable String swc, @Nullable String error,
      long @Nullable [] dimensions, long foregroundVoxels, int trees, int nodes, double length,
      double seconds) implements Serializable {
    /** Whether the stack was segmented and traced. */
    public boolean ok() {
      return error == null;
    }
  }

  /**
   * What a run did: every stack's row, in the order given, and where the table is.
   *
   * @param results one row per stack
   * @param table the CSV file
   */
  public record Result(List<StackResult> results, Path table) {
    /** The rows of the stacks that failed. */
    public List<StackResult> failures() {
      return results.stream().filter(r -> !r.ok()).toList();
    }
  }

  /** A stack and the name of its tree file. */
  record Task(String stack, String swc) implements Serializable {}

  /**
   * Runs the job; a stack that fails is reported in its row.
   *
   * @throws NeuroSegIOException when the output folder or the table cannot be written
   * @throws io.github.neuroseg.ModelException when the model cannot be loaded on the driver
   */
  public Result run(JavaSparkContext sc) {
    try {
      Files.createDirectories(output);
    } catch (IOException e) {
      throw new NeuroSegIOException("cannot create the output folder " + output + ": "
          + e.getMessage(), e);
    }
    byte[] model = Specs.modelBytes(segmenter);
    Specs.SegmenterSpec spec = Specs.SegmenterSpec.of(segmenter, model);
    // a model that cannot be loaded fails every stack: say so once, before any task runs
    ExecutorCache.segmenter(spec, () -> model);
    Specs.TracerSpec tracing = Specs.TracerSpec.of(tracer);
    List<Task> tasks = new ArrayList<>();
    Map<String, Integer> used = new HashMap<>();
    for (Path s : stacks) {
      String name = baseName(s);
      int k = used.merge(name, 1, Integer::sum);
      String file = (k == 1 ? name : name + "-" + k) + ".swc";
      tasks.add(new Task(s.toString(), output.resolve(file).toAbsolutePath().toString()));
    }
    Broadcast<byte[]> modelBytes = sc.broadcast(model);
    List<StackResult> results = sc.parallelize(tasks, tasks.size())
        .map(t -> runOne(t, ExecutorCache.segmenter(spec, modelBytes::value), tracing))
        .collect();
    Path table = output.resolve(RESULTS);
    AtomicWrite.write(table, temp -> {
      try (Writer w = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
        w.write("stack,status,width,height,depth,foreground_voxels,trees,nodes,length,seconds,"
            + "swc,error\n");
        for (StackResult r : results) {
          long[] d = r.dimensions();
          w.write(String.join(",", csv(r.stack()), r.ok() ? "ok" : "failed",
              d == null ? "" : Long.toString(d[0]), d == null ? "" : Long.toString(d[1]),
              d == null ? "" : Long.toString(d[2]), Long.toString(r.foregroundVoxels()),
              Integer.toString(r.trees()), Integer.toString(r.nodes()),
              String.format(Locale.ROOT, "%.3f", r.length()),
              String.format(Locale.ROOT, "%.3f", r.seconds()),
              r.swc() == null ? "" : csv(r.swc()), r.error() == null ? "" : csv(r.error())));
          w.write('\n');
        }
      }
    });
    return new Result(List.copyOf(results), table);
  }

  private static StackResult runOne(Task t, Segmenter seg, Specs.TracerSpec tracing) {
    long start = System.nanoTime();
    long[] dims = null;
    try {
      Volume v = Volumes.read(Path.of(t.stack()));
      dims = v.dimensions();
      Reconstruction r = Pipeline.of(seg, new App2Tracer(tracing.config())).run(v);
      NeuronTree tree = r.tree();
      Swc.write(tree, Path.of(t.swc()));
      long fg = 0;
      for (RealType<?> m : Views.iterable(r.mask())) {
        if (m.getRealDouble() != 0) {
          fg++;
        }
      }
      return new StackResult(t.stack(), t.swc(), null, dims, fg, tree.roots().size(),
          tree.size(), tree.pathLength(), (System.nanoTime() - start) / 1e9);
    } catch (RuntimeException | OutOfMemoryError e) {
      // one stack's failure is its row, not the job's end
      String why = e.getClass().getSimpleName() + ": " + e.getMessage();
      return new StackResult(t.stack(), null, why, dims, 0, 0, 0, 0,
          (System.nanoTime() - start) / 1e9);
    }
  }

  private static String baseName(Path p) {
    Path f = p.toAbsolutePath().normalize().getFileName();
    String n = f == null ? "stack" : f.toString();
    String lower = n.toLowerCase(Locale.ROOT);
    for (String suffix : new String[] {".ome.zarr", ".zarr", ".n5", ".ome.tiff", ".ome.tif",
        ".tiff", ".tif", ".v3draw"}) {
      if (lower.endsWith(suffix) && n.length() > suffix.length()) {
        return n.substring(0, n.length() - suffix.length());
      }
    }
    return n;
  }

  /** A CSV field: quoted when it holds a comma, a quote or a line break. */
  private static String csv(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0
        && s.indexOf('\r') < 0) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }

  /** Settings of a {@link BatchJob}. */
  public static final class Builder {
    private final List<Path> stacks = new ArrayList<>();
    private @Nullable Path output;
    private @Nullable SegmenterConfig segmenter;
    private TracerConfig tracer = new io.github.neuroseg.tracing.TracerBuilder().config();

    private Builder() {}

    /** Adds stacks. */
    public Builder stacks(List<Path> paths) {
      stacks.addAll(paths);
      return this;
    }

    /** Adds the stacks of a folder, a glob or a path (see {@link BatchJob#expand}). */
    public Builder stacks(String pattern) {
      stacks.addAll(expand(pattern));
      return this;
    }

    /** The folder the SWC files and the table go into (created when missing). */
    public Builder output(Path folder) {
      this.output = folder;
      return this;
    }

    /** The segmenter settings and model, e.g. {@code NeuroSeg.segmenter().config()}. */
    public Builder segmenter(SegmenterConfig config) {
      this.segmenter = config;
      return this;
    }

    /** The tracer settings, without seeds (default: the tracer's defaults). */
    public Builder tracer(TracerConfig config) {
      Specs.TracerSpec.of(config);
      this.tracer = config;
      return this;
    }

    /**
     * The job.
     *
     * @throws InvalidInputException when no stacks, no output or no segmenter were given
     */
    public BatchJob build() {
      return new BatchJob(this);
    }
  }
}
