package io.github.neuroseg.training;

import io.github.neuroseg.Device;
import io.github.neuroseg.ProgressListener;
import io.github.neuroseg.spi.Providers;
import io.github.neuroseg.spi.TrainerProvider;
import io.github.neuroseg.volume.Normalization;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.VoxelSize;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import net.imglib2.img.array.ArrayImgs;
import org.jspecify.annotations.Nullable;

/**
 * Fluent builder of {@link ModelTrainer}s. Not thread-safe; the trainers it builds are immutable.
 * Training and validation data are required; every other setting has a default, defined here
 * (and, for the network size, by {@link VitArchitecture#DEFAULT}) and nowhere else: the {@code
 * neuroseg train} command and the benchmarks train through this builder.
 *
 * <pre>{@code
 * TrainedModel m = NeuroSeg.trainer()
 *     .trainingData(train).validationData(val)
 *     .embedDim(64).layers(4).heads(4).patch(8).inputDepth(5).tile(32)
 *     .epochs(10).stepsPerEpoch(50).batchSize(8).learningRate(1e-3)
 *     .onProgress(p -> System.out.println(p))
 *     .build().train();
 * m.writeTo(Path.of("neuron-vit3d.onnx"));
 * }</pre>
 */
public final class TrainerBuilder {
  /** Default maximum number of epochs: 20. */
  public static final int DEFAULT_EPOCHS = 20;

  /** Default optimisation steps per epoch: 100. */
  public static final int DEFAULT_STEPS_PER_EPOCH = 100;

  /** Default blocks per step: 8. */
  public static final int DEFAULT_BATCH_SIZE = 8;

  /** Default peak learning rate: 5e-4. */
  public static final double DEFAULT_LEARNING_RATE = 5e-4;

  /** Default factor on the learning rate of pretrained parameters: 1. */
  public static final double DEFAULT_PRETRAINED_LEARNING_RATE_SCALE = 1.0;

  /** Default linear warm-up: 50 steps. */
  public static final int DEFAULT_WARMUP_STEPS = 50;

  /** Default decoupled weight decay: 0.05. */
  public static final double DEFAULT_WEIGHT_DECAY = 0.05;

  /** Default minimum foreground fraction of a block's centre-slice label: 0.01. */
  public static final double DEFAULT_MIN_FOREGROUND_RATIO = 0.01;

  /** Default intensity normalisation of training (and of the trained model): 0.5, 99.5 %. */
  public static final Normalization DEFAULT_NORMALIZATION = Normalization.percentile(0.5, 99.5);

  /** Default range of the brightness augmentation: 1 (off). */
  public static final double DEFAULT_GAIN_RANGE = 1;

  /** Default fraction of training blocks drawn as hard negatives: 0. */
  public static final double DEFAULT_HARD_NEGATIVE_FRACTION = 0;

  /** Default patience: 5 epochs without validation improvement. */
  public static final int DEFAULT_PATIENCE = 5;

  /**
   * Default network of a DINO training checkpoint to read when it holds several: {@code
   * teacher} (the one DINO's authors evaluate and publish).
   */
  public static final String DEFAULT_PRETRAINED_PART = "teacher";

  /** Default layer-wise learning-rate decay of pretrained parameters: 1 (none). */
  public static final double DEFAULT_LAYER_DECAY = 1.0;

  private List<LabeledVolume> trainingData = List.of();
  private List<LabeledVolume> validationData = List.of();
  private List<LabeledVolume> testData = List.of();
  private int embedDim = VitArchitecture.DEFAULT.embedDim();
  private int layers = VitArchitecture.DEFAULT.layers();
  private int heads = VitArchitecture.DEFAULT.heads();
  private int patch = VitArchitecture.DEFAULT.patch();
  private int inputDepth = VitArchitecture.DEFAULT.inputDepth();
  private int tileHeight = VitArchitecture.DEFAULT.tileHeight();
  private int tileWidth = VitArchitecture.DEFAULT.tileWidth();
  private VitArchitecture.Head head = VitArchitecture.DEFAULT.head();
  private boolean layerScale = VitArchitecture.DEFAULT.layerScale();
  private int registers = VitArchitecture.DEFAULT.registers();
  private @Nullable Path pretrained;
  private String pretrainedPart = DEFAULT_PRETRAINED_PART;
  private Inflation inflation = Inflation.AVERAGE;
  private ChannelReduction channelReduction = ChannelReduction.SUM;
  private double pretrainedLearningRateScale = DEFAULT_PRETRAINED_LEARNING_RATE_SCALE;
  private double layerDecay = DEFAULT_LAYER_DECAY;
  private int epochs = DEFAULT_EPOCHS;
  private int stepsPerEpoch = DEFAULT_STEPS_PER_EPOCH;
  private int batchSize = DEFAULT_BATCH_SIZE;
  private double learningRate = DEFAULT_LEARNING_RATE;
  private int warmupSteps = DEFAULT_WARMUP_STEPS;
  private double weightDecay = DEFAULT_WEIGHT_DECAY;
  private double minForegroundRatio = DEFAULT_MIN_FOREGROUND_RATIO;
  private double hardNegativeFraction = DEFAULT_HARD_NEGATIVE_FRACTION;
  private double gainRange = DEFAULT_GAIN_RANGE;
  private Normalization normalization = DEFAULT_NORMALIZATION;
  private boolean augment = true;
  private int patience = DEFAULT_PATIENCE;
  private long seed;
  private @Nullable Path checkpointDirectory;
  private boolean resume;
  private Map<String, String> provenance = Map.of();
  private ProgressListener progress = ProgressListener.NONE;
  private Device device = Device.cpu();

