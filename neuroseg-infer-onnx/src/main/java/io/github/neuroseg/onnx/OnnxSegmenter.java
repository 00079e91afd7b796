package io.github.neuroseg.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.github.neuroseg.Device;
import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.ModelException;
import io.github.neuroseg.Progress;
import io.github.neuroseg.StateException;
import io.github.neuroseg.model.ModelContract;
import io.github.neuroseg.model.internal.TilePlan;
import io.github.neuroseg.model.internal.TiledPrediction;
import io.github.neuroseg.segmentation.PostProcessing;
import io.github.neuroseg.segmentation.Segmentation;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.segmentation.SegmenterConfig;
import io.github.neuroseg.volume.Normalization;
import io.github.neuroseg.volume.Volume;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.img.cell.CellImgFactory;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.util.Intervals;
import net.imglib2.view.Views;

/**
 * A {@link Segmenter} running a neuroseg ONNX model (see {@link ModelContract}) with ONNX
 * Runtime: the session comes from {@link OrtSessions}, the volume is predicted tile by tile by
 * the shared {@link TiledPrediction} (the same tiling and stitching training validation uses),
 * with ONNX Runtime as the batch predictor.
 *
 * <p><b>Device.</b> {@code Device.cuda(id)} adds ONNX Runtime's CUDA execution provider. When it
 * cannot be used (the CPU artifact of ONNX Runtime, no driver, no such GPU) the segmenter logs one
 * warning and runs on the CPU; in strict mode it throws {@link io.github.neuroseg.DeviceException}
 * instead. {@link SegmenterConfig#device()} of {@link #config()} says where it runs.
 *
 * <p><b>Constant volumes.</b> When the normalisation's range of a volume is {@linkplain
 * Normalization.Range#isConstant() constant} (a constant volume under {@code percentile} or {@code
 * minmax}), the probabilities are all 0 and the model is not run: such a volume holds no neuron,
 * and a model fed a constant input would answer with its biases.
 *
 * <p>Instances are immutable and thread-safe; {@link #close()} is idempotent and waits for running
 * {@code segment} calls.
 */
final class OnnxSegmenter implements Segmenter {
  private static final String STAGE = "segment";

  private final OrtEnvironment env;
  private final OrtSession session;
  private final ModelContract contract;
  private final SegmenterConfig config;
  private final Normalization normalization;
  private final int workers;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean closed;

  private OnnxSegmenter(OrtEnvironment env, OrtSessions.Opened opened, SegmenterConfig requested) {
    this.env = env;
    this.session = opened.session();
    this.contract = opened.contract();
    int tileWidth = requested.tileWidth() != null ? requested.tileWidth() : contract.tileWidth();
    int tileHeight =
        requested.tileHeight() != null ? requested.tileHeight() : contract.tileHeight();
    contract.checkTile(tileWidth, tileHeight);
    int overlap = requested.overlap() != null ? requested.overlap()
        : SegmenterConfig.defaultOverlap(tileWidth, tileHeight);
    if (overlap >= Math.min(tileWidth, tileHeight)) {
      throw new InvalidInputException("overlap must be smaller than the tile (" + tileWidth
          + " x " + tileHeight + "), got " + overlap);
    }
    this.normalization = requested.normalization() != null
        ? requested.normalization() : contract.normalization();
    double threshold =
        requested.threshold() != null ? requested.threshold() : contract.threshold();
    this.workers = requested.workers() > 0 ? requested.workers()
        : SegmenterConfig.defaultWorkers(Runtime.getRuntime().availableProcessors());
    this.config = new SegmenterConfig(requested.model(), opened.device(),
        requested.strictDevice(), tileWidth, tileHeight, overlap, requested.blending(),
        requested.batchSize(), OrtSessions.threads(requested), workers, normalization,
        threshold, requested.testTimeAugmentation(), requested.progress());
  }

  /**
   * Loads the model and prepares a session.
   *
   * @throws ModelException when the model is not ONNX or breaks the {@link ModelContract}
   * @throws io.github.neuroseg.NeuroSegIOException when the model file cannot be read
   * @throws io.github.neuroseg.DeviceException when CUDA was requested in strict mode and cannot
   *     be used
   * @throws InvalidInputException for settings that do not fit the model
   */
  static OnnxSegmenter create(SegmenterConfig config) {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSessions.Opened opened = OrtSessions.open(env, config);
    try {
      return new OnnxSegmenter(env, opened, config);
    } catch (RuntimeException e) {
      OrtSessions.closeQuietly(opened.session());
      throw e;
    }
  }

  /** The model's contract (metadata and signature). */
  ModelContract contract() {
    return contract;
  }

