package io.github.neuroseg.onnx;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.InvalidProtocolBufferException;
import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.ModelException;
import io.github.neuroseg.files.AtomicWrite;
import io.github.neuroseg.internal.IoErrors;
import io.github.neuroseg.model.ModelContract;
import io.github.neuroseg.segmentation.ModelSource;
import io.github.neuroseg.segmentation.SegmenterBuilder;
import io.github.neuroseg.synth.NeuronGenerator;
import io.github.neuroseg.synth.NeuronRenderer;
import io.github.neuroseg.synth.RenderedNeuron;
import io.github.neuroseg.volume.Normalization;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.Volumes;
import io.github.neuroseg.volume.VoxelSize;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.imglib2.RandomAccess;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;
import org.jspecify.annotations.Nullable;

/** Writes the bioimage.io package of a neuroseg model; see {@link BioImageIo#export}. */
final class BioImageIoExport {
  /** The {@code eps} of {@code scale_range}, {@code (v - lo) / (hi - lo + eps)}. */
  static final double EPS = 1e-6;
  static final String INPUT_ID = "image";
  static final String OUTPUT_ID = "probability";
  static final String TEST_INPUT = "test_input.npy";
  static final String TEST_OUTPUT = "test_output.npy";
  static final String SAMPLE_INPUT = "sample_input.tif";
  static final String SAMPLE_OUTPUT = "sample_output.tif";
  static final String README = "README.md";
  static final String PAPER = "Cheng, Y. S., Zhao, R., Wang, H., Peng, H. and Cai, W. Boosting 3D"
      + " Neuron Segmentation with 2D Vision Transformer Pre-trained on Natural Images."
      + " arXiv:2405.02686, 2024.";
  static final String PAPER_DOI = "10.48550/arXiv.2405.02686";
  static final String PAPER_URL = "https://arxiv.org/abs/2405.02686";
  static final String GIT_REPO = "https://github.com/neuroseg/neuroseg";

  private BioImageIoExport() {}

  /** The test tile: raw intensities in C order {@code [1, 1, D, H, W]} and its probabilities. */
  record TestTensors(Npy.Array input, Npy.Array output, Volume inputVolume) {}

  static Path export(ModelSource model, Path directory, BioImageIo.Options options) {
    byte[] bytes = bytes(model);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    SegmenterBuilder settings = new SegmenterBuilder().model(model).threads(1);
    OrtSessions.Opened opened = OrtSessions.open(env, settings.config());
    TestTensors tests;
    try {
      tests = testTensors(env, opened.session(), opened.contract(), options.seed());
    } finally {
      OrtSessions.closeQuietly(opened.session());
    }
    ModelContract contract = opened.contract();
    String weightsName = weightsName(model.label());
    String name = options.name() != null ? options.name() : packageName(weightsName);

    Path rdf = directory.resolve(BioImageIo.RDF);
    try {
      Files.createDirectories(directory);
      // no description while the files it describes change
      Files.deleteIfExists(rdf);
    } catch (IOException e) {
      throw IoErrors.cannotWrite(directory, e);
    }
    Map<String, String> sha = new LinkedHashMap<>();
    sha.put(weightsName, write(directory.resolve(weightsName), bytes));
    sha.put(TEST_INPUT, write(directory.resolve(TEST_INPUT), Npy.write(tests.input())));
    sha.put(TEST_OUTPUT, write(directory.resolve(TEST_OUTPUT), Npy.write(tests.output())));
    sha.put(SAMPLE_INPUT, writeVolume(tests.inputVolume(), directory.resolve(SAMPLE_INPUT)));
    sha.put(SAMPLE_OUTPUT, writeVolume(outputVolume(tests.output()),
        directory.resolve(SAMPLE_OUTPUT)));
    write(directory.resolve(README), readme(name, contract, options)
        .getBytes(StandardCharsets.UTF_8));
    Map<String, Object> description =
        description(name, contract, opset(model.label(), bytes), weightsName, sha, options);
    String yaml = YamlWriter.write(List.of("bioimage.io model description written by neuroseg",
        "format: https://github.com/bioimage-io/spec-bioimage-io"), description);
    write(rdf, yaml.getBytes(StandardCharsets.UTF_8));
    return rdf;
  }