  /** Use {@link io.github.neuroseg.NeuroSeg#trainer()}. */
  public TrainerBuilder() {}

  /** Training volumes (required, not empty); blocks are drawn from them at random. */
  public TrainerBuilder trainingData(List<LabeledVolume> volumes) {
    this.trainingData = List.copyOf(volumes);
    return this;
  }

  /**
   * Validation volumes (required, not empty): predicted whole after every epoch to pick the best
   * epoch and calibrate the probability threshold.
   */
  public TrainerBuilder validationData(List<LabeledVolume> volumes) {
    this.validationData = List.copyOf(volumes);
    return this;
  }

  /**
   * Test volumes (optional; default none): never trained on nor used for selection, predicted
   * once after training with the best network and its calibrated threshold, the way {@code
   * segment()} predicts. Their names and mean Dice and HD95 are recorded in the model's metadata
   * ({@code test_cases}, {@code test_dice}, {@code test_hd95}) and in {@link
   * TrainedModel#metadata()}.
   */
  public TrainerBuilder testData(List<LabeledVolume> volumes) {
    this.testData = List.copyOf(volumes);
    return this;
  }

  /**
   * The whole network size at once (see {@link VitArchitecture}); default {@link
   * VitArchitecture#DEFAULT}. The size setters below change single values of it.
   */
  public TrainerBuilder architecture(VitArchitecture value) {
    this.embedDim = value.embedDim();
    this.layers = value.layers();
    this.heads = value.heads();
    this.patch = value.patch();
    this.inputDepth = value.inputDepth();
    this.tileHeight = value.tileHeight();
    this.tileWidth = value.tileWidth();
    this.head = value.head();
    this.layerScale = value.layerScale();
    this.registers = value.registers();
    return this;
  }

  /**
   * Whether every block scales its attention and MLP outputs by learned per-channel factors
   * (DINOv2's LayerScale); default false. A DINOv2 checkpoint needs it.
   */
  public TrainerBuilder layerScale(boolean enabled) {
    this.layerScale = enabled;
    return this;
  }

  /**
   * Register tokens between the class token and the patch tokens (DINOv2 "with registers"
   * checkpoints have 4); default 0.
   */
  public TrainerBuilder registers(int count) {
    this.registers = count;
    return this;
  }

  /** How the tokens become pixels (see {@link VitArchitecture.Head}); default LINEAR. */
  public TrainerBuilder head(VitArchitecture.Head value) {
    this.head = value;
    return this;
  }

  /** Token width E of the transformer, divisible by the heads; default 64. */
  public TrainerBuilder embedDim(int width) {
    this.embedDim = width;
    return this;
  }

  /** Number of transformer blocks; default 4. */
  public TrainerBuilder layers(int blocks) {
    this.layers = blocks;
    return this;
  }

  /** Number of attention heads; default 4. */
  public TrainerBuilder heads(int count) {
    this.heads = count;
    return this;
  }

  /** Square patch size in pixels; the tile must be a multiple of it; default 8. */
  public TrainerBuilder patch(int pixels) {
    this.patch = pixels;
    return this;
  }

  /** Slices per block, odd (the network segments the centre one; 1 is 2D); default 5. */
  public TrainerBuilder inputDepth(int slices) {
    this.inputDepth = slices;
    return this;
  }

  /** Square block size in pixels, a multiple of the patch; default 32. */
  public TrainerBuilder tile(int pixels) {
    this.tileWidth = pixels;
    this.tileHeight = pixels;
    return this;
  }

  /** Block width and height in pixels, each a multiple of the patch; default 32 x 32. */
  public TrainerBuilder tile(int width, int height) {
    this.tileWidth = width;
    this.tileHeight = height;
    return this;
  }

