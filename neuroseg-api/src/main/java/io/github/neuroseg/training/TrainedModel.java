package io.github.neuroseg.training;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.files.AtomicWrite;
import io.github.neuroseg.internal.Checks;
import io.github.neuroseg.segmentation.ModelSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of {@link ModelTrainer#train()}: the best network by validation Dice as an ONNX
 * model in neuroseg's format (ready for {@link
 * io.github.neuroseg.segmentation.SegmenterBuilder#model(ModelSource)}), with its validation
 * scores and the metadata stored in the model. Immutable and thread-safe.
 */
public final class TrainedModel {
  private final byte[] onnx;
  private final double validationDice;
  private final double validationHd95;
  private final double threshold;
  private final int bestEpoch;
  private final List<EpochStats> history;
  private final Map<String, String> metadata;

  /**
   * A trained model; the bytes and the metadata are copied.
   *
   * @param onnx the ONNX model in neuroseg's format, not empty
   * @param validationDice mean validation Dice of the model, in [0, 1]
   * @param validationHd95 mean validation HD95 in voxels (may be NaN or infinite when a
   *     prediction is empty)
   * @param threshold probability threshold calibrated on the validation data, in [0, 1]
   * @param bestEpoch the epoch that gave the model, from 1
   * @param history every epoch's statistics, in order
   * @param metadata the key/value metadata stored in the model (normalisation, threshold, voxel
   *     size, seed, provenance of training)
   * @throws InvalidInputException for empty bytes or an out-of-range score, threshold or epoch
   */
  public TrainedModel(byte[] onnx, double validationDice, double validationHd95, double threshold,
      int bestEpoch, List<EpochStats> history, Map<String, String> metadata) {
    if (onnx.length == 0) {
      throw new InvalidInputException("a trained model needs ONNX bytes, got 0 bytes");
    }
    Checks.inRange("validation Dice", validationDice, 0, 1);
    Checks.inRange("threshold", threshold, 0, 1);
    Checks.atLeast("best epoch", bestEpoch, 1);
    this.onnx = onnx.clone();
    this.validationDice = validationDice;
    this.validationHd95 = validationHd95;
    this.threshold = threshold;
    this.bestEpoch = bestEpoch;
    this.history = List.copyOf(history);
    this.metadata = Collections.unmodifiableMap(new TreeMap<>(metadata));
  }

  /** The ONNX model's bytes (a copy). */
  public byte[] onnx() {
    return onnx.clone();
  }

  /** The model as a source for {@link io.github.neuroseg.NeuroSeg#segmenter()}, named {@code name}. */
  public ModelSource modelSource(String name) {
    return ModelSource.bytes(name, onnx);
  }

  /** Mean validation Dice of the model. */
  public double validationDice() {
    return validationDice;
  }

  /** Mean validation HD95 of the model, in voxels. */
  public double validationHd95() {
    return validationHd95;
  }

  /** Probability threshold calibrated on the validation data (also in the model's metadata). */
  public double threshold() {
    return threshold;
  }

  /** The epoch (from 1) whose weights the model holds. */
  public int bestEpoch() {
    return bestEpoch;
  }

  /** Every epoch's training loss, validation scores, threshold and learning rate, in order. */
  public List<EpochStats> history() {
    return history;
  }

  /** The metadata stored in the model, sorted by key. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * Writes the ONNX model to {@code file} atomically (a temporary sibling moved into place), so
   * a failed write leaves no half file and any previous file untouched.
   *
   * @param file the model file to create or replace; missing parent folders are created
   * @throws io.github.neuroseg.NeuroSegIOException when the file cannot be written
   */
  public void writeTo(Path file) {
    AtomicWrite.write(file, temp -> Files.write(temp, onnx));
  }

  /** A short description: size, best epoch, Dice and threshold. */
  @Override
  public String toString() {
    return "TrainedModel[" + onnx.length + " bytes, epoch " + bestEpoch + ", validation Dice "
        + validationDice + ", threshold " + threshold + "]";
  }
}
