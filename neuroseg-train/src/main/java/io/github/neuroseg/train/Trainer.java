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
import io.github.neuroseg.internal.Quote;
import io.github.neuroseg.metrics.SegmentationMetrics;
import io.github.neuroseg.model.FloatTensor;
import io.github.neuroseg.model.ModelContract;
import io.github.neuroseg.model.VitWeights;
import io.github.neuroseg.training.EpochStats;
import io.github.neuroseg.training.LabeledVolume;
import io.github.neuroseg.training.TrainerConfig;
import io.github.neuroseg.training.VitArchitecture;
import io.github.neuroseg.volume.VoxelSize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
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
 * (weights, optimiser moments, counters, history) is written every epoch and {@link
 * TrainerConfig#resume()} continues from it. Everything random derives from the seed; a resumed
 * run draws the same batches as an uninterrupted one. Validation predicts each volume whole with
 * the tiling and stitching of {@code segment()} ({@link Evaluation}).
 *
 * <p>Every setting comes from a {@link TrainerConfig}, built by {@code NeuroSeg.trainer()}: this
 * class has no defaults of its own. A trainer is immutable; {@link #train()} may be called more
 * than once (each call trains from the start or resumes from the checkpoint directory). It is not
 * meant for concurrent calls sharing one checkpoint directory.
 */
final class Trainer {
  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
  /** The best weights so far, with the model metadata; {@code export} turns it into a model. */
  static final String BEST = "best.safetensors";
  /** The whole training state after the last finished epoch, for resuming. */
  static final String LAST = TrainerConfig.LAST_CHECKPOINT;
  /** Model metadata the trainer writes itself; {@link TrainerConfig#provenance()} may not. */
  static final Set<String> RESERVED_KEYS = Set.of(ModelContract.FORMAT,
      ModelContract.INPUT_DEPTH, ModelContract.TILE_H, ModelContract.TILE_W, ModelContract.PATCH,
      ModelContract.EMBED, ModelContract.LAYERS, ModelContract.HEADS, ModelContract.HEAD,
      ModelContract.LAYER_SCALE, ModelContract.REGISTERS, ModelContract.PRETRAINED_DISTRIBUTION,
      ModelContract.CHANNEL_REDUCTION,
      ModelContract.NORMALIZATION, ModelContract.THRESHOLD, ModelContract.VOXEL_SIZE,
      ModelContract.INFLATION, ModelContract.PRETRAINED, ModelContract.EPOCHS, ModelContract.SEED,
      ModelContract.VAL_DICE, ModelContract.VAL_HD95, ModelContract.TRAINING_CASES,
      ModelContract.VALIDATION_CASES, ModelContract.TEST_DICE, ModelContract.TEST_HD95);

  private final TrainerConfig settings;
  private final VitArchitecture config;

  /**
   * A trainer with these settings.
   *
   * @throws InvalidInputException when the provenance names a key the trainer writes itself
   */
  Trainer(TrainerConfig settings) {
    this.settings = settings;
    this.config = settings.architecture();
    List<String> reserved = settings.provenance().keySet().stream()
        .filter(k -> RESERVED_KEYS.contains(k)
            || (k.equals(ModelContract.TEST_CASES) && !settings.testData().isEmpty()))
        .sorted().toList();
    if (!reserved.isEmpty()) {
      throw new InvalidInputException("provenance " + reserved + " is written by the trainer "
          + "itself; give other keys (e.g. " + ModelContract.TRAINING_COMMAND + ", "
          + ModelContract.TRAINING_DATA + ")");
    }
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
  TrainingResult train() {
    List<PreparedVolume> train = prepare(settings.trainingData());
    List<PreparedVolume> val = prepare(settings.validationData());
    List<PreparedVolume> test = prepare(settings.testData());
    Path pretrained = settings.pretrained();
    long seed = settings.seed();
    PretrainedWeights.Read ck = pretrained != null
        ? PretrainedWeights.read(pretrained, settings.pretrainedPart()) : null;
    Map<String, FloatTensor> init = ck != null
        ? PretrainedWeights.inflate(ck.tensors(), config, settings.inflation(),
            settings.channelReduction(), seed)
        : VitWeights.initial(config, seed);
    BlockSampler sampler = new BlockSampler(train, config, settings.minForegroundRatio(),
        settings.hardNegativeFraction(), settings.gainRange(), settings.augment());
    int epochs = settings.epochs();
    int stepsPerEpoch = settings.stepsPerEpoch();
    int batchSize = settings.batchSize();
    double learningRate = settings.learningRate();
    ProgressListener listener = settings.progress();
    Path checkpointDirectory = settings.checkpointDirectory();
    long total = (long) epochs * stepsPerEpoch;
    Map<String, String> provenance = provenance();
    if (ck != null) {
      provenance.put(ModelContract.PRETRAINED_DISTRIBUTION, ck.report().label());
    }
    ai.djl.Device device = DjlDevices.of(settings.device());
    try (VitModel model = VitModel.of(config, init, device);
        AdamW opt = new AdamW(model.parameters());
        NDManager root = NDManager.newBaseManager(device, "PyTorch")) {
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
      Map<String, FloatTensor> best = model.weights();
      Path last = checkpointDirectory == null ? null : checkpointDirectory.resolve(LAST);
      if (settings.resume() && last != null) {
        if (!Files.exists(last)) {
          throw new TrainingException("cannot resume: " + last + " does not exist; train "
              + "without resume to start afresh, or give the folder of an earlier run");
        }
        SafeTensors.Contents c = SafeTensors.read(last);
        Map<String, String> meta = c.metadata();
        String source = last.toString();
        if (!config.toString().equals(meta.get(ModelContract.CHECKPOINT_ARCHITECTURE))) {
          throw new TrainingException("cannot resume from " + last + ": it was trained for "
              + meta.get(ModelContract.CHECKPOINT_ARCHITECTURE) + ", this trainer has "
              + config);
        }
        Map<String, FloatTensor> w = new LinkedHashMap<>();
        for (String k : config.weightShapes().keySet()) {
          w.put(k, c.tensors().get(k));
        }
        model.setWeights(w);
        opt.restore(c.tensors(), (long) number(meta, ModelContract.CHECKPOINT_STEP, source));
        startEpoch = (int) number(meta, ModelContract.CHECKPOINT_EPOCH, source) + 1;
        bestDice = number(meta, ModelContract.CHECKPOINT_BEST_DICE, source);
        bestThreshold = number(meta, ModelContract.CHECKPOINT_BEST_THRESHOLD, source);
        bestHd95 = number(meta, ModelContract.CHECKPOINT_BEST_HD95, source);
        bestEpoch = (int) number(meta, ModelContract.CHECKPOINT_BEST_EPOCH, source);
        stale = (int) number(meta, ModelContract.CHECKPOINT_STALE, source);
        history.addAll(ModelContract.history(meta, source));
        Path bestFile = checkpointDirectory.resolve(BEST);
        best = Files.exists(bestFile) ? SafeTensors.read(bestFile).tensors() : model.weights();
        LOG.info("resuming after epoch {} from {}", startEpoch - 1, last);
      }
      int per = config.inputDepth() * config.tileHeight() * config.tileWidth();
      int hw = config.tileHeight() * config.tileWidth();
      float[] x = new float[Math.multiplyExact(batchSize, per)];
      float[] y = new float[Math.multiplyExact(batchSize, hw)];
      Engine engine = Engine.getEngine("PyTorch");
      for (int epoch = startEpoch; epoch <= epochs && stale < settings.patience(); epoch++) {
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
          lr = learningRateAt(learningRate, opt.steps(), total, settings.warmupSteps());
          opt.step(model.parameters(), lr, settings.weightDecay(), this::learningRateFactor);
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
            SafeTensors.write(checkpointDirectory.resolve(BEST), best,
                scored(provenance, bestEpoch, bestDice, bestHd95, bestThreshold));
          }
        } else {
          stale++;
        }
        if (last != null) {
          Map<String, FloatTensor> all = new LinkedHashMap<>(model.weights());
          all.putAll(opt.state());
          Map<String, String> meta = new LinkedHashMap<>();
          meta.put(ModelContract.CHECKPOINT_ARCHITECTURE, config.toString());
          meta.put(ModelContract.CHECKPOINT_EPOCH, Integer.toString(epoch));
          meta.put(ModelContract.CHECKPOINT_STEP, Long.toString(opt.steps()));
          meta.put(ModelContract.CHECKPOINT_BEST_DICE, Double.toString(bestDice));
          meta.put(ModelContract.CHECKPOINT_BEST_THRESHOLD, Double.toString(bestThreshold));
          meta.put(ModelContract.CHECKPOINT_BEST_HD95, Double.toString(bestHd95));
          meta.put(ModelContract.CHECKPOINT_BEST_EPOCH, Integer.toString(bestEpoch));
          meta.put(ModelContract.CHECKPOINT_STALE, Integer.toString(stale));
          meta.putAll(ModelContract.historyMetadata(history));
          SafeTensors.write(last, all, meta);
        }
      }
      Map<String, String> metadata = scored(provenance, bestEpoch, bestDice, bestHd95,
          bestThreshold);
      if (!test.isEmpty()) {
        // scored once, with the selected network and threshold: the held-out estimate
        model.setWeights(best);
        listener.onProgress(new Progress("test", 0, 1));
        SegmentationMetrics.Summary t = Evaluation.evaluate(model, test, bestThreshold);
        listener.onProgress(new Progress("test", 1, 1));
        metadata.put(ModelContract.TEST_DICE, ModelContract.number(t.meanDice()));
        metadata.put(ModelContract.TEST_HD95, ModelContract.number(t.meanHd95Voxels()));
        LOG.info(String.format(Locale.ROOT, "test Dice %.4f, HD95 %.2f voxels (%d volumes)",
            t.meanDice(), t.meanHd95Voxels(), test.size()));
      }
      return new TrainingResult(config, best, bestThreshold, bestDice, bestHd95, bestEpoch,
          history, metadata);
    }
  }

  /** The provenance with the scores of the best epoch, as models and best checkpoints hold it. */
  private Map<String, String> scored(Map<String, String> provenance, int epoch, double dice,
      double hd95, double threshold) {
    Map<String, String> m = new LinkedHashMap<>(provenance);
    m.put(ModelContract.EPOCHS, Integer.toString(epoch));
    m.put(ModelContract.VAL_DICE, ModelContract.number(dice));
    m.put(ModelContract.VAL_HD95, ModelContract.number(hd95));
    m.put(ModelContract.THRESHOLD, String.format(Locale.ROOT, "%.2f", threshold));
    return m;
  }

  private static double number(Map<String, String> meta, String key, String source) {
    String v = meta.get(key);
    try {
      if (v != null) {
        return Double.parseDouble(v.strip());
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new TrainingException("cannot resume from " + source + ": its metadata " + key
        + " must be a number, got " + (v == null ? "none" : Quote.quote(v)));
  }

  private double learningRateFactor(String name) {
    return settings.pretrained() == null ? 1.0
        : learningRateFactor(name, config.layers(), settings.pretrainedLearningRateScale(),
            settings.layerDecay());
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
      out.add(new PreparedVolume(v, config, settings.normalization()));
    }
    return out;
  }

  /** What every model and best checkpoint of this run records about its making. */
  private Map<String, String> provenance() {
    Map<String, String> m = new LinkedHashMap<>(ModelContract.architectureMetadata(config));
    VoxelSize vs = settings.trainingData().get(0).image().voxelSize();
    Path pretrained = settings.pretrained();
    m.put(ModelContract.NORMALIZATION, settings.normalization().spec());
    m.put(ModelContract.VOXEL_SIZE, String.format(Locale.ROOT, "%s,%s,%s", vs.x(), vs.y(),
        vs.z()));
    m.put(ModelContract.INFLATION, pretrained == null ? "none"
        : settings.inflation().name().toLowerCase(Locale.ROOT));
    m.put(ModelContract.PRETRAINED, pretrained == null ? "none"
        : pretrained.getFileName().toString());
    if (pretrained != null) {
      m.put(ModelContract.CHANNEL_REDUCTION,
          settings.channelReduction().name().toLowerCase(Locale.ROOT));
    }
    m.put(ModelContract.SEED, Long.toString(settings.seed()));
    m.put(ModelContract.TRAINING_CASES, ModelContract.cases(
        settings.trainingData().stream().map(LabeledVolume::name).toList()));
    m.put(ModelContract.VALIDATION_CASES, ModelContract.cases(
        settings.validationData().stream().map(LabeledVolume::name).toList()));
    if (!settings.testData().isEmpty()) {
      m.put(ModelContract.TEST_CASES, ModelContract.cases(
          settings.testData().stream().map(LabeledVolume::name).toList()));
    }
    m.putAll(settings.provenance());
    return m;
  }
}
