package io.github.neuroseg.model;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.ModelException;
import io.github.neuroseg.internal.Checks;
import io.github.neuroseg.internal.Quote;
import io.github.neuroseg.training.EpochStats;
import io.github.neuroseg.training.VitArchitecture;
import io.github.neuroseg.volume.Normalization;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a neuroseg ONNX model promises, read from and checked against its graph and metadata.
 *
 * <p>The contract: one input named {@value #INPUT} of shape {@code [N, 1, D, H, W]} (float32,
 * dynamic {@code N}; {@code D} odd), and an output of shape {@code [N, 1, H, W]} for the centre
 * slice: named {@value #OUTPUT} holding logits, or, when the metadata key {@value #OUTPUT_KIND}
 * says {@code probabilities}, named {@value #PROBABILITIES} holding probabilities (the graph ends
 * with its own sigmoid; see {@link Output}). Models without the key hold logits, as every model
 * written before it did. {@code metadata_props} must hold {@value #FORMAT} ({@value
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
 * @param output what the model's output holds, and so its name
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
    Output output,
    Map<String, String> metadata) {

  /** Name of the model input. */
  public static final String INPUT = "image";
  /** Name of the model output of a model whose output holds logits ({@link Output#LOGITS}). */
  public static final String OUTPUT = "logits";
  /**
   * Name of the model output of a model whose output holds probabilities ({@link
   * Output#PROBABILITIES}).
   */
  public static final String PROBABILITIES = "probabilities";

  /**
   * What a model's output holds. A segmenter applies the sigmoid {@code 1 / (1 + exp(-x))} to
   * logits itself, in double precision, and takes probabilities as they come: a graph that ends
   * with its own {@code Sigmoid} node spares the segmenter a pass over every predicted voxel.
   */
  public enum Output {
    /** Logits, output {@value ModelContract#OUTPUT}; the default. */
    LOGITS(OUTPUT),
    /** Probabilities in [0, 1], output {@value ModelContract#PROBABILITIES}. */
    PROBABILITIES(ModelContract.PROBABILITIES);

    private final String tensor;

    Output(String tensor) {
      this.tensor = tensor;
    }

    /** The name of the graph output, which is also this kind's {@link #spec()}. */
    public String tensorName() {
      return tensor;
    }

    /** The metadata text: {@code logits} or {@code probabilities}. */
    public String spec() {
      return tensor;
    }

    /**
     * The kind named by a metadata value, case and surrounding spaces ignored.
     *
     * @throws InvalidInputException naming the value when it is neither kind
     */
    public static Output parse(String spec) {
      String s = spec.strip().toLowerCase(Locale.ROOT);
      for (Output o : values()) {
        if (o.spec().equals(s)) {
          return o;
        }
      }
      throw new InvalidInputException("model output must be 'logits' or 'probabilities', got '"
          + spec + "'");
    }
  }

  /**
   * How the weights of a model's linear layers are stored and multiplied. The contract's input
   * and output stay float32 either way; a segmenter needs nothing to run either.
   */
  public enum Precision {
    /** float32 everywhere; the default, and what models without {@value #PRECISION} are. */
    FLOAT32("float32"),
    /**
     * Dynamic int8 quantisation of the transformer's linear layers: weights int8 (7 bits used)
     * with one symmetric scale per output feature, activations quantised to uint8 at run time with one
     * scale per inference call ({@code DynamicQuantizeLinear}, {@code MatMulInteger}, standard
     * ONNX operators); the patch embedding, attention products, norms and the decoder stay
     * float32. Because the activation scale spans the call's batch, a tile's probabilities
     * depend slightly on the other tiles in its batch: a segmenter's results are repeatable for
     * the same input and batch size, but not bit-identical across batch sizes or between
     * {@code segment} and {@code segmentBox} the way float32 results are.
     */
    INT8("int8");

    private final String spec;

    Precision(String spec) {
      this.spec = spec;
    }

    /** The metadata text: {@code float32} or {@code int8}. */
    public String spec() {
      return spec;
    }

    /**
     * The precision named by a metadata value, case and surrounding spaces ignored.
     *
     * @throws InvalidInputException naming the value when it is neither
     */
    public static Precision parse(String spec) {
      String s = spec.strip().toLowerCase(Locale.ROOT);
      for (Precision p : values()) {
        if (p.spec.equals(s)) {
          return p;
        }
      }
      throw new InvalidInputException("model precision must be 'float32' or 'int8', got '"
          + spec + "'");
    }
  }

  // ------------------------------------------------------------ model metadata: the contract

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
  /**
   * Metadata key: what the output holds, {@code logits} or {@code probabilities} (see {@link
   * Output}); optional, absent means logits.
   */
  public static final String OUTPUT_KIND = "output";
  /**
   * Metadata key: how the linear layers compute, {@code float32} or {@code int8} (see {@link
   * Precision}); optional, absent means float32. Informational: inference reads nothing from it.
   */
  public static final String PRECISION = "precision";

  // ------------------------------------------------------------ model metadata: architecture

  /** Metadata key: token width of the ViT (written by the exporter; optional for inference). */
  public static final String EMBED = "embed";
  /** Metadata key: transformer blocks of the ViT (optional for inference). */
  public static final String LAYERS = "layers";
  /** Metadata key: attention heads of the ViT (optional for inference). */
  public static final String HEADS = "heads";
  /**
   * Metadata key: the head that makes pixels of the tokens, {@code linear} or {@code conv} (see
   * {@link VitArchitecture.Head}; absent in models written before the conv head: linear).
   */
  public static final String HEAD = "head";
  /**
   * Metadata key: {@code true} when every block scales its branches by learned factors
   * (DINOv2's LayerScale, see {@link VitArchitecture#layerScale()}); absent means {@code false}.
   */
  public static final String LAYER_SCALE = "layer_scale";
  /**
   * Metadata key: register tokens of the ViT (see {@link VitArchitecture#registers()}); absent
   * means 0.
   */
  public static final String REGISTERS = "registers";

  // ------------------------------------------------------------ model metadata: provenance

  /** Metadata key: voxel size of the training data, {@code x,y,z} (optional). */
  public static final String VOXEL_SIZE = "voxel_size";
  /** Metadata key: weight inflation used, {@code average}, {@code center} or {@code none}. */
  public static final String INFLATION = "inflation";
  /** Metadata key: pretrained checkpoint file name, or {@code none} (optional). */
  public static final String PRETRAINED = "pretrained";
  /**
   * Metadata key: what the pretrained checkpoint was, e.g. {@code dinov2-hub (teacher)} (optional;
   * see {@code PretrainedCheckpoints} in neuroseg-train).
   */
  public static final String PRETRAINED_DISTRIBUTION = "pretrained_distribution";
  /**
   * Metadata key: how the pretrained patch kernel's colour channels became one, {@code sum} or
   * {@code mean} (optional; absent in models written before the choice: sum).
   */
  public static final String CHANNEL_REDUCTION = "channel_reduction";
  /** Metadata key: the epoch whose weights the model holds (optional). */
  public static final String EPOCHS = "epochs";
  /** Metadata key: training seed (optional). */
  public static final String SEED = "seed";
  /** Metadata key: mean validation Dice of the model (optional). */
  public static final String VAL_DICE = "val_dice";
  /** Metadata key: mean validation HD95 in voxels of the model (optional). */
  public static final String VAL_HD95 = "val_hd95";
  /** Metadata key: the command line that trained the model (optional). */
  public static final String TRAINING_COMMAND = "training_command";
  /** Metadata key: names of the training volumes, comma-separated (optional). */
  public static final String TRAINING_CASES = "training_cases";
  /** Metadata key: names of the validation volumes, comma-separated (optional). */
  public static final String VALIDATION_CASES = "validation_cases";
  /** Metadata key: names of the held-out test volumes, comma-separated (optional). */
  public static final String TEST_CASES = "test_cases";
  /** Metadata key: mean Dice of the model on its test volumes at its threshold (optional). */
  public static final String TEST_DICE = "test_dice";
  /** Metadata key: mean HD95 in voxels of the model on its test volumes (optional). */
  public static final String TEST_HD95 = "test_hd95";
  /**
   * Metadata key: where the training data came from: its sources and any attribution the
   * trainer was given (optional, free text).
   */
  public static final String TRAINING_DATA = "training_data";

  // ------------------------------------------------------------ checkpoint metadata

  /** Checkpoint key: the architecture's text ({@link VitArchitecture#toString()}). */
  public static final String CHECKPOINT_ARCHITECTURE = "config";
  /** Checkpoint key: the last finished epoch. */
  public static final String CHECKPOINT_EPOCH = "epoch";
  /** Checkpoint key: optimisation steps done. */
  public static final String CHECKPOINT_STEP = "step";
  /** Checkpoint key: the best mean validation Dice so far. */
  public static final String CHECKPOINT_BEST_DICE = "best_dice";
  /** Checkpoint key: the threshold calibrated for the best epoch. */
  public static final String CHECKPOINT_BEST_THRESHOLD = "best_threshold";
  /** Checkpoint key: the mean validation HD95 of the best epoch. */
  public static final String CHECKPOINT_BEST_HD95 = "best_hd95";
  /** Checkpoint key: the best epoch. */
  public static final String CHECKPOINT_BEST_EPOCH = "best_epoch";
  /** Checkpoint key: epochs since the last improvement. */
  public static final String CHECKPOINT_STALE = "stale";
  /**
   * Prefix of the training history in checkpoints: {@code history.<epoch>.<field>} for the
   * fields of {@link EpochStats} ({@code train_loss}, {@code val_dice}, {@code val_hd95}, {@code
   * threshold}, {@code learning_rate}).
   */
  public static final String HISTORY_PREFIX = "history.";

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
    Output kind;
    try {
      kind = Output.parse(metadata.getOrDefault(OUTPUT_KIND, OUTPUT));
    } catch (InvalidInputException e) {
      throw new ModelException("model " + label + ": bad metadata " + OUTPUT_KIND + ": "
          + e.getMessage(), e);
    }
    long[] out = outputs.get(kind.tensorName());
    if (out == null) {
      throw new ModelException("model " + label + ": expected an output named '"
          + kind.tensorName() + "' [N,1,H,W]" + (kind == Output.PROBABILITIES
          ? " (its metadata " + OUTPUT_KIND + " says " + kind.spec() + ")" : "") + ", got "
          + describe(outputs));
    }
    if (in.length != 5 || !(in[1] == 1 || in[1] < 0)) {
      throw new ModelException("model " + label + ": input '" + INPUT
          + "' must have rank 5 [N,1,D,H,W], got shape " + Arrays.toString(in));
    }
    if (out.length != 4 || !(out[1] == 1 || out[1] < 0)) {
      throw new ModelException("model " + label + ": output '" + kind.tensorName()
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
          + FORMAT_VERSION + "', got " + Quote.quote(metadata.get(FORMAT)));
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
    try {
      Checks.arrayLength("its input tile (bytes)", tw, th, depth, Float.BYTES);
    } catch (InvalidInputException e) {
      throw new ModelException("model " + label + ": metadata tile " + tw + " x " + th
          + " with " + INPUT_DEPTH + " " + depth + " is too large: " + e.getMessage(), e);
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
          + " must be a number in [0, 1], got " + Quote.quote(metadata.get(THRESHOLD)), e);
    }
    if (!(threshold >= 0 && threshold <= 1)) {
      throw new ModelException("model " + label + ": metadata " + THRESHOLD
          + " must be in [0, 1], got " + threshold);
    }
    return new ModelContract(label, depth, th, tw, patch, norm, threshold, mh, mw, kind,
        metadata);
  }

  /**
   * Checks that tiles of {@code width x height} can be fed to this model.
   *
   * @throws ModelException when the model has a fixed input size and the tile differs from it
   * @throws InvalidInputException when the tile is not a multiple of the patch size, or one
   *     input block of it does not fit one array
   */
  public void checkTile(int width, int height) {
    if (modelWidth > 0 && width != modelWidth || modelHeight > 0 && height != modelHeight) {
      String rel = width > modelWidth || height > modelHeight ? "larger than" : "different from";
      throw new ModelException("tile " + width + " x " + height + " is " + rel
          + " the input size of model " + label + ", which accepts only " + modelWidth + " x "
          + modelHeight + " tiles (width x height)");
    }
    Checks.arrayLength("an input tile (bytes)", width, height, inputDepth, Float.BYTES);
    if (width % patch != 0 || height % patch != 0) {
      throw new InvalidInputException("tile " + width + " x " + height
          + " must be a multiple of model " + label + "'s patch size " + patch);
    }
  }

  /**
   * The metadata that states an architecture: the contract's {@link #FORMAT}, {@link
   * #INPUT_DEPTH}, {@link #TILE_H}, {@link #TILE_W}, {@link #PATCH} and the {@link #EMBED},
   * {@link #LAYERS}, {@link #HEADS}, {@link #HEAD}, {@link #LAYER_SCALE} and {@link #REGISTERS}
   * that make it explicit, so that a checkpoint or a model can be rebuilt from its metadata
   * alone.
   */
  public static Map<String, String> architectureMetadata(VitArchitecture a) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(FORMAT, FORMAT_VERSION);
    m.put(INPUT_DEPTH, Integer.toString(a.inputDepth()));
    m.put(TILE_H, Integer.toString(a.tileHeight()));
    m.put(TILE_W, Integer.toString(a.tileWidth()));
    m.put(PATCH, Integer.toString(a.patch()));
    m.put(EMBED, Integer.toString(a.embedDim()));
    m.put(LAYERS, Integer.toString(a.layers()));
    m.put(HEADS, Integer.toString(a.heads()));
    m.put(HEAD, a.head().spec());
    m.put(LAYER_SCALE, Boolean.toString(a.layerScale()));
    m.put(REGISTERS, Integer.toString(a.registers()));
    return m;
  }

  /**
   * The architecture stated by metadata written with {@link #architectureMetadata}.
   *
   * @param source the file or model the metadata came from, for messages
   * @throws ModelException naming the source and the key that is missing or not a positive
   *     integer, or the size rule the values break
   */
  public static VitArchitecture architecture(Map<String, String> metadata, String source) {
    List<String> missing = new ArrayList<>();
    for (String k : List.of(EMBED, LAYERS, HEADS, PATCH, INPUT_DEPTH, TILE_H, TILE_W)) {
      if (!metadata.containsKey(k)) {
        missing.add(k);
      }
    }
    if (!missing.isEmpty()) {
      throw new ModelException(source + " does not state its architecture: metadata " + missing
          + " missing; it was not written by neuroseg's trainer");
    }
    try {
      return new VitArchitecture(positiveInt(source, metadata, EMBED),
          positiveInt(source, metadata, LAYERS), positiveInt(source, metadata, HEADS),
          positiveInt(source, metadata, PATCH), positiveInt(source, metadata, INPUT_DEPTH),
          positiveInt(source, metadata, TILE_H), positiveInt(source, metadata, TILE_W),
          VitArchitecture.Head.parse(metadata.getOrDefault(HEAD, "linear")),
          layerScale(metadata, source), registers(metadata, source));
    } catch (InvalidInputException e) {
      throw new ModelException(source + ": the architecture in its metadata is not valid: "
          + e.getMessage(), e);
    }
  }

  private static boolean layerScale(Map<String, String> md, String source) {
    String v = md.getOrDefault(LAYER_SCALE, "false").strip().toLowerCase(Locale.ROOT);
    if (!v.equals("true") && !v.equals("false")) {
      throw new ModelException(source + ": metadata " + LAYER_SCALE + " must be true or false, "
          + "got " + Quote.quote(md.get(LAYER_SCALE)));
    }
    return v.equals("true");
  }

  private static int registers(Map<String, String> md, String source) {
    String v = md.getOrDefault(REGISTERS, "0").strip();
    try {
      int r = Integer.parseInt(v);
      if (r >= 0) {
        return r;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ModelException(source + ": metadata " + REGISTERS + " must be an integer >= 0, got "
        + Quote.quote(v));
  }

  /** The training history as checkpoint metadata (see {@link #HISTORY_PREFIX}). */
  public static Map<String, String> historyMetadata(List<EpochStats> history) {
    Map<String, String> m = new LinkedHashMap<>();
    for (EpochStats s : history) {
      String p = HISTORY_PREFIX + s.epoch() + ".";
      m.put(p + "train_loss", Double.toString(s.trainLoss()));
      m.put(p + "val_dice", Double.toString(s.validationDice()));
      m.put(p + "val_hd95", Double.toString(s.validationHd95()));
      m.put(p + "threshold", Double.toString(s.threshold()));
      m.put(p + "learning_rate", Double.toString(s.learningRate()));
    }
    return m;
  }

  /**
   * The training history stored by {@link #historyMetadata}, by epoch.
   *
   * @throws ModelException naming the source and the entry that is missing or not a number
   */
  public static List<EpochStats> history(Map<String, String> metadata, String source) {
    List<EpochStats> out = new ArrayList<>();
    for (int epoch = 1; metadata.containsKey(HISTORY_PREFIX + epoch + ".train_loss"); epoch++) {
      String p = HISTORY_PREFIX + epoch + ".";
      out.add(new EpochStats(epoch, number(metadata, p + "train_loss", source),
          number(metadata, p + "val_dice", source), number(metadata, p + "val_hd95", source),
          number(metadata, p + "threshold", source),
          number(metadata, p + "learning_rate", source)));
    }
    return out;
  }

  /** A comma-separated list of case names, as the {@code *_cases} keys hold them. */
  public static String cases(List<String> names) {
    return String.join(",", names);
  }

  /** The case names of a {@code *_cases} key; empty when the key is absent. */
  public static List<String> cases(Map<String, String> metadata, String key) {
    String v = metadata.get(key);
    if (v == null || v.isBlank()) {
      return List.of();
    }
    return Arrays.stream(v.split(",")).map(String::strip).filter(t -> !t.isEmpty()).toList();
  }

  /** A number as metadata text: {@code %.6f}, locale-independent. */
  public static String number(double value) {
    return String.format(Locale.ROOT, "%.6f", value);
  }

  private static double number(Map<String, String> md, String key, String source) {
    String v = md.get(key);
    try {
      if (v != null) {
        return Double.parseDouble(v.strip());
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ModelException(source + ": metadata " + key + " must be a number, got "
        + (v == null ? "none" : Quote.quote(v)));
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
        + " must be a positive integer, got " + Quote.quote(v));
  }

  private static String describe(Map<String, long[]> io) {
    StringBuilder b = new StringBuilder("{");
    io.forEach((k, v) -> b.append(b.length() > 1 ? ", " : "").append(k).append('=')
        .append(Arrays.toString(v)));
    return b.append('}').toString();
  }
}
