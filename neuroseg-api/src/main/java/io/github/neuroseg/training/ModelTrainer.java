package io.github.neuroseg.training;

/**
 * Trains a segmentation network and exports it as a neuroseg ONNX model. Build one with {@link
 * io.github.neuroseg.NeuroSeg#trainer()}; the implementation lives in {@code
 * io.github.neuroseg:neuroseg-train}.
 *
 * <p>A trainer is immutable; {@link #train()} may be called more than once (each call trains
 * from the start, or resumes from the checkpoint directory when {@link TrainerConfig#resume()}
 * is set). Calls that share a checkpoint directory must not run concurrently.
 */
public interface ModelTrainer {

  /**
   * Trains until the epochs are done or the validation Dice stops improving, and returns the
   * best model by validation Dice.
   *
   * @return the best model with its calibrated threshold and provenance
   * @throws io.github.neuroseg.TrainingException when the loss diverges or a checkpoint cannot
   *     be resumed
   * @throws io.github.neuroseg.InvalidInputException when a volume is smaller than the tile in
   *     x or y
   * @throws io.github.neuroseg.NeuroSegIOException when a checkpoint or the pretrained weights
   *     cannot be read or written
   */
  TrainedModel train();

  /** The settings this trainer runs with. */
  TrainerConfig config();
}