  /** Where inference runs: the requested device, or the CPU after a fallback. */
  Device device() {
    return config.device();
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
    predict(volume, () -> {
      for (FloatType t : Views.iterable(zeroTarget)) {
        t.setZero();
      }
    }, (plan, prediction, range, batches) ->
        prediction.run(volume.image(), range, zeroTarget, batches));
    return new Segmentation(target, config.threshold(), volume.voxelSize());
  }

  /**
   * The mask of {@link #segment}, thresholded slice by slice as the slices are finished: no
   * probability map of the whole volume is held.
   */
  @Override
  public RandomAccessibleInterval<UnsignedByteType> segmentMask(Volume volume) {
    float t = config.threshold().floatValue();
    return segmentBytes(volume, p -> p >= t ? 1 : 0);
  }

  /** The levels of {@link #segment}'s probabilities, taken slice by slice. */
  @Override
  public RandomAccessibleInterval<UnsignedByteType> segmentLevels(Volume volume, double low,
      double high) {
    return segmentBytes(volume, p -> PostProcessing.level(p, low, high));
  }

  /** A byte per voxel computed from its probability. */
  private interface ByteOf {
    int of(float probability);
  }

  /**
   * {@code f} of every voxel's probability, one byte per voxel, each slice converted as soon as
   * it is finished.
   */
  private RandomAccessibleInterval<UnsignedByteType> segmentBytes(Volume volume, ByteOf f) {
    long[] dims = volume.dimensions();
    boolean oneArray = Intervals.numElements(volume.image()) <= Integer.MAX_VALUE - 8;
    RandomAccessibleInterval<UnsignedByteType> out = oneArray ? ArrayImgs.unsignedBytes(dims)
        : new CellImgFactory<>(new UnsignedByteType(), 256, 256, 16).create(dims);
    predict(volume, () -> {
      // the probabilities of a volume without contrast are all 0
      int v = f.of(0f);
      for (UnsignedByteType b : Views.iterable(out)) {
        b.set(v);
      }
    }, (plan, prediction, range, batches) -> {
      byte[] array = oneArray ? ((ArrayImg<UnsignedByteType, ByteArray>) out).update(null)
          .getCurrentStorageArray() : null;
      prediction.run(volume.image(), range, (z, slice) -> {
        if (array != null) {
          int at = z * slice.length;
          for (int i = 0; i < slice.length; i++) {
            array[at + i] = (byte) f.of(slice[i]);
          }
        } else {
          Cursor<UnsignedByteType> c = Views.flatIterable(Views.interval(out,
              new long[] {0, 0, z}, new long[] {dims[0] - 1, dims[1] - 1, z})).cursor();
          for (float p : slice) {
            c.next().set(f.of(p));
          }
        }
      }, batches);
    });
    return out;
  }

