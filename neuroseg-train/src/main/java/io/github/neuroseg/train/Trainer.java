package io.github.neuroseg.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.Progress;
import io.github.neuroseg.ProgressListener;
import io.github.neuroseg.TrainingException;
import io.github.neuroseg.metrics.SegmentationMetrics;
import io.github.neuroseg.training.Inflation;
import io.github.neuroseg.train.weights.PretrainedWeights;
import io.github.neuroseg.train.weights.SafeTensors;
import io.github.neuroseg.training.LabeledVolume;
import io.github.neuroseg.volume.VoxelSize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the 3D slice-segmentation ViT with DJL on the CPU.
 *
 * <p>Each epoch draws {@code stepsPerEpoch} batches of blocks from the training volumes ({@link
 * LabeledVolume}; blocks with too little foreground in the centre slice are skipped, augmented by
 * flips, 90-degree xy rotations and intensity jitter), minimises BCE + Dice with AdamW (linear
 * warm-up, cosine decay to 1% of the rate; pretrained parameters may learn at a fraction of it),
 * then predicts the validation volumes whole, calibrates the probability threshold for the best
 * mean per-volume Dice and records mean Dice and HD95. The best epoch's weights are kept (and written to
 * {@code best.safetensors} in the checkpoint directory); training stops early after {@code
 * patience} epochs without improvement. With a checkpoint directory, {@code last.safetensors}
 * (weights, optimiser moments, counters) is written every epoch and {@link Builder#resume(boolean)}
 * continues from it. Everything random derives from the seed; a resumed run draws the same batches
 * as an uninterrupted one.
 *
 * <pre>{@code
 * TrainingResult r = Trainer.newBuilder()
 *     .model(VitConfig.tiny())
 *     .trainingData(train).validationData(val)
 *     .epochs(10).stepsPerEpoch(50).batchSize(8).learningRate(1e-3)
 *     .listener(p -> System.out.println(p))
 *     .build().train();
 * }</pre>
 *
 * <p>A trainer is immutable; {@link #train()} may be called more than once (each call trains from
 * the start or resumes from the checkpoint directory). It is not meant for concurrent calls
 * sharing one checkpoint directory.
 */
public final class Trainer {
  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
  private final VitConfig config;
  private final List<LabeledVolume> training;
  private final List<LabeledVolume> validation;
  private final @Nullable Path pretrained;
  private final Inflation inflation;
  private final int epochs;
  private final int stepsPerEpoch;
  private final int batchSize;
  private final double learningRate;
  private final double pretrainedLearningRateScale;
  private final double layerDecay;
  private final int warmupSteps;
  private final double weightDecay;
  private final double minForegroundRatio;
  private final boolean augment;
  private final int patience;
  private final long seed;
  private final @Nullable Path checkpointDirectory;
  private final boolean resume;
  private final ProgressListener listener;

  private Trainer(Builder b) {
    this.config = b.config;
    this.training = List.copyOf(b.training);
    this.validation = List.copyOf(b.validation);
    this.pretrained = b.pretrained;
    this.inflation = b.inflation;
    this.epochs = b.epochs;
    this.stepsPerEpoch = b.stepsPerEpoch;
    this.batchSize = b.batchSize;
    this.learningRate = b.learningRate;
    this.pretrainedLearningRateScale = b.pretrainedLearningRateScale;
    this.layerDecay = b.layerDecay;
    this.warmupSteps = b.warmupSteps;
    this.weightDecay = b.weightDecay;
    this.minForegroundRatio = b.minForegroundRatio;
    this.augment = b.augment;
    this.patience = b.patience;
    this.seed = b.seed;
    this.checkpointDirectory = b.checkpointDirectory;
    this.resume = b.resume;
    this.listener = b.listener;
  }

  /** A builder; {@link Builder#model}, training and validation data are required. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /** Learning rate at optimisation step {@code step} (from 0) of {@code total}. */
  static double learningRateAt(double base, long step, long total, long warmup) {
    if (step < warmup) {
      return base * (step + 1) / warmup;
    }
    double progress = total > warmup ? (double) (step - warmup) / (total - warmup) : 1;
    double min = 0.01 * base;
    return min + (base - min) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress)));
  }

  /**
   * Trains and returns the best weights.
   *
   * @throws TrainingException when the loss becomes NaN or a checkpoint cannot be resumed
   * @throws InvalidInputException when a volume is smaller than the tile
   */
  public TrainingResult train() {
    List<PreparedVolume> train = prepare(training);
    List<PreparedVolume> val = prepare(validation);
    Map<String, WeightTensor> init = pretrained != null
        ? PretrainedWeights.inflate(PretrainedWeights.read(pretrained), config, inflation, seed)
        : VitModel.initialWeights(config, seed);
    BlockSampler sampler = new BlockSampler(train, config, minForegroundRatio, augment);
    long total = (long) epochs * stepsPerEpoch;
    Map<String, String> provenance = provenance();
    try (VitModel model = VitModel.of(config, init);
        AdamW opt = new AdamW(model.parameters());
        NDManager root = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
      for (NDArray p : model.parameters().values()) {
        p.setRequiresGradient(true);
      }
      List<EpochStats> history = new ArrayList<>();
      int startEpoch = 1;
      double bestDice = -1;
      double bestThreshold = 0.5;
      double bestHd95 = Double.NaN;
      int bestEpoch = 0;
      int stale = 0;
      Map<String, WeightTensor> best = model.weights();
      Path last = checkpointDirectory == null ? null : checkpointDirectory.resolve(
          "last.safetensors");
      if (resume && last != null && Files.exists(last)) {
        SafeTensors.Contents c = SafeTensors.read(last);
        Map<String, String> meta = c.metadata();
        if (!config.toString().equals(meta.get("config"))) {
          throw new TrainingException("cannot resume from " + last + ": it was trained for "
              + meta.get("config") + ", this trainer has " + config);
        }
        Map<String, WeightTensor> w = new LinkedHashMap<>();
        for (String k : config.parameterShapes().keySet()) {
          w.put(k, c.tensors().get(k));
        }
        model.setWeights(w);
        opt.restore(c.tensors(), Long.parseLong(meta.get("step")));
        startEpoch = Integer.parseInt(meta.get("epoch")) + 1;
        bestDice = Double.parseDouble(meta.get("best_dice"));
        bestThreshold = Double.parseDouble(meta.get("best_threshold"));
        bestHd95 = Double.parseDouble(meta.get("best_hd95"));
        bestEpoch = Integer.parseInt(meta.get("best_epoch"));
        stale = Integer.parseInt(meta.get("stale"));
        history.addAll(parseHistory(meta.get("history")));
        Path bestFile = checkpointDirectory.resolve("best.safetensors");
        best = Files.exists(bestFile) ? SafeTensors.read(bestFile).tensors() : model.weights();
        LOG.info("resuming after epoch {} from {}", startEpoch - 1, last);
      }
      int per = config.inputDepth() * config.tileHeight() * config.tileWidth();
      int hw = config.tileHeight() * config.tileWidth();
      float[] x = new float[batchSize * per];
      float[] y = new float[batchSize * hw];
      Engine engine = Engine.getEngine("PyTorch");
      for (int epoch = startEpoch; epoch <= epochs && stale < patience; epoch++) {
        SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + epoch);
        double lossSum = 0;
        double lr = learningRate;
        for (int s = 0; s < stepsPerEpoch; s++) {
          sampler.batch(rnd, batchSize, x, y);
          double loss;
          try (NDManager scope = root.newSubManager();
              GradientCollector gc = engine.newGradientCollector()) {
            NDArray in = scope.create(x, new Shape(batchSize, 1, config.inputDepth(),
                config.tileHeight(), config.tileWidth()));
            NDArray target = scope.create(y, new Shape(batchSize, 1, config.tileHeight(),
                config.tileWidth()));
            NDArray l = Losses.bceDice(model.forward(in), target);
            gc.backward(l);
            loss = l.getFloat();
          }
          if (!Double.isFinite(loss)) {
            throw new TrainingException("the loss became " + loss + " in epoch " + epoch
                + ", step " + (s + 1) + "; lower the learning rate (now " + learningRate + ")");
          }
          lr = learningRateAt(learningRate, opt.steps(), total, warmupSteps);
          opt.step(model.parameters(), lr, weightDecay, this::learningRateFactor);
          lossSum += loss;
          listener.onProgress(new Progress("train epoch " + epoch, s + 1, stepsPerEpoch));
        }
        listener.onProgress(new Progress("validate epoch " + epoch, 0, val.size()));
        List<float[]> probs = new ArrayList<>();
        for (int k = 0; k < val.size(); k++) {
          probs.add(Evaluation.probabilities(model, val.get(k)));
          listener.onProgress(new Progress("validate epoch " + epoch, k + 1, val.size()));
        }
        double t = Evaluation.calibrate(probs, val);
        List<SegmentationMetrics.VolumeScores> scores = new ArrayList<>();
        for (int k = 0; k < val.size(); k++) {
          scores.add(Evaluation.score(probs.get(k), val.get(k), t));
        }
        SegmentationMetrics.Summary sum = SegmentationMetrics.mean(scores);
        EpochStats st = new EpochStats(epoch, lossSum / stepsPerEpoch, sum.meanDice(),
            sum.meanHd95Voxels(), t, lr);
        history.add(st);
        LOG.info(String.format(Locale.ROOT,
            "epoch %d: loss %.4f, validation Dice %.4f, HD95 %.2f voxels, threshold %.2f",
            epoch, st.trainLoss(), st.validationDice(), st.validationHd95(), t));
        if (sum.meanDice() > bestDice) {
          bestDice = sum.meanDice();
          bestHd95 = sum.meanHd95Voxels();
          bestThreshold = t;
          bestEpoch = epoch;
          stale = 0;
          best = model.weights();
          if (checkpointDirectory != null) {
            Map<String, String> meta = new LinkedHashMap<>(provenance);
            meta.put("epochs", Integer.toString(epoch));
            meta.put("val_dice", Double.toString(bestDice));
            meta.put("threshold", Double.toString(bestThreshold));
            meta.put("config", config.toString());
            SafeTensors.write(checkpointDirectory.resolve("best.safetensors"), best, meta);
          }
        } else {
          stale++;
        }
        if (last != null) {
          Map<String, WeightTensor> all = new LinkedHashMap<>(model.weights());
          all.putAll(opt.state());
          Map<String, String> meta = new LinkedHashMap<>();
          meta.put("config", config.toString());
          meta.put("epoch", Integer.toString(epoch));
          meta.put("step", Long.toString(opt.steps()));
          meta.put("best_dice", Double.toString(bestDice));
          meta.put("best_threshold", Double.toString(bestThreshold));
          meta.put("best_hd95", Double.toString(bestHd95));
          meta.put("best_epoch", Integer.toString(bestEpoch));
          meta.put("stale", Integer.toString(stale));
          meta.put("history", formatHistory(history));
          SafeTensors.write(last, all, meta);
        }
      }
      provenance.put("epochs", Integer.toString(bestEpoch));
      provenance.put("val_dice", String.format(Locale.ROOT, "%.6f", bestDice));
      provenance.put("threshold", String.format(Locale.ROOT, "%.2f", bestThreshold));
      return new TrainingResult(config, best, bestThreshold, bestDice, bestHd95, bestEpoch,
          history, provenance);
    }
  }

  private double learningRateFactor(String name) {
    return pretrained == null ? 1.0
        : learningRateFactor(name, config.layers(), pretrainedLearningRateScale, layerDecay);
  }

  /**
   * The learning-rate factor of a pretrained parameter: 1 for the new head; {@code scale} for the
   * final norm; {@code scale * decay^(L - i)} for block {@code i} (0-based) and {@code scale *
   * decay^(L + 1)} for the embeddings (patch, class token, position), so that layers nearer the
   * input, holding the most generic features, change least.
   */
  static double learningRateFactor(String name, int layers, double scale, double decay) {
    if (name.startsWith("head.")) {
      return 1.0;
    }
    if (name.startsWith("norm.")) {
      return scale;
    }
    if (name.startsWith("blocks.")) {
      int i = Integer.parseInt(name.substring(7, name.indexOf('.', 7)));
      return scale * Math.pow(decay, layers - i);
    }
    return scale * Math.pow(decay, layers + 1);
  }

  private List<PreparedVolume> prepare(List<LabeledVolume> volumes) {
    List<PreparedVolume> out = new ArrayList<>();
    for (LabeledVolume v : volumes) {
      out.add(new PreparedVolume(v, config));
    }
    return out;
  }

  private Map<String, String> provenance() {
    Map<String, String> m = new LinkedHashMap<>();
    VoxelSize vs = training.get(0).image().voxelSize();
    m.put("neuroseg.format", "1");
    m.put("input_depth", Integer.toString(config.inputDepth()));
    m.put("tile_h", Integer.toString(config.tileHeight()));
    m.put("tile_w", Integer.toString(config.tileWidth()));
    m.put("patch", Integer.toString(config.patch()));
    // with the sizes above these make the architecture explicit, so a checkpoint can be exported
    m.put("embed", Integer.toString(config.embedDim()));
    m.put("layers", Integer.toString(config.layers()));
    m.put("heads", Integer.toString(config.heads()));
    m.put("normalization", PreparedVolume.NORMALIZATION.spec());
    m.put("voxel_size", String.format(Locale.ROOT, "%s,%s,%s", vs.x(), vs.y(), vs.z()));
    m.put("inflation", pretrained == null ? "none" : inflation.name().toLowerCase(Locale.ROOT));
    m.put("pretrained", pretrained == null ? "none" : pretrained.getFileName().toString());
    m.put("seed", Long.toString(seed));
    return m;
  }

  private static String formatHistory(List<EpochStats> h) {
    StringBuilder b = new StringBuilder();
    for (EpochStats s : h) {
      b.append(b.length() == 0 ? "" : ";").append(s.epoch()).append(',').append(s.trainLoss())
          .append(',').append(s.validationDice()).append(',').append(s.validationHd95())
          .append(',').append(s.threshold()).append(',').append(s.learningRate());
    }
    return b.toString();
  }

  private static List<EpochStats> parseHistory(@Nullable String text) {
    List<EpochStats> out = new ArrayList<>();
    if (text == null || text.isEmpty()) {
      return out;
    }
    for (String row : text.split(";")) {
      String[] f = row.split(",");
      out.add(new EpochStats(Integer.parseInt(f[0]), Double.parseDouble(f[1]),
          Double.parseDouble(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[4]),
          Double.parseDouble(f[5])));
    }
    return out;
  }

  /** Builder of {@link Trainer}; setters return this builder. */
  public static final class Builder {
    private @Nullable VitConfig config;
    private List<LabeledVolume> training = List.of();
    private List<LabeledVolume> validation = List.of();
    private @Nullable Path pretrained;
    private Inflation inflation = Inflation.AVERAGE;
    private int epochs = 20;
    private int stepsPerEpoch = 100;
    private int batchSize = 8;
    private double learningRate = 5e-4;
    private double pretrainedLearningRateScale = 1.0;
    private double layerDecay = 1.0;
    private int warmupSteps = 50;
    private double weightDecay = 0.05;
    private double minForegroundRatio = 0.01;
    private boolean augment = true;
    private int patience = 5;
    private long seed;
    private @Nullable Path checkpointDirectory;
    private boolean resume;
    private ProgressListener listener = ProgressListener.NONE;

    private Builder() {}

    /** The network to train (required). */
    public Builder model(VitConfig value) {
      this.config = value;
      return this;
    }

    /** Training volumes (required, not empty). */
    public Builder trainingData(List<LabeledVolume> value) {
      this.training = List.copyOf(value);
      return this;
    }

    /** Validation volumes for model selection and threshold calibration (required). */
    public Builder validationData(List<LabeledVolume> value) {
      this.validation = List.copyOf(value);
      return this;
    }

    /** A 2D checkpoint (.safetensors or .pth) to inflate, or null to train from scratch. */
    public Builder pretrained(@Nullable Path value) {
      this.pretrained = value;
      return this;
    }

    /** How the pretrained patch kernel is spread over depth (default AVERAGE). */
    public Builder inflation(Inflation value) {
      this.inflation = value;
      return this;
    }

    /** Maximum number of epochs (default 20). */
    public Builder epochs(int value) {
      this.epochs = positive("epochs", value);
      return this;
    }

    /** Optimisation steps per epoch (default 100). */
    public Builder stepsPerEpoch(int value) {
      this.stepsPerEpoch = positive("steps per epoch", value);
      return this;
    }

    /** Blocks per step (default 8). */
    public Builder batchSize(int value) {
      this.batchSize = positive("batch size", value);
      return this;
    }

    /** Peak learning rate (default 5e-4). */
    public Builder learningRate(double value) {
      if (!(value > 0) || Double.isInfinite(value)) {
        throw new InvalidInputException("learning rate must be finite and > 0, got " + value);
      }
      this.learningRate = value;
      return this;
    }

    /**
     * Factor on the learning rate of pretrained parameters (everything but the head) when a
     * pretrained checkpoint is used (default 1; e.g. 0.1 to change them more gently).
     */
    public Builder pretrainedLearningRateScale(double value) {
      if (!(value >= 0 && value <= 1)) {
        throw new InvalidInputException("pretrained learning-rate scale must be in [0, 1], got "
            + value);
      }
      this.pretrainedLearningRateScale = value;
      return this;
    }

    /**
     * Layer-wise decay of the learning rate of pretrained parameters (default 1: none). With
     * {@code d < 1}, block {@code i} of {@code L} learns at {@code scale * d^(L - i)} and the
     * embeddings at {@code scale * d^(L + 1)} times the rate; the final norm at {@code scale}, the
     * head at the full rate.
     */
    public Builder layerDecay(double value) {
      if (!(value > 0 && value <= 1)) {
        throw new InvalidInputException("layer decay must be in (0, 1], got " + value);
      }
      this.layerDecay = value;
      return this;
    }

    /** Steps of linear warm-up (default 50). */
    public Builder warmupSteps(int value) {
      if (value < 0) {
        throw new InvalidInputException("warm-up steps must be >= 0, got " + value);
      }
      this.warmupSteps = value;
      return this;
    }

    /** Decoupled weight decay (default 0.05). */
    public Builder weightDecay(double value) {
      if (!(value >= 0) || Double.isInfinite(value)) {
        throw new InvalidInputException("weight decay must be finite and >= 0, got " + value);
      }
      this.weightDecay = value;
      return this;
    }

    /** Minimum foreground fraction of a block's centre-slice label (default 0.01). */
    public Builder minForegroundRatio(double value) {
      if (!(value >= 0 && value <= 1)) {
        throw new InvalidInputException("foreground ratio must be in [0, 1], got " + value);
      }
      this.minForegroundRatio = value;
      return this;
    }

    /** Whether to augment blocks (default true). */
    public Builder augment(boolean value) {
      this.augment = value;
      return this;
    }

    /** Epochs without validation improvement before stopping (default 5). */
    public Builder patience(int value) {
      this.patience = positive("patience", value);
      return this;
    }

    /** Seed of initialisation, sampling and augmentation (default 0). */
    public Builder seed(long value) {
      this.seed = value;
      return this;
    }

    /** Where best.safetensors and last.safetensors go, or null for none (default none). */
    public Builder checkpointDirectory(@Nullable Path value) {
      this.checkpointDirectory = value;
      return this;
    }

    /** Whether to continue from last.safetensors in the checkpoint directory (default false). */
    public Builder resume(boolean value) {
      this.resume = value;
      return this;
    }

    /** Receives progress per step and per validation volume (default none). */
    public Builder listener(ProgressListener value) {
      this.listener = value;
      return this;
    }

    /**
     * The trainer.
     *
     * @throws InvalidInputException when the model or the data are missing or empty
     */
    public Trainer build() {
      if (config == null) {
        throw new InvalidInputException("a model configuration is required");
      }
      if (training.isEmpty()) {
        throw new InvalidInputException("the training data set is empty; give at least one "
            + "labelled volume");
      }
      if (validation.isEmpty()) {
        throw new InvalidInputException("the validation data set is empty; give at least one "
            + "labelled volume");
      }
      return new Trainer(this);
    }

    private static int positive(String what, int v) {
      if (v <= 0) {
        throw new InvalidInputException(what + " must be > 0, got " + v);
      }
      return v;
    }
  }
}
