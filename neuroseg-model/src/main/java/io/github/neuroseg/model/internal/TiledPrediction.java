package io.github.neuroseg.model.internal;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.ModelException;
import io.github.neuroseg.NeuroSegException;
import io.github.neuroseg.Progress;
import io.github.neuroseg.ProgressListener;
import io.github.neuroseg.internal.Checks;
import io.github.neuroseg.internal.VoxelRows;
import io.github.neuroseg.model.ModelContract;
import io.github.neuroseg.segmentation.Blending;
import io.github.neuroseg.volume.Normalization;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;
import org.jspecify.annotations.Nullable;

/**
 * Whole-volume prediction with any backend: a {@link TilePlan} cut into batches, a {@link
 * BatchPredictor} run on each, and the probabilities blended back by a {@link Stitcher}. This is
 * the one implementation of tiling and stitching, so that inference ({@code segment()}) and
 * training validation predict a volume in exactly the same way. Not part of the public API.
 *
 * <p><b>Pipeline.</b> Tiles are grouped into batches of {@code batchSize} in plan order (across
 * x, y and z). Worker threads read and normalise the input slices a batch needs (each slice once,
 * kept only while batches in flight need it; array- and plane-backed images are read straight
 * from their arrays, see {@link VoxelRows}) and fill the batch's input buffer; the calling
 * thread runs the predictor on one batch while the workers prepare the next ones; a single
 * stitching thread turns logits into probabilities (the sigmoid, unless the predictor returns
 * probabilities already), blends them into their slices in plan order and writes finished slices
 * to the target. Input buffers, output arrays, input slices and slice accumulators are taken
 * from pools and given back when done, so a run allocates them only until the pipeline is full.
 * Memory is bounded by the prepared batches in flight ({@code workers + 1}), the input slices
 * they span, the partial output slices and the target itself. Results do not depend on the
 * batch size or the number of workers.
 *
 * <p><b>Test-time augmentation.</b> With {@code flips}, every tile is given to the predictor four
 * times (as it is, flipped in x, flipped in y, flipped in both; in that order, one after the
 * other in the batch), and the four probabilities, flipped back, are averaged in double
 * precision before stitching. The predictor then sees {@code 4 * batchSize} blocks per call.
 *
 * <p>Instances are immutable; {@link #run} may be called from several threads at once when the
 * predictor allows it.
 */
public final class TiledPrediction {
  private static final AtomicInteger THREAD_IDS = new AtomicInteger();

  /**
   * Predicts the centre slices of a batch of input blocks: logits, or probabilities when the
   * prediction is built with {@link ModelContract.Output#PROBABILITIES}.
   */
  @FunctionalInterface
  public interface BatchPredictor {
    /**
     * The predictions of {@code count} blocks.
     *
     * @param input {@code count * D * H * W} values laid out {@code [count, 1, D, H, W]} (x
     *     fastest), from position 0 to the limit; a direct buffer in native order
     * @param count blocks in the batch, {@code >= 1}
     * @return {@code count * H * W} values laid out {@code [count, 1, H, W]}
     */
    float[] predict(FloatBuffer input, int count);

    /**
     * The predictions of {@code count} blocks into {@code out}, which the caller reuses from
     * batch to batch. The default copies {@link #predict(FloatBuffer, int)}'s result; a
     * predictor that can write into {@code out} directly saves an array per batch.
     *
     * @param out at least {@code count * H * W} values; the first {@code count * H * W} are set
     * @param tileVoxels {@code H * W}
     * @throws ModelException when the predictor returns another number of values
     */
    default void predictInto(FloatBuffer input, int count, int tileVoxels, float[] out) {
      float[] p = predict(input, count);
      if (p.length != count * tileVoxels) {
        throw new ModelException("the model returned " + p.length + " values for " + count
            + " tiles of " + tileVoxels + " voxels; expected " + (long) count * tileVoxels);
      }
      System.arraycopy(p, 0, out, 0, p.length);
    }

    /**
     * Checks a batch's predictions before they are used; called on the stitching thread, so
     * that the check does not delay the next batch. The default accepts everything.
     *
     * @param predictions the first {@code count * tileVoxels} values are the batch's
     * @throws io.github.neuroseg.NeuroSegException to stop the prediction
     */
    default void check(float[] predictions, int count, int tileVoxels) {}
  }

