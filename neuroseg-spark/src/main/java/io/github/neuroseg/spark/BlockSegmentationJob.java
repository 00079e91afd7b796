package io.github.neuroseg.spark;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.internal.Checks;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.segmentation.SegmenterConfig;
import io.github.neuroseg.volume.Normalization;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.VoxelPasses;
import io.github.neuroseg.volume.chunked.ChunkedReader;
import io.github.neuroseg.volume.chunked.ChunkedWriter;
import io.github.neuroseg.volume.chunked.Codec;
import io.github.neuroseg.volume.chunked.StagedStore;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.converter.Converters;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.jspecify.annotations.Nullable;

/**
 * Segments a chunked volume (OME-Zarr or N5) with Spark, block by block, into a chunked mask
 * (uint8, 1 for foreground) and optionally the probabilities (float32), with exactly the
 * values {@link Segmenter#segment} gives the whole volume on one machine, bit for bit.
 *
 * <p>The output is cut into blocks of whole output chunks; each block is one task. A task reads
 * its block and the margin its tiles need from the input store, runs the model on the tiles of
 * the whole volume's tile plan that touch the block ({@link Segmenter#segmentBox}) and writes the
 * block's chunks. The model's bytes are broadcast once and each executor opens one segmenter
 * (one ONNX Runtime session) that its tasks share. The normalisation range is the whole
 * volume's, computed once before the blocks by passes over the input that the executors run in
 * parallel and the driver merges ({@link Normalization#range(VoxelPasses)}; for a {@code
 * percentile} normalisation two passes over 8- and 16-bit data, a few more for floats; a {@code
 * fixed} one reads nothing).
 *
 * <p>The input and output paths must be visible to every executor under the same name (a shared
 * file system; on {@code local[N]} any local path). The outputs are written into hidden
 * temporary directories and moved into place when every block is written; a failed job leaves
 * no output and any old stores as they were.
 */
public final class BlockSegmentationJob {
  private final Path input;
  private final int level;
  private final Path mask;
  private final @Nullable Path probabilities;
  private final SegmenterConfig segmenter;
  private final int[] chunk;
  private final int[] blockChunks;
  private final @Nullable Codec codec;

  private BlockSegmentationJob(Builder b) {
    if (b.input == null || b.mask == null || b.segmenter == null) {
      throw new InvalidInputException("a block segmentation needs an input, a mask output and "
          + "a segmenter configuration; got input " + b.input + ", mask " + b.mask
          + ", segmenter " + b.segmenter);
    }
    this.input = b.input;
    this.level = b.level;
    this.mask = b.mask;
    this.probabilities = b.probabilities;
    this.segmenter = b.segmenter;
    this.chunk = b.chunk.clone();
    this.blockChunks = b.blockChunks.clone();
    this.codec = b.codec;
  }

  /** A builder; input, mask and segmenter are required. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /**
   * What a run did.
   *
   * @param dimensions the volume's size (x, y, z)
   * @param blocks the number of blocks (tasks)
   * @param foregroundVoxels voxels in the mask
   * @param range the normalisation range used for every block
   * @param seconds wall-clock time of the whole job, the range included
   */
  public record Result(long[] dimensions, int blocks, long foregroundVoxels,
      Normalization.Range range, double seconds) {
    /** Voxels of the volume. */
    public long voxels() {
      return dimensions[0] * dimensions[1] * dimensions[2];
    }
  }

  /** One block: its chunks' grid positions, first and last (inclusive). */
  record Block(long[] firstChunk, long[] lastChunk) implements Serializable {}

