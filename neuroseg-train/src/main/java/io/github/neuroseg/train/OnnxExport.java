package io.github.neuroseg.train;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.onnx.ModelContract;
import io.github.neuroseg.onnx.export.FloatTensor;
import io.github.neuroseg.onnx.export.VitOnnxWriter;
import io.github.neuroseg.onnx.export.VitSpec;
import io.github.neuroseg.train.weights.SafeTensors;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Exports trained weights as a neuroseg ONNX model (input {@code image [N, 1, D, H, W]}, output
 * {@code logits [N, 1, H, W]}, opset 17) through {@link VitOnnxWriter}, which defines the same
 * architecture as {@link VitModel}, with the metadata inference needs and the provenance of
 * training.
 */
public final class OnnxExport {
  private OnnxExport() {}

  /** The writer's view of a configuration. */
  public static VitSpec spec(VitConfig c) {
    return new VitSpec(c.embedDim(), c.layers(), c.heads(), c.patch(), c.inputDepth(),
        c.tileHeight(), c.tileWidth());
  }

  /**
   * Writes the best weights of a training run with its provenance ({@code normalization}, {@code
   * threshold}, {@code voxel_size}, {@code inflation}, {@code pretrained}, {@code epochs}, {@code
   * seed}, {@code val_dice}; the format and sizes come from the configuration), atomically.
   *
   * @throws io.github.neuroseg.NeuroSegIOException when the file cannot be written
   */
  public static void write(TrainingResult result, Path file) {
    write(result.config(), result.weights(), result.provenance(), file);
  }

  /**
   * Writes weights with the given metadata, which must hold at least {@code normalization} and
   * {@code threshold}, atomically.
   *
   * @throws io.github.neuroseg.InvalidInputException naming a missing or wrong weight or key
   * @throws io.github.neuroseg.NeuroSegIOException when the file cannot be written
   */
  public static void write(VitConfig config, Map<String, WeightTensor> weights,
      Map<String, String> metadata, Path file) {
    VitOnnxWriter.write(spec(config), convert(weights), withFormat(metadata), file);
  }

  /** The ONNX model as bytes (see {@link #write(VitConfig, Map, Map, Path)}). */
  public static byte[] toBytes(VitConfig config, Map<String, WeightTensor> weights,
      Map<String, String> metadata) {
    return VitOnnxWriter.write(spec(config), convert(weights), withFormat(metadata));
  }

  /**
   * Exports a training checkpoint ({@code best.safetensors} written by {@link Trainer}) as an ONNX
   * model, atomically. The architecture and the metadata come from the checkpoint; training state
   * (optimizer moments, history, step) is left out.
   *
   * @param checkpoint a checkpoint written by {@link Trainer}
   * @param file the ONNX model to write
   * @throws io.github.neuroseg.FormatException when the file is not a safetensors file
   * @throws InvalidInputException when the checkpoint lacks the architecture keys ({@code
   *     embed}, {@code layers}, {@code heads}, {@code patch}, {@code input_depth}, {@code
   *     tile_h}, {@code tile_w}), a weight, or {@code threshold} (as in {@code last.safetensors})
   * @throws io.github.neuroseg.NeuroSegIOException when a file cannot be read or written
   */
  public static void writeCheckpoint(Path checkpoint, Path file) {
    SafeTensors.Contents c = SafeTensors.read(checkpoint);
    Map<String, String> meta = c.metadata();
    if (!meta.containsKey(ModelContract.THRESHOLD)) {
      throw new InvalidInputException(checkpoint + " has no calibrated threshold; export the"
          + " best checkpoint (best.safetensors), not the last one");
    }
    VitConfig config = new VitConfig(intKey(meta, "embed", checkpoint),
        intKey(meta, "layers", checkpoint), intKey(meta, "heads", checkpoint),
        intKey(meta, "patch", checkpoint), intKey(meta, "input_depth", checkpoint),
        intKey(meta, "tile_h", checkpoint), intKey(meta, "tile_w", checkpoint));
    Map<String, WeightTensor> weights = new LinkedHashMap<>();
    for (String key : config.parameterShapes().keySet()) {
      WeightTensor w = c.tensors().get(key);
      if (w == null) {
        throw new InvalidInputException(checkpoint + " has no weight " + key + " for " + config);
      }
      weights.put(key, w);
    }
    Map<String, String> md = new LinkedHashMap<>(meta);
    md.remove("config"); // the record's text; the explicit keys above carry the same
    write(config, weights, md, file);
  }

  private static int intKey(Map<String, String> meta, String key, Path source) {
    String v = meta.get(key);
    if (v == null) {
      throw new InvalidInputException(source + " has no '" + key + "' in its metadata; it was"
          + " not written by neuroseg's Trainer");
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new InvalidInputException(source + ": '" + key + "' must be an integer, got '" + v
          + "'");
    }
  }

  private static Map<String, String> withFormat(Map<String, String> metadata) {
    Map<String, String> m = new LinkedHashMap<>(metadata);
    m.putIfAbsent(ModelContract.FORMAT, ModelContract.FORMAT_VERSION);
    return m;
  }

  private static Map<String, FloatTensor> convert(Map<String, WeightTensor> weights) {
    Map<String, FloatTensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, WeightTensor> e : weights.entrySet()) {
      long[] s = e.getValue().shape();
      int[] shape = new int[s.length];
      for (int i = 0; i < s.length; i++) {
        shape[i] = Math.toIntExact(s[i]);
      }
      out.put(e.getKey(), new FloatTensor(shape, e.getValue().data()));
    }
    return out;
  }
}