  private final TilePlan plan;
  private final Blending blending;
  private final Stitcher stitcher;
  private final int batchSize;
  private final int workers;
  private final int variants;
  private final boolean logits;
  private final String stage;
  private final ProgressListener progress;

  /**
   * A prediction of the plan's volume with a predictor that returns logits.
   *
   * @param batchSize tiles per predictor call, {@code >= 1} (at most the plan's tiles are used)
   * @param workers threads preparing batches, {@code >= 1}
   * @param flips whether each tile is also predicted flipped (test-time augmentation)
   * @param stage the stage named in progress reports (one per finished batch)
   * @throws InvalidInputException when one batch of input tiles does not fit one array
   */
  public TiledPrediction(TilePlan plan, Blending blending, int batchSize, int workers,
      boolean flips, String stage, ProgressListener progress) {
    this(plan, blending, batchSize, workers, flips, ModelContract.Output.LOGITS, stage,
        progress);
  }

  /**
   * A prediction of the plan's volume.
   *
   * @param batchSize tiles per predictor call, {@code >= 1} (at most the plan's tiles are used)
   * @param workers threads preparing batches, {@code >= 1}
   * @param flips whether each tile is also predicted flipped (test-time augmentation)
   * @param output what the predictor returns: logits get the sigmoid here, probabilities are
   *     stitched as they are
   * @param stage the stage named in progress reports (one per finished batch)
   * @throws InvalidInputException when one batch of input tiles does not fit one array
   */
  public TiledPrediction(TilePlan plan, Blending blending, int batchSize, int workers,
      boolean flips, ModelContract.Output output, String stage, ProgressListener progress) {
    if (batchSize < 1 || workers < 1) {
      throw new InvalidInputException("batch size and workers must be >= 1, got " + batchSize
          + " and " + workers);
    }
    this.plan = plan;
    this.variants = flips ? 4 : 1;
    // a batch larger than the volume's tiles would only allocate unused buffer space
    this.batchSize = (int) Math.min(batchSize, plan.tileCount());
    Checks.arrayLength("a batch of input tiles (bytes)", this.batchSize,
        variants, plan.inputDepth(), plan.tileHeight(), plan.tileWidth(), Float.BYTES);
    this.blending = blending;
    this.stitcher = new Stitcher(plan, blending);
    this.workers = workers;
    this.logits = output == ModelContract.Output.LOGITS;
    this.stage = stage;
    this.progress = progress;
  }

  /** The plan this prediction covers. */
  public TilePlan plan() {
    return plan;
  }

  /**
   * Predicts the whole volume into {@code target}.
   *
   * @param image the volume, {@code plan.width() x plan.height() x plan.depth()}, zero-min
   * @param range the intensity normalisation applied to every voxel before the predictor sees it
   * @param target receives the probabilities, same size, zero-min
   * @throws InvalidInputException for a NaN or infinite voxel (naming its position)
   */
  public void run(RandomAccessibleInterval<? extends RealType<?>> image, Normalization.Range range,
      RandomAccessibleInterval<FloatType> target, BatchPredictor predictor) {
    long[] min = {0, 0, 0};
    long[] max = {plan.width() - 1, plan.height() - 1, plan.depth() - 1};
    new Run(image, range, min, max, targetSink(target, min, max), predictor).execute();
  }

  /**
   * Predicts the box {@code [min, max]} of the volume into {@code target}, with exactly the
   * values {@link #run} gives those voxels: the plan's tiles that touch the box are predicted and
   * blended in the plan's order, and only the input voxels they read are read. With {@code range}
   * the whole volume's normalisation, a volume predicted box by box equals the volume predicted
   * whole, bit for bit, provided the predictor's output for a tile does not depend on the other
   * tiles of its batch.
   *
   * @param image the whole volume, {@code plan.width() x plan.height() x plan.depth()}, zero-min;
   *     only the voxels the box's tiles need are read
   * @param min the box's first voxel (x, y, z)
   * @param max the box's last voxel, inclusive
   * @param target receives the box's probabilities: the box's size, zero-min
   * @throws InvalidInputException for a box outside the volume, a target of another size, or a
   *     NaN or infinite voxel read
   */
  public void runBox(RandomAccessibleInterval<? extends RealType<?>> image,
      Normalization.Range range, long[] min, long[] max, RandomAccessibleInterval<FloatType> target,
      BatchPredictor predictor) {
    checkBox(plan, min, max, target);
    new Run(image, range, min, max, targetSink(target, min, max), predictor).execute();
  }

