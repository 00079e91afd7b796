package io.github.neuroseg.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.github.neuroseg.Device;
import io.github.neuroseg.DeviceException;
import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.ModelException;
import io.github.neuroseg.NeuroSegException;
import io.github.neuroseg.NeuroSegIOException;
import io.github.neuroseg.Progress;
import io.github.neuroseg.ProgressListener;
import io.github.neuroseg.segmentation.ModelSource;
import io.github.neuroseg.segmentation.Segmentation;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.segmentation.SegmenterConfig;
import io.github.neuroseg.volume.Normalization;
import io.github.neuroseg.volume.Volume;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.cell.CellImgFactory;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.util.Intervals;
import net.imglib2.view.Views;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Segmenter} running a neuroseg ONNX model (see {@link ModelContract}) with ONNX
 * Runtime, tile by tile (see {@link TilePlan} and {@link Stitcher}).
 *
 * <p><b>Pipeline.</b> Tiles are grouped into batches of {@code batchSize} in plan order (across x,
 * y and z). Worker threads read and normalise the input slices a batch needs (each slice once,
 * kept only while batches in flight need it) and fill the batch's input buffer; the calling
 * thread runs ONNX Runtime on one batch while the workers prepare the next ones; a single
 * stitching thread turns logits into probabilities (sigmoid), blends them into their slices in
 * plan order and writes finished slices to the output. Memory is bounded by the prepared batches
 * in flight ({@code workers + 1}), the input slices they span, the partial output slices and the
 * output image itself. Results do not depend on the batch size or the number of threads.
 *
 * <p><b>Device.</b> {@code Device.cuda(id)} adds ONNX Runtime's CUDA execution provider. When it
 * cannot be used (the CPU artifact of ONNX Runtime, no driver, no such GPU) the segmenter logs one
 * warning and runs on the CPU; in strict mode it throws {@link DeviceException} instead. {@link
 * #device()} says where it runs.
 *
 * <p>Instances are immutable and thread-safe; {@link #close()} is idempotent and waits for running
 * {@code segment} calls.
 */
public final class OnnxSegmenter implements Segmenter {
  private static final Logger LOG = LoggerFactory.getLogger(OnnxSegmenter.class);
  private static final String STAGE = "segment";
  private static final AtomicInteger THREAD_IDS = new AtomicInteger();

  private final OrtEnvironment env;
  private final OrtSession session;
  private final ModelContract contract;
  private final SegmenterConfig config;
  private final Device device;
  private final Normalization normalization;
  private final double threshold;
  private final int tileWidth;
  private final int tileHeight;
  private final int overlap;
  private final int workers;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean closed;

  private OnnxSegmenter(OrtEnvironment env, OrtSession session, ModelContract contract,
      SegmenterConfig requested, Device device) {
    this.env = env;
    this.session = session;
    this.contract = contract;
    this.device = device;
    this.tileWidth = requested.tileWidth() != null ? requested.tileWidth() : contract.tileWidth();
    this.tileHeight =
        requested.tileHeight() != null ? requested.tileHeight() : contract.tileHeight();
    contract.checkTile(tileWidth, tileHeight);
    this.overlap = requested.overlap() != null ? requested.overlap()
        : Math.min(tileWidth, tileHeight) / 4;
    if (overlap >= Math.min(tileWidth, tileHeight)) {
      throw new InvalidInputException("overlap must be smaller than the tile (" + tileWidth
          + " x " + tileHeight + "), got " + overlap);
    }
    this.normalization = requested.normalization() != null
        ? Normalization.parse(requested.normalization()) : contract.normalization();
    this.threshold = requested.threshold() != null ? requested.threshold() : contract.threshold();
    this.workers = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));
    this.config = new SegmenterConfig(requested.model(), device, requested.strictDevice(),
        tileWidth, tileHeight, overlap, requested.blending(), requested.batchSize(),
        requested.threads(), normalization.spec(), threshold, requested.progress());
  }

  /**
   * Loads the model and prepares a session.
   *
   * @throws ModelException when the model is not ONNX or breaks the {@link ModelContract}
   * @throws NeuroSegIOException when the model file cannot be read
   * @throws DeviceException when CUDA was requested in strict mode and cannot be used
   * @throws InvalidInputException for settings that do not fit the model
   */
  public static OnnxSegmenter create(SegmenterConfig config) {
    ModelSource src = config.model();
    if (src instanceof ModelSource.File f && !Files.isReadable(f.path())) {
      String why = Files.exists(f.path()) ? "not readable" : "no such file";
      throw new NeuroSegIOException("cannot read model file " + f.path() + " (" + why + ")",
          new java.io.FileNotFoundException(f.path() + ": " + why));
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    Device device = config.device();
    OrtSession session = null;
    if (device instanceof Device.Cuda cuda) {
      try {
        session = openCuda(env, src, config, cuda);
      } catch (ModelException e) {
        throw e; // a broken model is not a device problem
      } catch (OrtException | RuntimeException | LinkageError e) {
        String why = e.getMessage() == null ? e.toString() : e.getMessage().strip();
        if (config.strictDevice()) {
          throw new DeviceException("device " + cuda + " was requested in strict mode but "
              + "ONNX Runtime's CUDA execution provider cannot be used: " + why, e);
        }
        LOG.warn("device {} requested but ONNX Runtime's CUDA execution provider cannot be used "
            + "({}); running on the CPU instead. Use the com.microsoft.onnxruntime:"
            + "onnxruntime_gpu artifact (instead of onnxruntime) with a matching CUDA and cuDNN "
            + "installation, or request Device.cpu() to silence this warning.", cuda, why);
        device = Device.cpu();
      }
    }
    if (session == null) {
      try (OrtSession.SessionOptions opts = options(config)) {
        session = open(env, src, opts);
      } catch (OrtException e) {
        throw notOnnx(src, e);
      }
    }
    try {
      ModelContract contract = ModelContract.check(src.label(),
          session.getMetadata().getCustomMetadata(), shapes(src, session.getInputInfo()),
          shapes(src, session.getOutputInfo()));
      return new OnnxSegmenter(env, session, contract, config, device);
    } catch (OrtException | RuntimeException e) {
      closeQuietly(session);
      if (e instanceof NeuroSegException ne) {
        throw ne;
      }
      throw new ModelException("cannot read the signature of model " + src.label() + ": "
          + e.getMessage(), e);
    }
  }

  private static OrtSession openCuda(OrtEnvironment env, ModelSource src, SegmenterConfig config,
      Device.Cuda cuda) throws OrtException {
    if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
      throw new DeviceException("this ONNX Runtime build has no CUDA execution provider "
          + "(providers: " + OrtEnvironment.getAvailableProviders() + ")");
    }
    try (OrtSession.SessionOptions opts = options(config)) {
      opts.addCUDA(cuda.id());
      // a broken model must be reported as such, not as a device problem: check it on the CPU
      // first only when opening on CUDA fails
      try {
        return open(env, src, opts);
      } catch (OrtException e) {
        try (OrtSession.SessionOptions cpu = options(config);
            OrtSession probe = open(env, src, cpu)) {
          probe.getInputInfo();
        } catch (OrtException modelBroken) {
          throw notOnnx(src, modelBroken);
        }
        throw e;
      }
    }
  }

  private static OrtSession.SessionOptions options(SegmenterConfig config) throws OrtException {
    OrtSession.SessionOptions o = new OrtSession.SessionOptions();
    o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    if (config.threads() > 0) {
      o.setIntraOpNumThreads(config.threads());
    }
    o.setInterOpNumThreads(1);
    return o;
  }

  private static OrtSession open(OrtEnvironment env, ModelSource src,
      OrtSession.SessionOptions opts) throws OrtException {
    if (src instanceof ModelSource.File f) {
      return env.createSession(f.path().toString(), opts);
    }
    return env.createSession(((ModelSource.Bytes) src).content(), opts);
  }

  private static ModelException notOnnx(ModelSource src, OrtException e) {
    return new ModelException("model " + src.label() + " is not a valid ONNX model that ONNX "
        + "Runtime can load: " + e.getMessage(), e);
  }

  private static Map<String, long[]> shapes(ModelSource src, Map<String, NodeInfo> infos) {
    Map<String, long[]> m = new LinkedHashMap<>();
    infos.forEach((name, info) -> {
      if (!(info.getInfo() instanceof TensorInfo t) || t.type != OnnxJavaType.FLOAT) {
        throw new ModelException("model " + src.label() + ": '" + name
            + "' must be a float32 tensor, got " + info.getInfo());
      }
      m.put(name, t.getShape());
    });
    return m;
  }

  /** The model's contract (metadata and signature). */
  public ModelContract contract() {
    return contract;
  }

  /** Where inference runs: the requested device, or the CPU after a fallback. */
  public Device device() {
    return device;
  }

  @Override
  public SegmenterConfig config() {
    return config;
  }

  @Override
  public Map<String, String> modelMetadata() {
    return contract.metadata();
  }

  @Override
  public Segmentation segment(Volume volume) {
    long[] dims = volume.dimensions();
    RandomAccessibleInterval<FloatType> out = Intervals.numElements(volume.image())
        <= Integer.MAX_VALUE - 8
        ? ArrayImgs.floats(dims)
        : new CellImgFactory<>(new FloatType(), 256, 256, 16).create(dims);
    return segmentInto(volume, out);
  }

  @Override
  public Segmentation segmentInto(Volume volume, RandomAccessibleInterval<FloatType> target) {
    if (!Arrays.equals(volume.dimensions(), target.dimensionsAsLongArray())) {
      throw new InvalidInputException("target size " + Arrays.toString(
          target.dimensionsAsLongArray()) + " differs from the volume's "
          + Arrays.toString(volume.dimensions()));
    }
    RandomAccessibleInterval<FloatType> zeroTarget =
        Views.isZeroMin(target) ? target : Views.zeroMin(target);
    lock.readLock().lock();
    try {
      if (closed) {
        throw new InvalidInputException("this segmenter is closed");
      }
      new Run(volume, zeroTarget).execute();
      return new Segmentation(target, threshold, volume.voxelSize());
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Releases the ONNX Runtime session, after running calls finish. Idempotent. */
  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        closeQuietly(session);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  private static void closeQuietly(OrtSession s) {
    try {
      s.close();
    } catch (OrtException | RuntimeException e) {
      LOG.debug("closing an ONNX Runtime session failed", e);
    }
  }

  @Override
  public String toString() {
    return "OnnxSegmenter[" + contract.label() + ", " + device + ", tile " + tileWidth + "x"
        + tileHeight + ", overlap " + overlap + ", " + normalization + "]";
  }

  /** One {@code segment} call: its plan, caches and threads. */
  private final class Run {
    private final RandomAccessibleInterval<? extends RealType<?>> image;
    private final RandomAccessibleInterval<FloatType> target;
    private final TilePlan plan;
    private final Stitcher stitcher;
    private final int batchSize;
    private final int batches;
    private final int tileVoxels;
    private final int inputVoxels;
    private final ProgressListener progress;
    private final Map<Integer, CompletableFuture<float[]>> slices = new ConcurrentHashMap<>();
    private final BlockingQueue<FloatBuffer> buffers;
    private Normalization.Range range = new Normalization.Range(0, 1);
    // stitching thread state
    private final Map<Integer, double[]> partial = new HashMap<>();
    private final Map<Integer, Integer> tilesDone = new HashMap<>();
    private long doneTotal;

    Run(Volume volume, RandomAccessibleInterval<FloatType> target) {
      this.image = volume.image();
      this.target = target;
      long[] d = volume.dimensions();
      this.plan = TilePlan.of(d[0], d[1], d[2], tileWidth, tileHeight, overlap,
          contract.inputDepth());
      this.stitcher = new Stitcher(plan, config.blending());
      this.batchSize = config.batchSize();
      this.batches = (int) ((plan.tileCount() + batchSize - 1) / batchSize);
      this.tileVoxels = tileWidth * tileHeight;
      this.inputVoxels = tileVoxels * contract.inputDepth();
      this.progress = config.progress();
      this.buffers = new ArrayBlockingQueue<>(workers + 2);
    }

    void execute() {
      range = normalization.range(image);
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
        for (int b = 0; b < batches; b++) {
          Batch batch = await(prepared.poll());
          evictBefore(plan.tile((long) b * batchSize).z() - contract.inputDepth() / 2);
          if (next < batches) {
            int nb = next++;
            prepared.add(prep.submit(() -> prepare(nb)));
          }
          float[] logits = infer(batch);
          buffers.offer(batch.buffer);
          while (stitched.size() >= 2) {
            await(stitched.poll());
          }
          stitched.add(stitch.submit(() -> accumulate(batch, logits)));
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
        throw new CancellationException("segmentation interrupted");
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
        float[] s = new float[plan.width() * plan.height()];
        // an interval view keeps the source's fast cursor (e.g. an ArrayImg's) for a slice
        Cursor<? extends RealType<?>> c = Views.flatIterable(Views.interval(image,
            new long[] {0, 0, z}, new long[] {plan.width() - 1, plan.height() - 1, z})).cursor();
        double lo = range.lo();
        double scale = range.scale();
        for (int i = 0; i < s.length; i++) {
          double v = c.next().getRealDouble();
          if (!Double.isFinite(v)) {
            throw new InvalidInputException("voxel at [" + (i % plan.width()) + ", "
                + (i / plan.width()) + ", " + z + "] is " + v
                + "; intensities must be finite numbers");
          }
          s[i] = (float) ((v - lo) * scale);
        }
        mine.complete(s);
        return s;
      } catch (RuntimeException e) {
        mine.completeExceptionally(e);
        throw e;
      }
    }

    private void evictBefore(int z) {
      slices.keySet().removeIf(k -> k < z);
    }

    private Batch prepare(int b) {
      long first = (long) b * batchSize;
      int n = (int) Math.min(batchSize, plan.tileCount() - first);
      FloatBuffer buf = buffers.poll();
      if (buf == null) {
        buf = ByteBuffer.allocateDirect(batchSize * inputVoxels * Float.BYTES)
            .order(ByteOrder.nativeOrder()).asFloatBuffer();
      }
      buf.clear();
      int w = plan.width();
      int h = plan.height();
      float[] row = new float[tileWidth];
      for (int i = 0; i < n; i++) {
        TilePlan.Tile t = plan.tile(first + i);
        for (int k = 0; k < contract.inputDepth(); k++) {
          float[] s = slice(plan.inputSlice(t.z(), k));
          for (int y = 0; y < tileHeight; y++) {
            int rowStart = TilePlan.mirror((long) t.y0() + y, h) * w;
            if (t.x0() + tileWidth <= w) {
              buf.put(s, rowStart + t.x0(), tileWidth);
            } else {
              for (int x = 0; x < tileWidth; x++) {
                row[x] = s[rowStart + TilePlan.mirror((long) t.x0() + x, w)];
              }
              buf.put(row, 0, tileWidth);
            }
          }
        }
      }
      buf.flip();
      return new Batch(first, n, buf);
    }

    private float[] infer(Batch batch) {
      long[] shape = {batch.count, 1, contract.inputDepth(), tileHeight, tileWidth};
      try (OnnxTensor in = OnnxTensor.createTensor(env, batch.buffer, shape);
          OrtSession.Result res = session.run(Map.of(ModelContract.INPUT, in))) {
        OnnxValue v = res.get(ModelContract.OUTPUT).orElseThrow();
        OnnxTensor t = (OnnxTensor) v;
        long[] got = t.getInfo().getShape();
        if (!Arrays.equals(got, new long[] {batch.count, 1, tileHeight, tileWidth})) {
          throw new ModelException("model " + contract.label() + " returned '"
              + ModelContract.OUTPUT + "' of shape " + Arrays.toString(got) + " for input "
              + Arrays.toString(shape) + "; expected [" + batch.count + ", 1, " + tileHeight
              + ", " + tileWidth + "]");
        }
        float[] out = new float[batch.count * tileVoxels];
        t.getFloatBuffer().get(out);
        return out;
      } catch (OrtException e) {
        throw new ModelException("model " + contract.label() + " failed on a batch of shape "
            + Arrays.toString(shape) + ": " + e.getMessage(), e);
      }
    }

    /** On the stitching thread, in batch order. */
    private Void accumulate(Batch batch, float[] logits) {
      for (int i = 0; i < logits.length; i++) {
        logits[i] = (float) (1.0 / (1.0 + Math.exp(-logits[i])));
      }
      int per = plan.tilesPerSlice();
      for (int i = 0; i < batch.count; i++) {
        TilePlan.Tile t = plan.tile(batch.first + i);
        double[] acc = partial.computeIfAbsent(t.z(), z -> stitcher.newAccumulator());
        stitcher.add(acc, t, logits, i * tileVoxels);
        int done = tilesDone.merge(t.z(), 1, Integer::sum);
        if (done == per) {
          partial.remove(t.z());
          tilesDone.remove(t.z());
          write(t.z(), acc);
        }
      }
      doneTotal += batch.count;
      progress.onProgress(new Progress(STAGE, doneTotal, plan.tileCount()));
      return null;
    }

    private void write(int z, double[] acc) {
      float[] out = new float[acc.length];
      stitcher.finish(acc, out);
      Cursor<FloatType> c = Views.flatIterable(Views.interval(target, new long[] {0, 0, z},
          new long[] {plan.width() - 1, plan.height() - 1, z})).cursor();
      for (float v : out) {
        c.next().set(v);
      }
    }
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
