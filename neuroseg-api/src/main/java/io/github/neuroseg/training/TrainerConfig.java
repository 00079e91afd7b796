package io.github.neuroseg.training;

import io.github.neuroseg.Device;
import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.ProgressListener;
import io.github.neuroseg.internal.Checks;
import io.github.neuroseg.volume.Normalization;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Immutable settings of a {@link ModelTrainer}; see {@link TrainerBuilder} for the meaning and
 * the defaults of each.
 *
 * @param trainingData labelled volumes to draw training blocks from, not empty
 * @param validationData labelled volumes for model selection and threshold calibration, not
 *     empty
 * @param testData labelled volumes held out from training and selection, scored once with the
 *     best network at its calibrated threshold ({@code test_dice} and {@code test_hd95} in the
 *     model's metadata); may be empty
 * @param architecture the network size
 * @param pretrained a 2D checkpoint ({@code .safetensors} or {@code .pth}) to inflate, or
 *     {@code null} to train from scratch
 * @param pretrainedPart which network of a DINO training checkpoint to read ({@code teacher}
 *     or {@code student}); ignored for files that hold one network
 * @param inflation how the pretrained patch kernel is spread over the input depth
 * @param channelReduction how the pretrained patch kernel's colour channels become one
 * @param pretrainedLearningRateScale factor in [0, 1] on the learning rate of pretrained
 *     parameters (all but the head)
 * @param layerDecay layer-wise decay in (0, 1] of the learning rate of pretrained parameters
 * @param epochs maximum number of epochs, {@code >= 1}
 * @param stepsPerEpoch optimisation steps per epoch, {@code >= 1}
 * @param batchSize blocks per step, {@code >= 1}
 * @param learningRate peak learning rate, finite and {@code > 0}
 * @param warmupSteps steps of linear warm-up, {@code >= 0}
 * @param weightDecay decoupled weight decay, finite and {@code >= 0}
 * @param minForegroundRatio minimum foreground fraction in [0, 1] of a block's centre-slice label
 * @param normalization the intensity normalisation of every volume, recorded in the model for
 *     inference
 * @param gainRange brightness augmentation: each block's intensities are also multiplied by a
 *     factor log-uniform in [1/gainRange, gainRange]; 1 for none
 * @param hardNegativeFraction fraction in [0, 1] of training blocks drawn as hard negatives:
 *     the brightest background among several random blocks, whatever their foreground
 * @param augment whether blocks are flipped, rotated and jittered
 * @param patience epochs without validation improvement before stopping, {@code >= 1}
 * @param seed seed of initialisation, sampling and augmentation
 * @param checkpointDirectory where {@code best.safetensors} and {@code last.safetensors} go, or
 *     {@code null} for none
 * @param resume whether to continue from {@code last.safetensors} in the checkpoint directory
 * @param provenance extra key/value metadata written into the model
 * @param device where the network trains: the CPU, or a CUDA GPU (which needs PyTorch's CUDA
 *     native library on the class path instead of the CPU one)
 * @param progress receives progress per step and per validation volume
 */
public record TrainerConfig(
    List<LabeledVolume> trainingData,
    List<LabeledVolume> validationData,
    List<LabeledVolume> testData,
    VitArchitecture architecture,
    @Nullable Path pretrained,
    String pretrainedPart,
    Inflation inflation,
    ChannelReduction channelReduction,
    double pretrainedLearningRateScale,
    double layerDecay,
    int epochs,
    int stepsPerEpoch,
    int batchSize,
    double learningRate,
    int warmupSteps,
    double weightDecay,
    double minForegroundRatio,
    double hardNegativeFraction,
    double gainRange,
    Normalization normalization,
    boolean augment,
    int patience,
    long seed,
    @Nullable Path checkpointDirectory,
    boolean resume,
    Map<String, String> provenance,
    Device device,
    ProgressListener progress) {

  /**
   * The checkpoint of the latest epoch in the checkpoint directory, from which {@link #resume()}
   * continues.
   */
  public static final String LAST_CHECKPOINT = "last.safetensors";

  /**
   * Copies the data lists and validates every field.
   *
   * @throws InvalidInputException naming the bad value
   */
  public TrainerConfig {
    trainingData = List.copyOf(trainingData);
    validationData = List.copyOf(validationData);
    testData = List.copyOf(testData);
    if (trainingData.isEmpty()) {
      throw new InvalidInputException("the training data set is empty; give at least one "
          + "labelled volume with trainingData(...)");
    }
    if (validationData.isEmpty()) {
      throw new InvalidInputException("the validation data set is empty; give at least one "
          + "labelled volume with validationData(...)");
    }
    provenance = Map.copyOf(provenance);
    if (architecture == null) {
      throw new InvalidInputException("architecture must not be null; use "
          + "VitArchitecture.DEFAULT for the default network");
    }
    if (inflation == null) {
      throw new InvalidInputException("inflation must be AVERAGE or CENTER, got null");
    }
    if (channelReduction == null) {
      throw new InvalidInputException("channel reduction must be SUM or MEAN, got null");
    }
    if (pretrainedPart == null || pretrainedPart.isBlank()) {
      throw new InvalidInputException("pretrained part must name a network of the checkpoint "
          + "(teacher or student), got " + (pretrainedPart == null ? "null" : "a blank name"));
    }
    Checks.inRange("pretrained learning-rate scale", pretrainedLearningRateScale, 0, 1);
    if (!(layerDecay > 0 && layerDecay <= 1)) {
      throw new InvalidInputException("layer decay must be in (0, 1], got " + layerDecay);
    }
    Checks.positive("epochs", epochs);
    Checks.positive("steps per epoch", stepsPerEpoch);
    Checks.positive("batch size", batchSize);
    Checks.positiveFinite("learning rate", learningRate);
    Checks.atLeast("warm-up steps", warmupSteps, 0);
    Checks.nonNegativeFinite("weight decay", weightDecay);
    Checks.inRange("minimum foreground ratio", minForegroundRatio, 0, 1);
    Checks.inRange("hard negative fraction", hardNegativeFraction, 0, 1);
    if (normalization == null) {
      throw new InvalidInputException("normalization must not be null");
    }
    if (!(gainRange >= 1) || Double.isInfinite(gainRange)) {
      throw new InvalidInputException("gain range must be finite and >= 1, got " + gainRange);
    }
    Checks.positive("patience", patience);
    if (resume && checkpointDirectory == null) {
      throw new InvalidInputException(
          "resume needs a checkpoint directory to resume from; set checkpointDirectory(...)");
    }
    if (device == null) {
      throw new InvalidInputException("device must be Device.cpu() or Device.cuda(id), got null");
    }
    if (progress == null) {
      throw new InvalidInputException("progress listener must not be null; use "
          + "ProgressListener.NONE for none");
    }
  }
}