  /**
   * Checks that a box lies inside the plan's volume and that the target has its size.
   *
   * @throws InvalidInputException when not
   */
  public static void checkBox(TilePlan plan, long[] min, long[] max,
      RandomAccessibleInterval<?> target) {
    long[] size = {plan.width(), plan.height(), plan.depth()};
    boolean ok = min.length == 3 && max.length == 3 && target.numDimensions() == 3;
    for (int d = 0; ok && d < 3; d++) {
      ok = min[d] >= 0 && max[d] >= min[d] && max[d] < size[d]
          && target.dimension(d) == max[d] - min[d] + 1;
    }
    if (!ok) {
      throw new InvalidInputException("box " + Arrays.toString(min) + " .. "
          + Arrays.toString(max) + " must lie inside the volume " + Arrays.toString(size)
          + " and match the target's size " + Arrays.toString(target.dimensionsAsLongArray()));
    }
  }

  /**
   * A sink writing the box's slices into a zero-min target of the box's size: straight into its
   * array when it is an array image, else through a cursor.
   */
  private static SliceSink targetSink(RandomAccessibleInterval<FloatType> target, long[] min,
      long[] max) {
    long bw = max[0] - min[0] + 1;
    long bh = max[1] - min[1] + 1;
    long bd = max[2] - min[2] + 1;
    int z0 = (int) min[2];
    float[] array = floatArray(target, bw * bh * bd);
    if (array != null) {
      return (z, slice) -> System.arraycopy(slice, 0, array, (z - z0) * slice.length,
          slice.length);
    }
    return (z, slice) -> {
      Cursor<FloatType> c = Views.flatIterable(Views.interval(target,
          new long[] {0, 0, z - z0}, new long[] {bw - 1, bh - 1, z - z0})).cursor();
      for (float v : slice) {
        c.next().set(v);
      }
    };
  }

  /**
   * Predicts the whole volume, handing each finished slice's probabilities to {@code sink}
   * instead of keeping them: e.g. to threshold them into a mask, so that no probability map of
   * the whole volume is ever held.
   *
   * @param image the volume, {@code plan.width() x plan.height() x plan.depth()}, zero-min
   * @param range the intensity normalisation applied to every voxel before the predictor sees it
   * @throws InvalidInputException for a NaN or infinite voxel (naming its position)
   */
  public void run(RandomAccessibleInterval<? extends RealType<?>> image, Normalization.Range range,
      SliceSink sink, BatchPredictor predictor) {
    new Run(image, range, new long[] {0, 0, 0},
        new long[] {plan.width() - 1, plan.height() - 1, plan.depth() - 1}, sink, predictor)
        .execute();
  }

  /** Receives finished output slices, one call per slice, in increasing z, on one thread. */
  @FunctionalInterface
  public interface SliceSink {
    /**
     * One slice's probabilities.
     *
     * @param z the slice's index in the volume
     * @param slice {@code width * height} values of the slice (of the box's rectangle when a box
     *     is predicted), x fastest; reused after the call returns
     */
    void accept(int z, float[] slice);
  }