  // ------------------------------------------------------------------ the description

  static Map<String, Object> description(String name, ModelContract c, long opset,
      String weightsName, Map<String, String> sha, BioImageIo.Options o) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("format_version", BioImageIo.FORMAT_VERSION);
    d.put("type", "model");
    d.put("name", name);
    d.put("description", summary(c));
    d.put("authors", o.authors().stream().map(a -> Map.of("name", a)).toList());
    d.put("cite", List.of(ordered("text", PAPER, "doi", PAPER_DOI, "url", PAPER_URL)));
    d.put("license", o.license());
    d.put("git_repo", GIT_REPO);
    d.put("tags", List.of("neuroseg", "neuron", "neurite", "segmentation", "3d",
        "fluorescence-light-microscopy", "vision-transformer", "onnx"));
    d.put("documentation", README);
    d.put("timestamp", OffsetDateTime.ofInstant(o.timestamp(), ZoneOffset.UTC)
        .truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    d.put("inputs", List.of(input(c, sha)));
    d.put("outputs", List.of(output(c, sha)));
    Map<String, Object> onnx = new LinkedHashMap<>();
    onnx.put("source", weightsName);
    onnx.put("sha256", sha.get(weightsName));
    onnx.put("opset_version", opset);
    onnx.put("comment", "neuroseg format " + c.metadata().get(ModelContract.FORMAT)
        + ": input '" + ModelContract.INPUT + "' [N,1,D,H,W], output '"
        + c.output().tensorName() + "' [N,1,H,W] (" + c.output().spec()
        + " of the centre slice)");
    d.put("weights", Map.of("onnx", onnx));
    d.put("config", config(c));
    return d;
  }

  private static Map<String, Object> input(ModelContract c, Map<String, String> sha) {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("id", INPUT_ID);
    t.put("description", "raw intensities, " + c.inputDepth() + " consecutive z slices");
    List<Object> axes = new ArrayList<>();
    axes.add(Map.of("type", "batch"));
    axes.add(ordered("type", "channel", "channel_names", List.of("intensity")));
    axes.add(ordered("type", "space", "id", "z", "size", c.inputDepth(), "description",
        "the slice to segment and " + c.inputDepth() / 2 + " on each side"));
    axes.add(space("y", c.modelHeight(), c.patch()));
    axes.add(space("x", c.modelWidth(), c.patch()));
    t.put("axes", axes);
    t.put("test_tensor", ordered("source", TEST_INPUT, "sha256", sha.get(TEST_INPUT)));
    t.put("sample_tensor", ordered("source", SAMPLE_INPUT, "sha256", sha.get(SAMPLE_INPUT)));
    t.put("data", Map.of("type", "float32"));
    t.put("preprocessing", preprocessing(c.label(), c.normalization()));
    return t;
  }

  /** A fixed size for a graph with one, else every multiple of the patch. */
  private static Map<String, Object> space(String id, int fixed, int patch) {
    Object size = fixed > 0 ? (Object) fixed : ordered("min", patch, "step", patch);
    return ordered("type", "space", "id", id, "size", size);
  }

