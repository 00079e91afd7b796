package io.github.neuroseg.onnx;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.ModelException;
import io.github.neuroseg.volume.Normalization;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a neuroseg ONNX model promises, read from and checked against its graph and metadata.
 *
 * <p>The contract: one input named {@value #INPUT} of shape {@code [N, 1, D, H, W]} (float32,
 * dynamic {@code N}; {@code D} odd), one output named {@value #OUTPUT} of shape {@code [N, 1, H,
 * W]}, the logits of the centre slice. {@code metadata_props} must hold {@value #FORMAT} ({@value
 * #FORMAT_VERSION}), {@value #INPUT_DEPTH}, {@value #TILE_H}, {@value #TILE_W}, {@value #PATCH},
 * {@value #NORMALIZATION} and {@value #THRESHOLD}; provenance keys such as {@value #VOXEL_SIZE},
 * {@value #INFLATION}, {@value #PRETRAINED}, {@value #EPOCHS}, {@value #SEED} and {@value
 * #VAL_DICE} are optional and kept in {@link #metadata()}.
 *
 * @param label where the model came from, for messages
 * @param inputDepth {@code D}, slices per input (odd)
 * @param tileHeight training tile height ({@code H})
 * @param tileWidth training tile width ({@code W})
 * @param patch patch size; tiles must be multiples of it
 * @param normalization intensity normalisation the model was trained with
 * @param threshold calibrated probability threshold in [0, 1]
 * @param modelHeight the graph's fixed input height, or -1 when dynamic
 * @param modelWidth the graph's fixed input width, or -1 when dynamic
 * @param metadata all metadata properties, sorted by key
 */
public record ModelContract(
    String label,
    int inputDepth,
    int tileHeight,
    int tileWidth,
    int patch,
    Normalization normalization,
    double threshold,
    int modelHeight,
    int modelWidth,
    Map<String, String> metadata) {

  /** Name of the model input. */
  public static final String INPUT = "image";
  /** Name of the model output. */
  public static final String OUTPUT = "logits";
  /** Metadata key of the contract version. */
  public static final String FORMAT = "neuroseg.format";
  /** The contract version this reader understands and the writer writes. */
  public static final String FORMAT_VERSION = "1";
  /** Metadata key: slices per input. */
  public static final String INPUT_DEPTH = "input_depth";
  /** Metadata key: training tile height. */
  public static final String TILE_H = "tile_h";
  /** Metadata key: training tile width. */
  public static final String TILE_W = "tile_w";
  /** Metadata key: patch size. */
  public static final String PATCH = "patch";
  /** Metadata key: normalisation spec, see {@link Normalization#parse(String)}. */
  public static final String NORMALIZATION = "normalization";
  /** Metadata key: calibrated threshold. */
  public static final String THRESHOLD = "threshold";
  /** Metadata key: voxel size of the training data (optional). */
  public static final String VOXEL_SIZE = "voxel_size";
  /** Metadata key: weight inflation used (optional). */
  public static final String INFLATION = "inflation";
  /** Metadata key: pretrained checkpoint (optional). */
  public static final String PRETRAINED = "pretrained";
  /** Metadata key: training epochs (optional). */
  public static final String EPOCHS = "epochs";
  /** Metadata key: training seed (optional). */
  public static final String SEED = "seed";
  /** Metadata key: validation Dice (optional). */
  public static final String VAL_DICE = "val_dice";

  /** The keys every model must carry. */
  public static final List<String> REQUIRED =
      List.of(FORMAT, INPUT_DEPTH, TILE_H, TILE_W, PATCH, NORMALIZATION, THRESHOLD);

  /** Copies the metadata into a sorted, unmodifiable map. */
  public ModelContract {
    metadata = java.util.Collections.unmodifiableMap(new TreeMap<>(metadata));
  }

  /**
   * Checks a model's graph signature and metadata against the contract.
   *
   * @param label the model's name for messages
   * @param metadata the model's {@code metadata_props}
   * @param inputs input names and shapes ({@code -1} for a dynamic dimension)
   * @param outputs output names and shapes
   * @throws ModelException naming the model and what is wrong
   */
  public static ModelContract check(String label, Map<String, String> metadata,
      Map<String, long[]> inputs, Map<String, long[]> outputs) {
    long[] in = inputs.get(INPUT);
    if (inputs.size() != 1 || in == null) {
      throw new ModelException("model " + label + ": expected one input named '" + INPUT
          + "' [N,1,D,H,W], got " + describe(inputs));
    }
    long[] out = outputs.get(OUTPUT);
    if (out == null) {
      throw new ModelException("model " + label + ": expected an output named '" + OUTPUT
          + "' [N,1,H,W], got " + describe(outputs));
    }
    if (in.length != 5 || !(in[1] == 1 || in[1] < 0)) {
      throw new ModelException("model " + label + ": input '" + INPUT
          + "' must have rank 5 [N,1,D,H,W], got shape " + Arrays.toString(in));
    }
    if (out.length != 4 || !(out[1] == 1 || out[1] < 0)) {
      throw new ModelException("model " + label + ": output '" + OUTPUT
          + "' must have rank 4 [N,1,H,W], got shape " + Arrays.toString(out));
    }
    List<String> missing = REQUIRED.stream().filter(k -> !metadata.containsKey(k)).toList();
    if (!missing.isEmpty()) {
      throw new ModelException("model " + label + " is missing neuroseg metadata " + missing
          + " (has " + new TreeMap<>(metadata).keySet() + "); export it with neuroseg's "
          + "ONNX writer or add these metadata_props");
    }
    if (!FORMAT_VERSION.equals(metadata.get(FORMAT).strip())) {
      throw new ModelException("model " + label + ": metadata " + FORMAT + " must be '"
          + FORMAT_VERSION + "', got '" + metadata.get(FORMAT) + "'");
    }
    int depth = positiveInt(label, metadata, INPUT_DEPTH);
    if (depth % 2 == 0) {
      throw new ModelException("model " + label + ": " + INPUT_DEPTH
          + " must be odd (the output is the centre slice), got " + depth);
    }
    if (in[2] > 0 && in[2] != depth) {
      throw new ModelException("model " + label + ": metadata " + INPUT_DEPTH + "=" + depth
          + " but the input's depth dimension is " + in[2]);
    }
    int patch = positiveInt(label, metadata, PATCH);
    int th = positiveInt(label, metadata, TILE_H);
    int tw = positiveInt(label, metadata, TILE_W);
    if (th % patch != 0 || tw % patch != 0) {
      throw new ModelException("model " + label + ": tile " + tw + " x " + th
          + " is not a multiple of the patch size " + patch);
    }
    int mh = in[3] > 0 ? (int) in[3] : -1;
    int mw = in[4] > 0 ? (int) in[4] : -1;
    if (mh > 0 && mh != th || mw > 0 && mw != tw) {
      throw new ModelException("model " + label + ": metadata tile " + tw + " x " + th
          + " differs from the input's fixed " + mw + " x " + mh);
    }
    Normalization norm;
    try {
      norm = Normalization.parse(metadata.get(NORMALIZATION));
    } catch (InvalidInputException e) {
      throw new ModelException("model " + label + ": bad metadata " + NORMALIZATION + ": "
          + e.getMessage(), e);
    }
    double threshold;
    try {
      threshold = Double.parseDouble(metadata.get(THRESHOLD).strip());
    } catch (NumberFormatException e) {
      throw new ModelException("model " + label + ": metadata " + THRESHOLD
          + " must be a number in [0, 1], got '" + metadata.get(THRESHOLD) + "'", e);
    }
    if (!(threshold >= 0 && threshold <= 1)) {
      throw new ModelException("model " + label + ": metadata " + THRESHOLD
          + " must be in [0, 1], got " + threshold);
    }
    return new ModelContract(label, depth, th, tw, patch, norm, threshold, mh, mw, metadata);
  }

  /**
   * Checks that tiles of {@code width x height} can be fed to this model.
   *
   * @throws ModelException when the model has a fixed input size and the tile differs from it
   * @throws InvalidInputException when the tile is not a multiple of the patch size
   */
  public void checkTile(int width, int height) {
    if (modelWidth > 0 && width != modelWidth || modelHeight > 0 && height != modelHeight) {
      String rel = width > modelWidth || height > modelHeight ? "larger than" : "different from";
      throw new ModelException("tile " + width + " x " + height + " is " + rel
          + " the input size of model " + label + ", which accepts only " + modelWidth + " x "
          + modelHeight + " tiles (width x height)");
    }
    if (width % patch != 0 || height % patch != 0) {
      throw new InvalidInputException("tile " + width + " x " + height
          + " must be a multiple of model " + label + "'s patch size " + patch);
    }
  }

  private static int positiveInt(String label, Map<String, String> md, String key) {
    String v = md.get(key).strip();
    try {
      int i = Integer.parseInt(v);
      if (i > 0) {
        return i;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ModelException("model " + label + ": metadata " + key
        + " must be a positive integer, got '" + v + "'");
  }

  private static String describe(Map<String, long[]> io) {
    StringBuilder b = new StringBuilder("{");
    io.forEach((k, v) -> b.append(b.length() > 1 ? ", " : "").append(k).append('=')
        .append(Arrays.toString(v)));
    return b.append('}').toString();
  }
}