  /** One {@link #run} call: its caches, pools and threads. */
  private final class Run {
    private final RandomAccessibleInterval<? extends RealType<?>> image;
    private final VoxelRows rows;
    private final Normalization.Range range;
    private final SliceSink sink;
    private final BatchPredictor predictor;
    private final Stitcher boxStitcher;
    // the box: output voxels [bx0, bx0 + bw) x [by0, by0 + bh) x [bz0, bz0 + bd)
    private final int bx0;
    private final int by0;
    private final int bz0;
    private final int bw;
    private final int bh;
    // the tiles touching the box in x and y: position indices [ix0, ix0 + nx) and [iy0, iy0 + ny)
    private final int ix0;
    private final int iy0;
    private final int nx;
    private final int ny;
    private final int xCount = plan.xPositions().length;
    private final long tileTotal;
    // the input voxels those tiles read in every slice: [wx0, wx0 + ww) x [wy0, wy0 + wh)
    private final int wx0;
    private final int wy0;
    private final int ww;
    private final int wh;
    private final int batches;
    private final int tileWidth = plan.tileWidth();
    private final int tileHeight = plan.tileHeight();
    private final int tileVoxels = tileWidth * tileHeight;
    private final int inputVoxels = tileVoxels * plan.inputDepth();
    private final int sliceVoxels;
    private final Map<Integer, CompletableFuture<float[]>> slices = new ConcurrentHashMap<>();
    private final BlockingQueue<FloatBuffer> buffers;
    // arrays given back for reuse: evicted input slices, stitched outputs, written accumulators
    private final Queue<float[]> freeSlices = new ConcurrentLinkedQueue<>();
    private final Queue<float[]> freeOutputs = new ConcurrentLinkedQueue<>();
    private final ArrayDeque<double[]> freeAccumulators = new ArrayDeque<>();
    // stitching thread state
    private final Map<Integer, double[]> partial = new HashMap<>();
    private final Map<Integer, Integer> tilesDone = new HashMap<>();
    private long doneTotal;

    private final float[] finished;

    Run(RandomAccessibleInterval<? extends RealType<?>> image, Normalization.Range range,
        long[] min, long[] max, SliceSink sink, BatchPredictor predictor) {
      this.image = image;
      this.rows = VoxelRows.of(image);
      this.range = range;
      this.sink = sink;
      this.predictor = predictor;
      bx0 = (int) min[0];
      by0 = (int) min[1];
      bz0 = (int) min[2];
      bw = (int) (max[0] - min[0] + 1);
      bh = (int) (max[1] - min[1] + 1);
      int bd = (int) (max[2] - min[2] + 1);
      int[] xs = plan.xPositions();
      int[] ys = plan.yPositions();
      int[] xr = touching(xs, tileWidth, bx0, bw);
      int[] yr = touching(ys, tileHeight, by0, bh);
      ix0 = xr[0];
      nx = xr[1];
      iy0 = yr[0];
      ny = yr[1];
      tileTotal = (long) nx * ny * bd;
      // a tile reaches past the volume only when the volume is narrower than a tile; it then
      // reads mirrored voxels of [0, size), all of which the window holds
      wx0 = xs[ix0];
      ww = Math.min(xs[ix0 + nx - 1] + tileWidth, plan.width()) - wx0;
      wy0 = ys[iy0];
      wh = Math.min(ys[iy0 + ny - 1] + tileHeight, plan.height()) - wy0;
      sliceVoxels = ww * wh;
      boolean whole = bw == plan.width() && bh == plan.height();
      this.boxStitcher = whole ? stitcher
          : new Stitcher(plan, blending, bx0, by0, bw, bh);
      this.finished = new float[bw * bh];
      this.batches = (int) ((tileTotal + batchSize - 1) / batchSize);
      this.buffers = new ArrayBlockingQueue<>(workers + 2);
    }

    /** The first index and the count of the positions whose tiles overlap [from, from + n). */
    private static int[] touching(int[] positions, int tile, int from, int n) {
      int first = -1;
      int count = 0;
      for (int i = 0; i < positions.length; i++) {
        if (positions[i] < from + n && positions[i] + tile > from) {
          if (first < 0) {
            first = i;
          }
          count++;
        }
      }
      return new int[] {first, count};
    }

    /** Tile {@code k} of the box's tiles, in the plan's order. */
    private TilePlan.Tile tile(long k) {
      long perSlice = (long) nx * ny;
      long z = bz0 + k / perSlice;
      int r = (int) (k % perSlice);
      return plan.tile(z * plan.tilesPerSlice()
          + (long) (iy0 + r / nx) * xCount + ix0 + r % nx);
    }

