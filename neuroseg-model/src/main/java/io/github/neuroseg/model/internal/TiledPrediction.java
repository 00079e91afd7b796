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
    float[] array = floatArray(target, (long) plan.width() * plan.height() * plan.depth());
    SliceSink sink = array != null ? (z, slice) -> System.arraycopy(slice, 0, array,
        z * slice.length, slice.length) : (z, slice) -> {
          Cursor<FloatType> c = Views.flatIterable(Views.interval(target, new long[] {0, 0, z},
              new long[] {plan.width() - 1, plan.height() - 1, z})).cursor();
          for (float v : slice) {
            c.next().set(v);
          }
        };
    new Run(image, range, sink, predictor).execute();
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
    new Run(image, range, sink, predictor).execute();
  }

  /** Receives finished output slices, one call per slice, in increasing z, on one thread. */
  @FunctionalInterface
  public interface SliceSink {
    /**
     * One slice's probabilities.
     *
     * @param slice {@code width * height} values, x fastest; reused after the call returns
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
    private final int batches;
    private final int tileWidth = plan.tileWidth();
    private final int tileHeight = plan.tileHeight();
    private final int tileVoxels = tileWidth * tileHeight;
    private final int inputVoxels = tileVoxels * plan.inputDepth();
    private final int sliceVoxels = plan.width() * plan.height();
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

    private final float[] finished = new float[sliceVoxels];

    Run(RandomAccessibleInterval<? extends RealType<?>> image, Normalization.Range range,
        SliceSink sink, BatchPredictor predictor) {
      this.image = image;
      this.rows = VoxelRows.of(image);
      this.range = range;
      this.sink = sink;
      this.predictor = predictor;
      this.batches = (int) ((plan.tileCount() + batchSize - 1) / batchSize);
      this.buffers = new ArrayBlockingQueue<>(workers + 2);
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
          evictBefore(plan.tile((long) b * batchSize).z() - plan.inputDepth() / 2);
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
        int w = plan.width();
        int h = plan.height();
        double lo = range.lo();
        double scale = range.scale();
        double[] scratch = new double[w];
        VoxelRows.Reader r = rows.reader((long) z * h, (long) (z + 1) * h);
        for (int y = 0; y < h; y++) {
          int bad = r.normalize(s, y * w, lo, scale, scratch);
          if (bad >= 0) {
            long[] at = rows.position(((long) z * h + y) * w + bad);
            throw new InvalidInputException("voxel at [" + (at[0] - image.min(0)) + ", "
                + (at[1] - image.min(1)) + ", " + z + "] is " + scratch[bad]
                + "; intensities must be finite numbers");
          }
        }
        mine.complete(s);
        return s;
      } catch (RuntimeException e) {
        mine.completeExceptionally(e);
        throw e;
      }
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
      int n = (int) Math.min(batchSize, plan.tileCount() - first);
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
        TilePlan.Tile t = plan.tile(first + i);
        for (int v = 0; v < variants; v++) {
          boolean flipX = (v & 1) != 0;
          boolean flipY = (v & 2) != 0;
          for (int k = 0; k < plan.inputDepth(); k++) {
            float[] s = slice(plan.inputSlice(t.z(), k));
            for (int yy = 0; yy < tileHeight; yy++) {
              int y = flipY ? tileHeight - 1 - yy : yy;
              int rowStart = TilePlan.mirror((long) t.y0() + y, h) * w;
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
      int per = plan.tilesPerSlice();
      for (int i = 0; i < batch.count; i++) {
        TilePlan.Tile t = plan.tile(batch.first + i);
        double[] acc = partial.get(t.z());
        if (acc == null) {
          acc = freeAccumulators.poll();
          if (acc == null) {
            acc = stitcher.newAccumulator();
          }
          partial.put(t.z(), acc);
        }
        stitcher.add(acc, t, p, i * tileVoxels);
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
      progress.onProgress(new Progress(stage, doneTotal, plan.tileCount()));
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
      stitcher.finishAndClear(acc, finished, 0);
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