  private static Map<String, Object> output(ModelContract c, Map<String, String> sha) {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("id", OUTPUT_ID);
    t.put("description", "foreground probability of the input's centre z slice");
    t.put("axes", List.of(
        Map.of("type", "batch"),
        ordered("type", "channel", "channel_names", List.of("foreground")),
        ordered("type", "space", "id", "y", "size",
            ordered("tensor_id", INPUT_ID, "axis_id", "y")),
        ordered("type", "space", "id", "x", "size",
            ordered("tensor_id", INPUT_ID, "axis_id", "x"))));
    t.put("test_tensor", ordered("source", TEST_OUTPUT, "sha256", sha.get(TEST_OUTPUT)));
    t.put("sample_tensor", ordered("source", SAMPLE_OUTPUT, "sha256", sha.get(SAMPLE_OUTPUT)));
    t.put("data", ordered("type", "float32", "range", List.of(0.0, 1.0)));
    // logits need the sigmoid; a graph that ends with its own gives probabilities already
    t.put("postprocessing", c.output() == ModelContract.Output.LOGITS
        ? List.of(Map.of("id", "sigmoid")) : List.of());
    return t;
  }

  /**
   * The normalisation as bioimage.io pre-processing over the whole input tensor.
   *
   * @throws ModelException for percentiles bioimage.io does not accept (an upper one up to 1)
   */
  static List<Object> preprocessing(String label, Normalization n) {
    List<String> axes = List.of("channel", "z", "y", "x");
    if (n instanceof Normalization.Percentile p) {
      if (p.high() <= 1) {
        // bioimage.io takes max_percentile > 1 to catch fractions given for percentiles
        throw new ModelException("model " + label + ": normalization " + p.spec()
            + " cannot be written as bioimage.io scale_range, which needs max_percentile > 1");
      }
      return List.of(scaleRange(axes, p.low(), p.high()));
    } else if (n instanceof Normalization.MinMax) {
      return List.of(scaleRange(axes, 0, 100));
    } else if (n instanceof Normalization.Fixed f) {
      double gain = 1.0 / (f.hi() - f.lo());
      return List.of(ordered("id", "scale_linear", "kwargs",
          ordered("gain", gain, "offset", -f.lo() * gain)));
    }
    return List.of();
  }

  private static Map<String, Object> scaleRange(List<String> axes, double low, double high) {
    return ordered("id", "scale_range", "kwargs", ordered("axes", axes, "min_percentile", low,
        "max_percentile", high, "eps", EPS));
  }

  private static Map<String, Object> config(ModelContract c) {
    Map<String, Object> neuroseg = new LinkedHashMap<>();
    neuroseg.put("threshold", c.threshold());
    neuroseg.put("tile", List.of(c.tileWidth(), c.tileHeight()));
    neuroseg.put("normalization", c.normalization().spec());
    neuroseg.put("z_rule", "each z slice is segmented from the " + c.inputDepth()
        + " slices centred on it, mirrored at the ends of the stack");
    Map<String, Object> provenance = new LinkedHashMap<>();
    for (String k : List.of(ModelContract.TRAINING_COMMAND, ModelContract.SEED,
        ModelContract.EPOCHS, ModelContract.VAL_DICE, ModelContract.VAL_HD95,
        ModelContract.TEST_DICE, ModelContract.TEST_HD95, ModelContract.PRETRAINED,
        ModelContract.PRETRAINED_DISTRIBUTION, ModelContract.INFLATION, ModelContract.VOXEL_SIZE,
        ModelContract.TRAINING_DATA, ModelContract.TRAINING_CASES,
        ModelContract.VALIDATION_CASES, ModelContract.TEST_CASES)) {
      String v = c.metadata().get(k);
      if (v != null) {
        provenance.put(k, k.endsWith("_cases") ? ModelContract.cases(c.metadata(), k) : v);
      }
    }
    neuroseg.put("training", provenance);
    neuroseg.put("metadata", new LinkedHashMap<>(c.metadata()));
    Map<String, Object> training = new LinkedHashMap<>();
    Integer epochs = integer(c.metadata().get(ModelContract.EPOCHS));
    if (epochs != null) {
      training.put("training_epochs", epochs);
    }
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("bioimageio", Map.of("training", training));
    config.put("neuroseg", neuroseg);
    return config;
  }