  /**
   * A 2D ViT checkpoint ({@code .safetensors} or {@code .pth}, DINO / timm parameter names)
   * whose weights are inflated to 3D, or {@code null} to train from scratch (the default). Its
   * embedding width, layers, heads and patch must match this builder's.
   */
  public TrainerBuilder pretrained(@Nullable Path checkpoint) {
    this.pretrained = checkpoint;
    return this;
  }

  /**
   * Which network of a DINO training checkpoint ({@code *_full_checkpoint.pth}, holding {@code
   * teacher} and {@code student}) to start from; default {@value #DEFAULT_PRETRAINED_PART}.
   * Ignored for checkpoints that hold one network.
   */
  public TrainerBuilder pretrainedPart(String part) {
    this.pretrainedPart = part;
    return this;
  }

  /**
   * How the colour channels of the pretrained patch kernel become one; default {@link
   * ChannelReduction#SUM}.
   */
  public TrainerBuilder channelReduction(ChannelReduction value) {
    this.channelReduction = value;
    return this;
  }

  /** How the pretrained patch kernel is spread over the input depth; default AVERAGE. */
  public TrainerBuilder inflation(Inflation strategy) {
    this.inflation = strategy;
    return this;
  }

  /**
   * Factor in [0, 1] on the learning rate of pretrained parameters (all but the head) when a
   * pretrained checkpoint is used, e.g. 0.1 to change them more gently; default 1.
   */
  public TrainerBuilder pretrainedLearningRateScale(double factor) {
    this.pretrainedLearningRateScale = factor;
    return this;
  }

  /**
   * Layer-wise decay in (0, 1] of the learning rate of pretrained parameters; default 1 (none).
   * With {@code d < 1}, block {@code i} of {@code L} learns at {@code scale * d^(L - i)} and the
   * embeddings at {@code scale * d^(L + 1)} times the rate ({@code scale} is {@link
   * #pretrainedLearningRateScale}); the final norm at {@code scale}, the head at the full rate.
   */
  public TrainerBuilder layerDecay(double decay) {
    this.layerDecay = decay;
    return this;
  }

  /** Maximum number of epochs; default 20. */
  public TrainerBuilder epochs(int count) {
    this.epochs = count;
    return this;
  }

  /** Optimisation steps per epoch; default 100. */
  public TrainerBuilder stepsPerEpoch(int steps) {
    this.stepsPerEpoch = steps;
    return this;
  }

  /** Blocks per optimisation step; default 8. */
  public TrainerBuilder batchSize(int blocks) {
    this.batchSize = blocks;
    return this;
  }

  /** Peak learning rate (after warm-up, before cosine decay to 1% of it); default 5e-4. */
  public TrainerBuilder learningRate(double rate) {
    this.learningRate = rate;
    return this;
  }

  /** Steps of linear learning-rate warm-up; default 50. */
  public TrainerBuilder warmupSteps(int steps) {
    this.warmupSteps = steps;
    return this;
  }

  /** Decoupled (AdamW) weight decay; default 0.05. */
  public TrainerBuilder weightDecay(double decay) {
    this.weightDecay = decay;
    return this;
  }

  /**
   * Minimum foreground fraction of a training block's centre-slice label; blocks with less are
   * drawn again; default 0.01.
   */
  public TrainerBuilder minForegroundRatio(double fraction) {
    this.minForegroundRatio = fraction;
    return this;
  }

  /**
   * Fraction in [0, 1] of training blocks drawn as hard negatives instead of for their
   * foreground: among several random blocks, the one whose centre slice has the brightest voxel
   * at least two pixels from the label (distractors, other fibres, bright background), so that the network learns
   * what is not neuron; default 0.
   */
  public TrainerBuilder hardNegativeFraction(double fraction) {
    this.hardNegativeFraction = fraction;
    return this;
  }

  /**
   * Brightness augmentation: with {@code g > 1} each training block's intensities are also
   * multiplied by a factor log-uniform in [1/g, g] (with augmentation on). The normalised
   * brightness of a neuron depends on how much of its volume is neuron (the percentiles of a
   * sparse stack lie in the background), so a network trained on dense synthetic volumes meets
   * real sparse stacks several times brighter; a wide range teaches it to rely on contrast
   * instead. Default 1 (off).
   */
  public TrainerBuilder gainRange(double factor) {
    this.gainRange = factor;
    return this;
  }