  @Override
  public void segmentBox(Volume volume, Normalization.Range range, long[] min, long[] max,
      RandomAccessibleInterval<FloatType> target) {
    RandomAccessibleInterval<FloatType> zeroTarget =
        Views.isZeroMin(target) ? target : Views.zeroMin(target);
    lock.readLock().lock();
    try {
      TilePlan plan = openPlan(volume);
      if (range.isConstant()) {
        // as segmentInto: no contrast, no neuron
        TiledPrediction.checkBox(plan, min, max, zeroTarget);
        for (FloatType t : Views.iterable(zeroTarget)) {
          t.setZero();
        }
        return;
      }
      try (OrtBatches batches = new OrtBatches()) {
        prediction(plan).runBox(volume.image(), range, min, max, zeroTarget, batches);
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Runs one tiled prediction. */
  private interface Predict {
    void run(TilePlan plan, TiledPrediction prediction, Normalization.Range range,
        OrtBatches batches);
  }

  /**
   * The shared body of every segmentation: the plan, the normalisation, and either the
   * prediction or, for a volume without contrast, {@code constant} (the model is not run).
   */
  private void predict(Volume volume, Runnable constant, Predict run) {
    lock.readLock().lock();
    try {
      TilePlan plan = openPlan(volume);
      Normalization.Range range = normalization.range(volume.image());
      if (range.isConstant()) {
        // no contrast, so no neuron; the model would only see a constant input (range() has
        // logged the warning)
        constant.run();
        config.progress().onProgress(new Progress(STAGE, plan.tileCount(), plan.tileCount()));
        return;
      }
      try (OrtBatches batches = new OrtBatches()) {
        run.run(plan, prediction(plan), range, batches);
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The volume's tile plan; the caller holds the read lock. */
  private TilePlan openPlan(Volume volume) {
    if (closed) {
      throw new StateException("this segmenter is closed; build a new one with "
          + "NeuroSeg.segmenter()");
    }
    long[] d = volume.dimensions();
    return TilePlan.of(d[0], d[1], d[2], config.tileWidth(), config.tileHeight(),
        config.overlap(), contract.inputDepth());
  }

  /** A prediction over {@code plan} with this segmenter's settings. */
  private TiledPrediction prediction(TilePlan plan) {
    return new TiledPrediction(plan, config.blending(), config.batchSize(), workers,
        config.testTimeAugmentation(), contract.output(), STAGE, config.progress());
  }

  /**
   * ONNX Runtime as the predictor of one {@code segment} call, on the segmenting thread. The
   * input tensors wrap the prediction's pooled direct buffers and are kept for the next batches
   * that come in the same buffer; the output is written by ONNX Runtime into one direct buffer
   * bound to the session's output (pinned) and copied once into the prediction's array. The
   * first batch of each size runs unpinned so that an output of the wrong shape is reported as
   * such.
   */
  private final class OrtBatches implements TiledPrediction.BatchPredictor, AutoCloseable {
    private final int th = config.tileHeight();
    private final int tw = config.tileWidth();
    private final String output = contract.output().tensorName();
    private final Map<FloatBuffer, Map<Integer, OnnxTensor>> inputs = new IdentityHashMap<>();
    private final Map<Integer, Pinned> outputs = new HashMap<>();
    private final Set<Integer> checked = new HashSet<>();

    @Override
    public float[] predict(FloatBuffer input, int count) {
      float[] out = new float[count * th * tw];
      predictInto(input, count, th * tw, out);
      check(out, count, th * tw);
      return out;
    }

    @Override
    public void predictInto(FloatBuffer input, int count, int tileVoxels, float[] out) {
      long[] shape = {count, 1, contract.inputDepth(), th, tw};
      try {
        OnnxTensor in = inputs.computeIfAbsent(input, b -> new HashMap<>()).get(count);
        if (in == null) {
          in = OnnxTensor.createTensor(env, input, shape);
          inputs.get(input).put(count, in);
        }
        int n = count * th * tw;
        FloatBuffer result;
        if (checked.add(count)) {
          try (OrtSession.Result res = session.run(Map.of(ModelContract.INPUT, in),
              Set.of(output))) {
            OnnxTensor t = (OnnxTensor) res.get(output).orElseThrow();
            long[] got = t.getInfo().getShape();
            if (!Arrays.equals(got, new long[] {count, 1, th, tw})) {
              throw new ModelException("model " + contract.label() + " returned '" + output
                  + "' of shape " + Arrays.toString(got) + " for input "
                  + Arrays.toString(shape) + "; expected [" + count + ", 1, " + th + ", " + tw
                  + "]");
            }
            result = t.getFloatBuffer();
          }
        } else {
          Pinned pinned = outputs.get(count);
          if (pinned == null) {
            FloatBuffer b = ByteBuffer.allocateDirect(n * Float.BYTES)
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
            pinned = new Pinned(OnnxTensor.createTensor(env, b, new long[] {count, 1, th, tw}),
                b);
            outputs.put(count, pinned);
          }
          session.run(Map.of(ModelContract.INPUT, in), Set.of(), Map.of(output, pinned.tensor()))
              .close();
          result = pinned.buffer().duplicate();
          result.clear();
        }
        result.get(out, 0, n);
      } catch (OrtException e) {
        throw new ModelException("model " + contract.label() + " failed on a batch of shape "
            + Arrays.toString(shape) + ": " + e.getMessage(), e);
      }
    }

    @Override
    public void check(float[] out, int count, int tileVoxels) {
      for (int i = 0; i < count * tileVoxels; i++) {
        // NaN would become an all-NaN probability map and an empty mask, as if nothing were
        // found; infinities are fine (certain background or foreground)
        if (Float.isNaN(out[i])) {
          throw new ModelException("model " + contract.label() + " returned NaN for pixel ["
              + (i % tw) + ", " + (i / tw % th) + "] of tile " + (i / (tw * th)) + " of a batch of "
              + count + " (" + tw + " x " + th + "); its weights or its input are broken");
        }
      }
    }

    @Override
    public void close() {
      inputs.values().forEach(m -> m.values().forEach(OnnxTensor::close));
      outputs.values().forEach(p -> p.tensor().close());
    }
  }

  /** An output tensor bound to a direct buffer that ONNX Runtime writes into. */
  private record Pinned(OnnxTensor tensor, FloatBuffer buffer) {}

  /** Releases the ONNX Runtime session, after running calls finish. Idempotent. */
  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        OrtSessions.closeQuietly(session);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public String toString() {
    return "OnnxSegmenter[" + contract.label() + ", " + config.device() + ", tile "
        + config.tileWidth() + "x" + config.tileHeight() + ", overlap " + config.overlap() + ", "
        + normalization + "]";
  }
}