  private static String summary(ModelContract c) {
    return "3D Vision Transformer (neuroseg) that segments single neurons in 3D light-microscopy"
        + " stacks: " + c.inputDepth() + " z slices in, the foreground probability of the centre"
        + " slice out; a stack is segmented slice by slice (threshold "
        + YamlWriter.number(c.threshold()) + ", then traced to SWC by neuroseg).";
  }

  static String readme(String name, ModelContract c, BioImageIo.Options o) {
    Map<String, String> md = c.metadata();
    StringBuilder b = new StringBuilder();
    b.append("# ").append(name).append("\n\n").append(summary(c)).append("\n\n");
    b.append("## Inputs and outputs\n\n");
    b.append("- input `").append(INPUT_ID).append("` [batch, channel, z, y, x]: raw intensities"
        + " (float32) of ").append(c.inputDepth()).append(" consecutive slices, ");
    b.append(c.modelWidth() > 0 ? "a " + c.modelWidth() + " x " + c.modelHeight() + " tile"
        : "tiles of any multiple of " + c.patch() + " voxels (trained on " + c.tileWidth()
            + " x " + c.tileHeight() + ")");
    b.append(";\n- output `").append(OUTPUT_ID).append("` [batch, channel, y, x]: the"
        + " foreground probability of the centre slice (" + (c.output()
        == ModelContract.Output.LOGITS ? "the sigmoid of the model's logits"
        : "the model ends with its sigmoid") + ").\n\n");
    b.append("## Pre-processing\n\n");
    b.append("neuroseg normalises with `").append(c.normalization().spec()).append("`. ");
    b.append(normalisationNote(c.normalization()));
    b.append("\n\n## Segmenting a stack\n\n");
    b.append("bioimage.io describes one block of slices; neuroseg slides it along z (each slice"
        + " from the ").append(c.inputDepth()).append(" slices centred on it, mirrored at the"
        + " ends), tiles x and y with overlap and blends the tiles. The calibrated threshold is ")
        .append(YamlWriter.number(c.threshold())).append(" (`config.neuroseg.threshold`). With"
        + " neuroseg: `neuroseg segment --model <this folder> --input stack.tif --output"
        + " mask.tif`, or `BioImageIo.segmenter(folder).build()` in Java.\n\n");
    b.append("## Training\n\n");
    appendIf(b, "- command: `", md.get(ModelContract.TRAINING_COMMAND), "`\n");
    appendIf(b, "- seed: ", md.get(ModelContract.SEED), "\n");
    appendIf(b, "- epoch kept: ", md.get(ModelContract.EPOCHS), "\n");
    appendIf(b, "- pretrained checkpoint: ", md.get(ModelContract.PRETRAINED), "\n");
    appendIf(b, "- weight inflation: ", md.get(ModelContract.INFLATION), "\n");
    appendIf(b, "- training data: ", md.get(ModelContract.TRAINING_DATA), "\n");
    appendIf(b, "- training volumes: ", md.get(ModelContract.TRAINING_CASES), "\n");
    appendIf(b, "- validation volumes: ", md.get(ModelContract.VALIDATION_CASES), "\n");
    appendIf(b, "- test volumes: ", md.get(ModelContract.TEST_CASES), "\n");
    b.append("- all model metadata: `config.neuroseg.metadata` in rdf.yaml\n\n");
    b.append("## Validation\n\n");
    if (md.containsKey(ModelContract.VAL_DICE)) {
      b.append("Mean validation Dice ").append(md.get(ModelContract.VAL_DICE));
      appendIf(b, ", HD95 ", md.get(ModelContract.VAL_HD95), " voxels");
      b.append(" (neuroseg's tiling and stitching, at the calibrated threshold). ");
    }
    if (md.containsKey(ModelContract.TEST_DICE)) {
      b.append("Mean Dice on the held-out test volumes ").append(md.get(ModelContract.TEST_DICE));
      appendIf(b, ", HD95 ", md.get(ModelContract.TEST_HD95), " voxels");
      b.append(". ");
    }
    b.append("To validate on your data, segment labelled stacks and score them with `neuroseg"
        + " evaluate` (Dice, HD95, and after tracing ESA, DSA, PDS and node F1); `scripts/"
        + "eval-real` in the neuroseg repository compares a model with threshold baselines on"
        + " real stacks. The test tensors of this package are a tile of a synthetic neuron"
        + " (seed ").append(o.seed()).append(") and its probabilities.\n\n");
    b.append("## Citation and licence\n\n").append(PAPER).append(" https://doi.org/")
        .append(PAPER_DOI).append("\n\nLicence: ").append(o.license()).append(".\n");
    return b.toString();
  }