    void execute() {
      ExecutorService prep = Executors.newFixedThreadPool(workers, daemon("prepare"));
      ExecutorService stitch = Executors.newSingleThreadExecutor(daemon("stitch"));
      ArrayDeque<Future<Batch>> prepared = new ArrayDeque<>();
      ArrayDeque<Future<?>> stitched = new ArrayDeque<>();
      try {
        int ahead = workers + 1;
        int next = 0;
        for (; next < Math.min(ahead, batches); next++) {
          int b = next;
          prepared.add(prep.submit(() -> prepare(b)));
        }
        int outLength = batchSize * variants * tileVoxels;
        for (int b = 0; b < batches; b++) {
          Batch batch = await(prepared.poll());
          evictBefore(tile((long) b * batchSize).z() - plan.inputDepth() / 2);
          if (next < batches) {
            int nb = next++;
            prepared.add(prep.submit(() -> prepare(nb)));
          }
          int blocks = batch.count * variants;
          float[] out = freeOutputs.poll();
          if (out == null) {
            out = new float[outLength];
          }
          predictor.predictInto(batch.buffer, blocks, tileVoxels, out);
          buffers.offer(batch.buffer);
          while (stitched.size() >= 2) {
            await(stitched.poll());
          }
          float[] predictions = out;
          stitched.add(stitch.submit(() -> accumulate(batch, predictions)));
        }
        while (!stitched.isEmpty()) {
          await(stitched.poll());
        }
      } finally {
        prep.shutdownNow();
        stitch.shutdownNow();
        slices.clear();
      }
    }

    private <T> T await(Future<T> f) {
      try {
        return f.get();
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof NeuroSegException ne) {
          throw ne;
        }
        if (c instanceof RuntimeException re) {
          throw re;
        }
        if (c instanceof Error err) {
          throw err;
        }
        throw new IllegalStateException(c);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CancellationException("prediction interrupted");
      }
    }

    /** Reads, normalises and checks one input slice, once per run. */
    private float[] slice(int z) {
      CompletableFuture<float[]> mine = new CompletableFuture<>();
      CompletableFuture<float[]> f = slices.putIfAbsent(z, mine);
      if (f != null) {
        return f.join();
      }
      try {
        float[] s = freeSlices.poll();
        if (s == null) {
          s = new float[sliceVoxels];
        }
        double lo = range.lo();
        double scale = range.scale();
        if (wx0 == 0 && ww == plan.width()) {
          // whole rows: read straight from an array-backed image's array
          int w = plan.width();
          long first = (long) z * plan.height() + wy0;
          double[] scratch = new double[w];
          VoxelRows.Reader r = rows.reader(first, first + wh);
          for (int y = 0; y < wh; y++) {
            int bad = r.normalize(s, y * w, lo, scale, scratch);
            if (bad >= 0) {
              throw nonFinite(bad, wy0 + y, z, scratch[bad]);
            }
          }
        } else {
          // an interval view keeps the source's fast cursor (e.g. an ArrayImg's) for a window
          Cursor<? extends RealType<?>> c = Views.flatIterable(Views.interval(image,
              new long[] {wx0, wy0, z}, new long[] {wx0 + ww - 1, wy0 + wh - 1, z})).cursor();
          for (int i = 0; i < s.length; i++) {
            double v = c.next().getRealDouble();
            if (!Double.isFinite(v)) {
              throw nonFinite(wx0 + i % ww, wy0 + i / ww, z, v);
            }
            s[i] = (float) ((v - lo) * scale);
          }
        }
        mine.complete(s);
        return s;
      } catch (RuntimeException e) {
        mine.completeExceptionally(e);
        throw e;
      }
    }

    private InvalidInputException nonFinite(int x, int y, int z, double v) {
      return new InvalidInputException("voxel at [" + x + ", " + y + ", " + z + "] is " + v
          + "; intensities must be finite numbers");
    }

    /** Drops the input slices below {@code z}, which no later batch reads, for reuse. */
    private void evictBefore(int z) {
      slices.entrySet().removeIf(e -> {
        if (e.getKey() >= z) {
          return false;
        }
        CompletableFuture<float[]> f = e.getValue();
        if (f.isDone() && !f.isCompletedExceptionally()) {
          freeSlices.offer(f.join());
        }
        return true;
      });
    }