  /**
   * Runs the job.
   *
   * @throws io.github.neuroseg.NeuroSegException as the segmenter, the reader or the writer
   *     throws it (from the task that failed); no output is left then
   */
  public Result run(JavaSparkContext sc) {
    long start = System.nanoTime();
    String job = UUID.randomUUID().toString();
    String inputPath = input.toAbsolutePath().normalize().toString();
    Volume volume = ChunkedReader.newBuilder().level(level).build().read(input);
    long[] dims = volume.dimensions();
    byte[] model = Specs.modelBytes(segmenter);
    Specs.SegmenterSpec spec = Specs.SegmenterSpec.of(segmenter, model);
    Normalization.Range range;
    double threshold;
    Segmenter driverSide = ExecutorCache.segmenter(spec, () -> model);
    // the model's defaults resolved; the range of the whole volume, once for all blocks, from
    // passes that the executors run over the input's blocks
    List<long[][]> boxes = boxes(dims);
    int lv0 = level;
    range = driverSide.config().normalization().range(new VoxelPasses() {
      @Override
      public <A extends Serializable> A run(VoxelPasses.Accumulation<A> acc) {
        return pass(sc, boxes, job, inputPath, lv0, acc);
      }
    });
    threshold = driverSide.config().threshold();
    ChunkedWriter.Builder wb = ChunkedWriter.newBuilder().chunkSize(chunk[0], chunk[1], chunk[2]);
    if (codec != null) {
      wb.codec(codec);
    }
    ChunkedWriter writer = wb.build();
    String name = volume.name() != null ? volume.name() : "volume";
    StagedStore maskStore = writer.stage(mask, dims, new UnsignedByteType(), volume.voxelSize(),
        name + " mask");
    StagedStore probStore = null;
    try {
      if (probabilities != null) {
        probStore = writer.stage(probabilities, dims, new FloatType(), volume.voxelSize(),
            name + " probabilities");
      }
      List<Block> blocks = blocks(maskStore.grid());
      Broadcast<byte[]> modelBytes = sc.broadcast(model);
      StagedStore probs = probStore;
      float t = (float) threshold;
      int lv = level;
      // the api's records are not serializable: the range travels as two numbers
      double lo = range.lo();
      double hi = range.hi();
      long foreground = sc.parallelize(blocks, blocks.size()).map(b -> {
        Volume vol = ExecutorCache.chunked(job, inputPath, lv);
        Segmenter seg = ExecutorCache.segmenter(spec, modelBytes::value);
        return segmentBlock(b, vol, seg, new Normalization.Range(lo, hi), t, maskStore, probs);
      }).reduce(Long::sum);
      maskStore.commit();
      if (probStore != null) {
        probStore.commit();
      }
      return new Result(dims, blocks.size(), foreground, range,
          (System.nanoTime() - start) / 1e9);
    } catch (RuntimeException e) {
      maskStore.abort();
      if (probStore != null) {
        probStore.abort();
      }
      throw SparkErrors.unwrap(e);
    }
  }

  /** One pass of the normalisation: a task per box, the results merged in a tree. */
  private static <A extends Serializable> A pass(JavaSparkContext sc, List<long[][]> boxes,
      String job, String inputPath, int level, VoxelPasses.Accumulation<A> acc) {
    return sc.parallelize(boxes, boxes.size()).map(box -> {
      A a = acc.zero();
      Volume vol = ExecutorCache.chunked(job, inputPath, level);
      for (RealType<?> t : Views.flatIterable(Views.interval(vol.image(), box[0], box[1]))) {
        a = acc.add(a, t.getRealDouble());
      }
      return a;
    }).treeReduce(acc::merge);
  }

  /** Boxes of about a block each over the input, for the normalisation passes. */
  private List<long[][]> boxes(long[] dims) {
    List<long[][]> out = new ArrayList<>();
    long[] step = new long[3];
    for (int d = 0; d < 3; d++) {
      step[d] = Math.min(dims[d], (long) chunk[d] * blockChunks[d]);
    }
    for (long z = 0; z < dims[2]; z += step[2]) {
      for (long y = 0; y < dims[1]; y += step[1]) {
        for (long x = 0; x < dims[0]; x += step[0]) {
          out.add(new long[][] {{x, y, z}, {Math.min(dims[0], x + step[0]) - 1,
              Math.min(dims[1], y + step[1]) - 1, Math.min(dims[2], z + step[2]) - 1}});
        }
      }
    }
    return out;
  }

  private List<Block> blocks(long[] grid) {
    List<Block> out = new ArrayList<>();
    for (long z = 0; z < grid[2]; z += blockChunks[2]) {
      for (long y = 0; y < grid[1]; y += blockChunks[1]) {
        for (long x = 0; x < grid[0]; x += blockChunks[0]) {
          out.add(new Block(new long[] {x, y, z}, new long[] {
              Math.min(grid[0], x + blockChunks[0]) - 1, Math.min(grid[1], y + blockChunks[1]) - 1,
              Math.min(grid[2], z + blockChunks[2]) - 1}));
        }
      }
    }
    return out;
  }