  private static String normalisationNote(Normalization n) {
    if (n instanceof Normalization.Percentile) {
      return "bioimage.io's `scale_range` with these percentiles over the whole input is the"
          + " same map up to its `eps` (1e-6 in the denominator), except that neuroseg (a) takes"
          + " the percentiles of the whole stack, not of each block of slices, and (b) when they"
          + " coincide (a sparse, background-subtracted stack) falls back to the percentiles of"
          + " the non-zero voxels, then to the minimum and maximum, and returns zeros for a"
          + " constant stack.";
    } else if (n instanceof Normalization.MinMax) {
      return "This is `scale_range` from the 0th to the 100th percentile, up to its `eps`;"
          + " neuroseg takes the whole stack's minimum and maximum and returns zeros for a"
          + " constant stack.";
    } else if (n instanceof Normalization.Fixed) {
      return "This is exactly `scale_linear` with the gain and offset given.";
    }
    return "The model takes the intensities unchanged.";
  }

  private static void appendIf(StringBuilder b, String before, @Nullable String value,
      String after) {
    if (value != null && !value.isBlank()) {
      b.append(before).append(value).append(after);
    }
  }

  // ------------------------------------------------------------------ the test tensors

  /**
   * A {@code W x H x D} tile of a rendered synthetic neuron (where it holds the most neuron) and
   * the probabilities the description defines for it: the pre-processing, the model, the sigmoid.
   */
  static TestTensors testTensors(OrtEnvironment env, OrtSession session, ModelContract c,
      long seed) {
    int w = c.modelWidth() > 0 ? c.modelWidth() : c.tileWidth();
    int h = c.modelHeight() > 0 ? c.modelHeight() : c.tileHeight();
    int d = c.inputDepth();
    long[] dims = {2L * w, 2L * h, Math.max(2L * d, 8)};
    RenderedNeuron r = NeuronRenderer.newBuilder().seed(seed).build().render(
        NeuronGenerator.newBuilder().bounds(dims[0], dims[1], dims[2]).seed(seed).build()
            .generate().toPhysical(VoxelSize.UNIT), dims, VoxelSize.UNIT);
    long[] at = densest(r, w, h, d);
    float[] raw = new float[w * h * d];
    RandomAccess<? extends RealType<?>> ra = r.image().image().randomAccess();
    int i = 0;
    for (int z = 0; z < d; z++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          ra.setPosition(new long[] {at[0] + x, at[1] + y, at[2] + z});
          raw[i++] = ra.get().getRealFloat();
        }
      }
    }
    float[] normalised = preprocess(c, raw, seed);
    float[] probability = new float[w * h];
    long[] shape = {1, 1, d, h, w};
    try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(normalised), shape);
        OrtSession.Result res = session.run(Map.of(ModelContract.INPUT, in))) {
      OnnxTensor out = (OnnxTensor) res.get(c.output().tensorName()).orElseThrow();
      long[] got = out.getInfo().getShape();
      if (!Arrays.equals(got, new long[] {1, 1, h, w})) {
        throw new ModelException("model " + c.label() + " returned '" + c.output().tensorName()
            + "' of shape " + Arrays.toString(got) + " for input " + Arrays.toString(shape));
      }
      out.getFloatBuffer().get(probability);
    } catch (OrtException e) {
      throw new ModelException("model " + c.label() + " failed on the test tile "
          + Arrays.toString(shape) + ": " + e.getMessage(), e);
    }
    if (c.output() == ModelContract.Output.LOGITS) {
      for (int k = 0; k < probability.length; k++) {
        probability[k] = (float) (1.0 / (1.0 + Math.exp(-probability[k])));
      }
    }
    ArrayImg<FloatType, FloatArray> tile = ArrayImgs.floats(raw, w, h, d);
    return new TestTensors(new Npy.Array(shape, raw),
        new Npy.Array(new long[] {1, 1, h, w}, probability),
        new Volume(tile, VoxelSize.UNIT, "test_input", Map.of()));
  }

  /** The corner of the {@code w x h x d} box holding the most mask voxels (first of ties). */
  private static long[] densest(RenderedNeuron r, int w, int h, int d) {
    int nx = (int) r.mask().dimension(0);
    int ny = (int) r.mask().dimension(1);
    int nz = (int) r.mask().dimension(2);
    byte[] m = r.mask().update(null).getCurrentStorageArray();
    // summed-volume table with a zero border
    long[] s = new long[(nx + 1) * (ny + 1) * (nz + 1)];
    for (int z = 1; z <= nz; z++) {
      for (int y = 1; y <= ny; y++) {
        for (int x = 1; x <= nx; x++) {
          long v = m[(x - 1) + nx * ((y - 1) + ny * (z - 1))] != 0 ? 1 : 0;
          s[at(x, y, z, nx, ny)] = v + s[at(x - 1, y, z, nx, ny)] + s[at(x, y - 1, z, nx, ny)]
              + s[at(x, y, z - 1, nx, ny)] - s[at(x - 1, y - 1, z, nx, ny)]
              - s[at(x - 1, y, z - 1, nx, ny)] - s[at(x, y - 1, z - 1, nx, ny)]
              + s[at(x - 1, y - 1, z - 1, nx, ny)];
        }
      }
    }
    long best = -1;
    long[] corner = {0, 0, 0};
    for (int z = 0; z + d <= nz; z++) {
      for (int y = 0; y + h <= ny; y++) {
        for (int x = 0; x + w <= nx; x++) {
          int x1 = x + w;
          int y1 = y + h;
          int z1 = z + d;
          long sum = s[at(x1, y1, z1, nx, ny)] - s[at(x, y1, z1, nx, ny)]
              - s[at(x1, y, z1, nx, ny)] - s[at(x1, y1, z, nx, ny)] + s[at(x, y, z1, nx, ny)]
              + s[at(x, y1, z, nx, ny)] + s[at(x1, y, z, nx, ny)] - s[at(x, y, z, nx, ny)];
          if (sum > best) {
            best = sum;
            corner = new long[] {x, y, z};
          }
        }
      }
    }
    return corner;
  }

  private static int at(int x, int y, int z, int nx, int ny) {
    return x + (nx + 1) * (y + (ny + 1) * z);
  }

  /**
   * The pre-processing of the description, as bioimage.io defines it: {@code scale_range} with
   * NumPy's linear-interpolation percentiles over the whole tensor and {@code eps}, or {@code
   * scale_linear}.
   *
   * @throws InvalidInputException when the tile's percentiles coincide, where neuroseg would fall
   *     back to other statistics and the two would differ
   */
  static float[] preprocess(ModelContract c, float[] raw, long seed) {
    Normalization n = c.normalization();
    double lo;
    double hi;
    double eps;
    if (n instanceof Normalization.Fixed f) {
      double gain = 1.0 / (f.hi() - f.lo());
      double offset = -f.lo() * gain;
      float[] out = new float[raw.length];
      for (int i = 0; i < raw.length; i++) {
        out[i] = (float) (raw[i] * gain + offset);
      }
      return out;
    } else if (n instanceof Normalization.None) {
      return raw.clone();
    } else {
      double[] sorted = new double[raw.length];
      for (int i = 0; i < raw.length; i++) {
        sorted[i] = raw[i];
      }
      Arrays.sort(sorted);
      double low = n instanceof Normalization.Percentile p ? p.low() : 0;
      double high = n instanceof Normalization.Percentile p ? p.high() : 100;
      lo = percentile(sorted, low);
      hi = percentile(sorted, high);
      eps = EPS;
      if (hi - lo <= 1e-6 * Math.max(Math.abs(lo), Math.abs(hi))) {
        throw new InvalidInputException("the test tile of seed " + seed + " has no contrast"
            + " between its percentiles (" + lo + ", " + hi + "); choose another seed");
      }
    }
    float[] out = new float[raw.length];
    for (int i = 0; i < raw.length; i++) {
      out[i] = (float) ((raw[i] - lo) / (hi - lo + eps));
    }
    return out;
  }

  /** NumPy's default (linear) percentile of sorted values. */
  static double percentile(double[] sorted, double q) {
    double rank = q / 100 * (sorted.length - 1);
    int k = (int) Math.floor(rank);
    if (k >= sorted.length - 1) {
      return sorted[sorted.length - 1];
    }
    return sorted[k] + (rank - k) * (sorted[k + 1] - sorted[k]);
  }

  private static Volume outputVolume(Npy.Array output) {
    long[] s = output.shape();
    return new Volume(ArrayImgs.floats(output.data(), s[3], s[2], 1), VoxelSize.UNIT,
        "test_output", Map.of());
  }

  // ------------------------------------------------------------------ files

  private static byte[] bytes(ModelSource model) {
    if (model instanceof ModelSource.Bytes b) {
      return b.content();
    }
    Path p = ((ModelSource.File) model).path();
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw IoErrors.cannot("read model file", p, e);
    }
  }

  /** The opset of the default ONNX domain, which bioimage.io records. */
  static long opset(String label, byte[] model) {
    try {
      for (OnnxMl.OperatorSetIdProto o : OnnxMl.ModelProto.parseFrom(model)
          .getOpsetImportList()) {
        if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
          return o.getVersion();
        }
      }
    } catch (InvalidProtocolBufferException e) {
      throw new ModelException("model " + label + " is not a valid ONNX model: "
          + e.getMessage(), e);
    }
    throw new ModelException("model " + label + " imports no opset of the default ONNX domain");
  }

  /** A file name for the weights: the model's own, restricted to safe characters. */
  static String weightsName(String label) {
    String base = Path.of(label).getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
    if (base.startsWith(".")) {
      base = "model" + base;
    }
    return base.toLowerCase(Locale.ROOT).endsWith(".onnx") ? base : base + ".onnx";
  }

  /** A bioimage.io name made of the weights' file name. */
  static String packageName(String weightsName) {
    String n = weightsName.substring(0, weightsName.length() - ".onnx".length())
        .replaceAll("[^A-Za-z0-9_+\\- ()]", "-");
    if (n.length() < 5) {
      n = "neuroseg " + n;
    }
    return n.length() > 128 ? n.substring(0, 128) : n;
  }

  private static String write(Path file, byte[] content) {
    AtomicWrite.write(file, temp -> Files.write(temp, content));
    return sha256(content);
  }

  private static String writeVolume(Volume v, Path file) {
    Volumes.write(v, file);
    try {
      return sha256(Files.readAllBytes(file));
    } catch (IOException e) {
      throw IoErrors.cannotRead(file, e);
    }
  }

  static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  private static @Nullable Integer integer(@Nullable String v) {
    if (v == null) {
      return null;
    }
    try {
      return Integer.valueOf(v.strip());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** A map keeping the order of its key-value pairs. */
  static Map<String, Object> ordered(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }
}