  /**
   * How intensities are normalised, per volume, for training; recorded in the model so that
   * inference normalises the same way. Default {@code percentile:0.5,99.5}. The upper percentile
   * should lie on the neuron: in a sparse stack (DIADEM's neurons are 0.01-0.1% of the voxels) the
   * 99.5th percentile is still background noise, and the neuron comes out many times brighter than
   * in a dense synthetic volume; {@code percentile:0.5,99.99} keeps both near 1.
   */
  public TrainerBuilder normalization(Normalization value) {
    this.normalization = value;
    return this;
  }

  /** Whether blocks are flipped, rotated by 90 degrees and intensity-jittered; default true. */
  public TrainerBuilder augment(boolean enabled) {
    this.augment = enabled;
    return this;
  }

  /** Epochs without validation improvement before training stops; default 5. */
  public TrainerBuilder patience(int epochs) {
    this.patience = epochs;
    return this;
  }

  /** Seed of initialisation, sampling and augmentation; default 0. */
  public TrainerBuilder seed(long value) {
    this.seed = value;
    return this;
  }

  /**
   * Folder for {@code best.safetensors} (best weights) and {@code last.safetensors} (state
   * after every epoch), or {@code null} for none (the default).
   */
  public TrainerBuilder checkpointDirectory(@Nullable Path folder) {
    this.checkpointDirectory = folder;
    return this;
  }

  /**
   * Whether to continue from {@code last.safetensors} in the checkpoint directory when it exists
   * (needs a checkpoint directory); default false.
   */
  public TrainerBuilder resume(boolean enabled) {
    this.resume = enabled;
    return this;
  }

  /**
   * Extra key/value provenance written into the model's metadata, e.g. {@code
   * training_command} or {@code training_data} (see the model contract's keys); default none.
   * Keys the trainer writes itself (architecture, normalisation, threshold, scores, seed, the
   * names of the training, validation and test volumes) cannot be given here.
   */
  public TrainerBuilder provenance(Map<String, String> entries) {
    this.provenance = Map.copyOf(entries);
    return this;
  }

  /**
   * Where the network trains; default {@link Device#cpu()}. {@link Device#cuda(int)} needs
   * PyTorch's CUDA native library for DJL on the class path in place of the CPU one (see
   * docs/training.md); without a GPU, training fails with a {@link
   * io.github.neuroseg.DeviceException} instead of falling back to the CPU.
   */
  public TrainerBuilder device(Device value) {
    this.device = value;
    return this;
  }

  /** Receives progress per training step and per validation volume; default none. */
  public TrainerBuilder onProgress(ProgressListener listener) {
    this.progress = listener;
    return this;
  }

  /**
   * The settings as configured so far.
   *
   * @throws io.github.neuroseg.InvalidInputException for missing data or an out-of-range value
   */
  public TrainerConfig config() {
    return config(trainingData, validationData);
  }

  /**
   * Checks every setting given so far as {@link #config()} does, leaving out the data (which
   * may not be read yet): a front end can refuse a bad option before it loads or renders
   * anything.
   *
   * @return this builder
   * @throws io.github.neuroseg.InvalidInputException for an out-of-range value
   */
  public TrainerBuilder checkSettings() {
    List<LabeledVolume> placeholder = List.of(SettingsCheck.VOLUME);
    config(placeholder, placeholder);
    return this;
  }

  /** Data that satisfies {@link TrainerConfig}'s data checks, for {@link #checkSettings()}. */
  private static final class SettingsCheck {
    static final LabeledVolume VOLUME = new LabeledVolume(
        Volume.ofUnsignedBytes(new byte[1], 1, 1, 1, VoxelSize.UNIT),
        ArrayImgs.unsignedBytes(1, 1, 1), "settings check");
  }

  private TrainerConfig config(List<LabeledVolume> trainingData,
      List<LabeledVolume> validationData) {
    return new TrainerConfig(trainingData, validationData, testData,
        new VitArchitecture(embedDim, layers, heads, patch, inputDepth, tileHeight, tileWidth,
            head, layerScale, registers),
        pretrained, pretrainedPart, inflation, channelReduction, pretrainedLearningRateScale,
        layerDecay, epochs, stepsPerEpoch, batchSize, learningRate, warmupSteps, weightDecay,
        minForegroundRatio, hardNegativeFraction, gainRange, normalization, augment, patience, seed,
        checkpointDirectory, resume, provenance, device, progress);
  }

  /**
   * Builds the trainer with the implementation found on the class path.
   *
   * @throws io.github.neuroseg.InvalidInputException for missing data or an out-of-range value
   * @throws io.github.neuroseg.MissingImplementationException if {@code neuroseg-train} is not
   *     on the class path
   */
  public ModelTrainer build() {
    TrainerConfig c = config();
    return Providers.load(TrainerProvider.class, TrainerProvider.ARTIFACT).create(c);
  }
}