    private Batch prepare(int b) {
      long first = (long) b * batchSize;
      int n = (int) Math.min(batchSize, tileTotal - first);
      FloatBuffer buf = buffers.poll();
      if (buf == null) {
        // fits: checked by the constructor
        buf = ByteBuffer.allocateDirect(batchSize * variants * inputVoxels * Float.BYTES)
            .order(ByteOrder.nativeOrder()).asFloatBuffer();
      }
      buf.clear();
      int w = plan.width();
      int h = plan.height();
      float[] row = new float[tileWidth];
      for (int i = 0; i < n; i++) {
        TilePlan.Tile t = tile(first + i);
        for (int v = 0; v < variants; v++) {
          boolean flipX = (v & 1) != 0;
          boolean flipY = (v & 2) != 0;
          for (int k = 0; k < plan.inputDepth(); k++) {
            float[] s = slice(plan.inputSlice(t.z(), k));
            for (int yy = 0; yy < tileHeight; yy++) {
              int y = flipY ? tileHeight - 1 - yy : yy;
              int rowStart = (TilePlan.mirror((long) t.y0() + y, h) - wy0) * ww - wx0;
              if (!flipX && t.x0() + tileWidth <= w) {
                buf.put(s, rowStart + t.x0(), tileWidth);
              } else {
                for (int xx = 0; xx < tileWidth; xx++) {
                  int x = flipX ? tileWidth - 1 - xx : xx;
                  row[xx] = s[rowStart + TilePlan.mirror((long) t.x0() + x, w)];
                }
                buf.put(row, 0, tileWidth);
              }
            }
          }
        }
      }
      buf.flip();
      return new Batch(first, n, buf);
    }

    /** On the stitching thread, in batch order. */
    private Void accumulate(Batch batch, float[] predictions) {
      predictor.check(predictions, batch.count * variants, tileVoxels);
      float[] p = predictions;
      if (logits) {
        int n = batch.count * variants * tileVoxels;
        for (int i = 0; i < n; i++) {
          p[i] = (float) (1.0 / (1.0 + Math.exp(-p[i])));
        }
      }
      if (variants > 1) {
        p = unflipAndAverage(p, batch.count);
      }
      int per = nx * ny;
      for (int i = 0; i < batch.count; i++) {
        TilePlan.Tile t = tile(batch.first + i);
        double[] acc = partial.get(t.z());
        if (acc == null) {
          acc = freeAccumulators.poll();
          if (acc == null) {
            acc = boxStitcher.newAccumulator();
          }
          partial.put(t.z(), acc);
        }
        boxStitcher.add(acc, t, p, i * tileVoxels);
        int done = tilesDone.merge(t.z(), 1, Integer::sum);
        if (done == per) {
          partial.remove(t.z());
          tilesDone.remove(t.z());
          write(t.z(), acc);
          freeAccumulators.push(acc);
        }
      }
      freeOutputs.offer(predictions);
      doneTotal += batch.count;
      progress.onProgress(new Progress(stage, doneTotal, tileTotal));
      return null;
    }

    /** The mean of each tile's four flipped predictions, flipped back, one tile after another. */
    private float[] unflipAndAverage(float[] p, int count) {
      float[] out = new float[count * tileVoxels];
      for (int i = 0; i < count; i++) {
        int base = i * variants * tileVoxels;
        for (int y = 0; y < tileHeight; y++) {
          for (int x = 0; x < tileWidth; x++) {
            double sum = 0;
            for (int v = 0; v < variants; v++) {
              int sx = (v & 1) != 0 ? tileWidth - 1 - x : x;
              int sy = (v & 2) != 0 ? tileHeight - 1 - y : y;
              sum += p[base + v * tileVoxels + sy * tileWidth + sx];
            }
            out[i * tileVoxels + y * tileWidth + x] = (float) (sum / variants);
          }
        }
      }
      return out;
    }

    /** Hands a finished slice to the sink and zeroes its accumulator for reuse. */
    private void write(int z, double[] acc) {
      boxStitcher.finishAndClear(acc, finished, 0);
      sink.accept(z, finished);
    }
  }

  /** The float array behind a zero-min array image of {@code voxels} floats, else null. */
  private static float @Nullable [] floatArray(RandomAccessibleInterval<FloatType> target,
      long voxels) {
    if (target instanceof ArrayImg<?, ?> a && a.firstElement() instanceof FloatType
        && a.update(null) instanceof FloatArray fa && Views.isZeroMin(target)
        && fa.getCurrentStorageArray().length == voxels) {
      return fa.getCurrentStorageArray();
    }
    return null;
  }

  private record Batch(long first, int count, FloatBuffer buffer) {}

  private static ThreadFactory daemon(String role) {
    return r -> {
      Thread t = new Thread(r, "neuroseg-" + role + "-" + THREAD_IDS.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
