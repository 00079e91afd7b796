package io.github.neuroseg.train;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.files.AtomicWrite;
import io.github.neuroseg.model.FloatTensor;
import io.github.neuroseg.model.ModelContract;
import io.github.neuroseg.model.VitOnnxWriter;
import io.github.neuroseg.training.VitArchitecture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Exports training checkpoints as neuroseg ONNX models (input {@code image [N, 1, D, H, W]},
 * output {@code probabilities [N, 1, H, W]}: the graph ends with the sigmoid, metadata {@code
 * output=probabilities}; opset 17) through {@link VitOnnxWriter}, which defines the
 * same architecture as the training network, with the metadata inference needs and the
 * provenance of training. Models trained through {@code NeuroSeg.trainer()} come out exported
 * already; this is for the {@code best.safetensors} a checkpoint directory holds.
 */
public final class OnnxExport {
  private OnnxExport() {}

  /** The ONNX model of a training run's best weights, with its provenance. */
  static byte[] toBytes(TrainingResult r) {
    return VitOnnxWriter.write(r.config(), r.weights(), r.provenance(),
        ModelContract.Output.PROBABILITIES);
  }

  /**
   * Exports a training checkpoint ({@code best.safetensors} of a checkpoint directory) as an ONNX
   * model, atomically. The architecture and the metadata come from the checkpoint; training state
   * (optimizer moments, history, step) is left out.
   *
   * @param checkpoint a best checkpoint written by neuroseg's trainer
   * @param file the ONNX model to write
   * @throws io.github.neuroseg.FormatException when the file is not a safetensors file
   * @throws io.github.neuroseg.ModelException when the checkpoint does not state its
   *     architecture or lacks a weight
   * @throws InvalidInputException when it has no calibrated {@code threshold} (as in {@code
   *     last.safetensors})
   * @throws io.github.neuroseg.ModelException also for metadata or weights the model cannot
   *     take (naming the checkpoint)
   * @throws io.github.neuroseg.NeuroSegIOException when a file cannot be read or written
   */
  public static void writeCheckpoint(Path checkpoint, Path file) {
    writeCheckpoint(checkpoint, file, ModelContract.Precision.FLOAT32);
  }

  /**
   * As {@link #writeCheckpoint(Path, Path)}, with the linear layers in the given precision (see
   * {@link VitOnnxWriter#write(VitArchitecture, Map, Map, ModelContract.Output,
   * ModelContract.Precision)}).
   */
  public static void writeCheckpoint(Path checkpoint, Path file,
      ModelContract.Precision precision) {
    SafeTensors.Contents c = SafeTensors.read(checkpoint);
    Map<String, String> meta = c.metadata();
    if (!meta.containsKey(ModelContract.THRESHOLD)) {
      throw new InvalidInputException(checkpoint + " has no calibrated threshold; export the"
          + " best checkpoint (best.safetensors), not the last one");
    }
    VitArchitecture config = ModelContract.architecture(meta, checkpoint.toString());
    Map<String, FloatTensor> weights = new LinkedHashMap<>();
    for (String key : config.weightShapes().keySet()) {
      FloatTensor w = c.tensors().get(key);
      if (w == null) {
        throw new io.github.neuroseg.ModelException(checkpoint + " has no weight " + key
            + " for " + config);
      }
      weights.put(key, w);
    }
    byte[] onnx;
    try {
      onnx = VitOnnxWriter.write(config, weights, meta, ModelContract.Output.PROBABILITIES,
          precision);
    } catch (InvalidInputException e) {
      // the metadata or the weights came from the checkpoint: name it
      throw new io.github.neuroseg.ModelException(checkpoint + ": " + e.getMessage(), e);
    }
    AtomicWrite.write(file, temp -> Files.write(temp, onnx));
  }
}