  /** One task: the block's probabilities, then its chunks; returns its foreground voxels. */
  private static long segmentBlock(Block b, Volume vol, Segmenter seg, Normalization.Range range,
      float threshold, StagedStore maskStore, @Nullable StagedStore probs) {
    long[] min = maskStore.chunkMin(b.firstChunk());
    long[] max = maskStore.chunkMax(b.lastChunk());
    Img<FloatType> box = ArrayImgs.floats(max[0] - min[0] + 1, max[1] - min[1] + 1,
        max[2] - min[2] + 1);
    RandomAccessibleInterval<FloatType> placed = Views.translate(box, min);
    seg.segmentBox(vol, range, min, max, placed);
    RandomAccessibleInterval<UnsignedByteType> maskView = Converters.convert(placed,
        (in, out) -> out.set(in.get() >= threshold ? 1 : 0), new UnsignedByteType());
    for (long z = b.firstChunk()[2]; z <= b.lastChunk()[2]; z++) {
      for (long y = b.firstChunk()[1]; y <= b.lastChunk()[1]; y++) {
        for (long x = b.firstChunk()[0]; x <= b.lastChunk()[0]; x++) {
          long[] c = {x, y, z};
          maskStore.writeChunk(c, maskView);
          if (probs != null) {
            probs.writeChunk(c, placed);
          }
        }
      }
    }
    long n = 0;
    for (UnsignedByteType v : Views.iterable(maskView)) {
      n += v.get();
    }
    return n;
  }

  @Override
  public String toString() {
    return "BlockSegmentationJob[" + input + " -> " + mask + (probabilities == null ? ""
        : " + " + probabilities) + ", chunks " + Arrays.toString(chunk) + ", blocks of "
        + Arrays.toString(blockChunks) + " chunks]";
  }

  /** Settings of a {@link BlockSegmentationJob}. */
  public static final class Builder {
    private @Nullable Path input;
    private int level;
    private @Nullable Path mask;
    private @Nullable Path probabilities;
    private @Nullable SegmenterConfig segmenter;
    private int[] chunk = {64, 64, 64};
    private int[] blockChunks = {8, 8, 1};
    private @Nullable Codec codec;

    private Builder() {}

    /** The chunked volume to segment (an OME-Zarr or N5 directory). */
    public Builder input(Path path) {
      this.input = path;
      return this;
    }

    /** The multiscale level of the input to segment (default 0). */
    public Builder level(int level) {
      this.level = Checks.atLeast("level", level, 0);
      return this;
    }

    /** Where the mask store goes (OME-Zarr 0.4 unless the name ends in {@code .n5}). */
    public Builder mask(Path path) {
      this.mask = path;
      return this;
    }

    /** Where the probability store goes; none by default. */
    public Builder probabilities(Path path) {
      this.probabilities = path;
      return this;
    }

    /**
     * The segmenter settings and model, e.g. {@code NeuroSeg.segmenter().model(m).config()};
     * the device is the CPU on every executor, and a progress listener is not called.
     */
    public Builder segmenter(SegmenterConfig config) {
      this.segmenter = config;
      return this;
    }

    /** The output chunk size (default 64 x 64 x 64; cut to the volume). */
    public Builder chunkSize(int x, int y, int z) {
      Checks.atLeast("chunk size x", x, 1);
      Checks.atLeast("chunk size y", y, 1);
      Checks.atLeast("chunk size z", z, 1);
      this.chunk = new int[] {x, y, z};
      return this;
    }

    /**
     * Output chunks per block (task) along x, y and z (default 8 x 8 x 1). Blocks wide in x and
     * y waste less: a block's tiles reach up to one tile beyond it in x and y, and half the
     * model's input depth in z.
     */
    public Builder blockChunks(int x, int y, int z) {
      Checks.atLeast("block chunks x", x, 1);
      Checks.atLeast("block chunks y", y, 1);
      Checks.atLeast("block chunks z", z, 1);
      this.blockChunks = new int[] {x, y, z};
      return this;
    }

    /** The output codec (default: the {@link ChunkedWriter}'s). */
    public Builder codec(Codec codec) {
      this.codec = codec;
      return this;
    }

    /**
     * The job.
     *
     * @throws InvalidInputException when the input, the mask or the segmenter is missing
     */
    public BlockSegmentationJob build() {
      return new BlockSegmentationJob(this);
    }
  }
}
