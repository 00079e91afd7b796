package io.github.neuroseg.onnx;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.ModelException;
import io.github.neuroseg.NeuroSegIOException;
import io.github.neuroseg.internal.IoErrors;
import io.github.neuroseg.internal.Quote;
import io.github.neuroseg.volume.Normalization;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads what neuroseg needs of a bioimage.io model description (format 0.4 or 0.5): the ONNX
 * weights inside the package, checked against their sha256, and the input's pre-processing as a
 * {@link Normalization}. The YAML is parsed with SnakeYAML's safe constructor (plain data only).
 */
final class BioImageIoReader {
  private static final Logger LOG = LoggerFactory.getLogger(BioImageIoReader.class);
  private static final List<String> NAMES = List.of("rdf.yaml", "bioimageio.yaml");

  private BioImageIoReader() {}

  /**
   * What neuroseg takes from a package.
   *
   * @param rdf the description file
   * @param weights the verified ONNX weights
   * @param normalization the input's pre-processing
   */
  record Description(Path rdf, Path weights, Normalization normalization) {}

  static Description read(Path packageOrRdf) {
    Path rdf = rdf(packageOrRdf);
    String src = rdf.toString();
    Map<?, ?> root = parse(rdf);
    Object type = root.get("type");
    if (!"model".equals(type)) {
      throw FormatException.of(src, "a bioimage.io model has type 'model', got "
          + describe(type));
    }
    String version = String.valueOf(require(root, "format_version", src, "the description"));
    if (!version.startsWith("0.5") && !version.startsWith("0.4")) {
      throw FormatException.of(src, "format_version must be 0.4.x or 0.5.x, got "
          + Quote.quote(version));
    }
    Map<?, ?> weights = map(require(root, "weights", src, "the description"), src, "weights");
    Object onnxEntry = weights.get("onnx");
    if (onnxEntry == null) {
      throw FormatException.of(src, "weights has no 'onnx' entry (has " + weights.keySet()
          + "); neuroseg runs ONNX weights only");
    }
    Map<?, ?> onnx = map(onnxEntry, src, "weights.onnx");
    Path dir = rdf.toAbsolutePath().getParent();
    Path file = inside(dir, string(require(onnx, "source", src, "weights.onnx"), src,
        "weights.onnx.source"), src, "weights.onnx.source");
    verify(file, onnx.get("sha256"), src, "weights.onnx");
    if (onnx.get("external_data") instanceof Map<?, ?> external) {
      Path data = inside(dir, string(require(external, "source", src,
          "weights.onnx.external_data"), src, "weights.onnx.external_data.source"), src,
          "weights.onnx.external_data.source");
      verify(data, external.get("sha256"), src, "weights.onnx.external_data");
    }
    List<?> inputs = list(require(root, "inputs", src, "the description"), src, "inputs");
    List<?> outputs = list(require(root, "outputs", src, "the description"), src, "outputs");
    if (inputs.size() != 1 || outputs.size() != 1) {
      throw FormatException.of(src, "a neuroseg model has one input and one output, got "
          + inputs.size() + " and " + outputs.size());
    }
    Map<?, ?> input = map(inputs.get(0), src, "inputs[0]");
    Normalization normalization = normalization(input, src);
    checkPostprocessing(map(outputs.get(0), src, "outputs[0]"), src);
    return new Description(rdf, file, normalization);
  }

  /** The description file of a package folder, or the file given. */
  private static Path rdf(Path p) {
    if (!Files.exists(p)) {
      throw IoErrors.cannot("read bioimage.io package", p, new NoSuchFileException(p.toString()));
    }
    if (!Files.isDirectory(p)) {
      String name = p.getFileName() == null ? "" : p.getFileName().toString();
      if (name.toLowerCase(Locale.ROOT).endsWith(".zip")) {
        throw FormatException.of(p.toString(), "a zipped bioimage.io package: unpack it and give"
            + " the folder");
      }
      return p;
    }
    for (String n : NAMES) {
      if (Files.isRegularFile(p.resolve(n))) {
        return p.resolve(n);
      }
    }
    List<Path> found = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(p, "*.{rdf,bioimageio}.yaml")) {
      s.forEach(found::add);
    } catch (IOException e) {
      throw IoErrors.cannot("list bioimage.io package", p, e);
    }
    if (found.size() == 1) {
      return found.get(0);
    }
    String why = found.isEmpty() ? "no rdf.yaml or bioimageio.yaml in the folder (a model that is"
        + " not a package is given as its .onnx file)"
        : "several descriptions " + found + " and no rdf.yaml";
    throw new NeuroSegIOException("cannot read bioimage.io package " + p + ": " + why,
        new NoSuchFileException(p.resolve(NAMES.get(0)).toString(), null, why));
  }

  private static Map<?, ?> parse(Path rdf) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    Object doc;
    try (InputStream in = Files.newInputStream(rdf);
        Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      doc = new Yaml(new SafeConstructor(options)).load(r);
    } catch (IOException e) {
      throw IoErrors.cannotRead(rdf, e);
    } catch (MarkedYAMLException e) {
      Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String problem = "not valid YAML: " + (e.getProblem() != null ? e.getProblem()
          : e.getMessage());
      if (m != null) {
        // the line says where; SnakeYAML's own message adds nothing to it
        throw FormatException.atLine(rdf.toString(), m.getLine() + 1L, problem);
      }
      throw FormatException.of(rdf.toString(), problem, e);
    } catch (YAMLException e) {
      throw FormatException.of(rdf.toString(), "not valid YAML: " + e.getMessage(), e);
    }
    if (!(doc instanceof Map<?, ?> m)) {
      throw FormatException.of(rdf.toString(), "a bioimage.io description is a YAML mapping,"
          + " got " + describe(doc));
    }
    return m;
  }

  /** The input's pre-processing as one of neuroseg's normalisations. */
  private static Normalization normalization(Map<?, ?> input, String src) {
    List<Map<?, ?>> steps = steps(input.get("preprocessing"), src, "inputs[0].preprocessing");
    if (steps.isEmpty()) {
      return Normalization.none();
    }
    if (steps.size() > 1) {
      throw FormatException.of(src, "inputs[0].preprocessing must be one scale_range or"
          + " scale_linear step for neuroseg, got " + names(steps));
    }
    Map<?, ?> step = steps.get(0);
    Map<?, ?> kwargs = step.get("kwargs") == null ? Map.of()
        : map(step.get("kwargs"), src, "inputs[0].preprocessing[0].kwargs");
    String id = stepId(step);
    try {
      if (id.equals("scale_range")) {
        checkJoint(input, kwargs.get("axes"), src);
        double low = number(kwargs, "min_percentile", 0, src);
        double high = number(kwargs, "max_percentile", 100, src);
        return low == 0 && high == 100 ? Normalization.minMax()
            : Normalization.percentile(low, high);
      }
      if (id.equals("scale_linear")) {
        if (kwargs.containsKey("axis") || kwargs.containsKey("axes")) {
          throw FormatException.of(src, "scale_linear along an axis (one gain per channel or"
              + " slice) cannot be expressed by neuroseg's normalisations");
        }
        double gain = number(kwargs, "gain", 1, src);
        double offset = number(kwargs, "offset", 0, src);
        if (!(gain > 0)) {
          throw FormatException.of(src, "scale_linear gain must be > 0 for neuroseg, got "
              + gain);
        }
        double lo = -offset / gain;
        return Normalization.fixed(lo, lo + 1 / gain);
      }
    } catch (InvalidInputException e) {
      throw FormatException.of(src, "inputs[0].preprocessing: " + e.getMessage(), e);
    }
    throw FormatException.of(src, "inputs[0].preprocessing " + Quote.quote(String.valueOf(id))
        + " cannot be expressed by neuroseg's normalisations (scale_range, scale_linear or none)");
  }

  /** A {@code scale_range} must take its percentiles over the whole sample, as neuroseg does. */
  private static void checkJoint(Map<?, ?> input, @Nullable Object axes, String src) {
    if (axes == null || !(input.get("axes") instanceof List<?> declared)) {
      return;
    }
    List<?> given = list(axes, src, "scale_range axes");
    for (Object a : declared) {
      if (a instanceof Map<?, ?> m && !"batch".equals(m.get("type"))) {
        Object id = m.get("id") != null ? m.get("id") : m.get("type");
        if (!given.contains(id)) {
          throw FormatException.of(src, "scale_range over axes " + given + " normalises each '"
              + id + "' apart; neuroseg normalises the whole stack at once");
        }
      }
    }
  }

  /**
   * neuroseg applies a sigmoid to a model's logits, and none to a model whose graph ends with
   * its own (metadata {@code output=probabilities}): the package must say one or the other.
   */
  private static void checkPostprocessing(Map<?, ?> output, String src) {
    List<Map<?, ?>> steps = steps(output.get("postprocessing"), src, "outputs[0].postprocessing");
    if (steps.size() > 1 || steps.size() == 1 && !stepId(steps.get(0)).equals("sigmoid")) {
      throw FormatException.of(src, "outputs[0].postprocessing must be a sigmoid (a neuroseg"
          + " model that outputs logits) or nothing (one whose graph ends with its sigmoid),"
          + " got " + names(steps));
    }
  }

  /** The processing steps other than {@code ensure_dtype} (neuroseg computes in float32). */
  private static List<Map<?, ?>> steps(@Nullable Object value, String src, String where) {
    List<Map<?, ?>> out = new ArrayList<>();
    if (value == null) {
      return out;
    }
    List<?> l = list(value, src, where);
    for (int i = 0; i < l.size(); i++) {
      Map<?, ?> step = map(l.get(i), src, where + "[" + i + "]");
      if (stepId(step).isEmpty()) {
        throw FormatException.of(src, where + "[" + i + "] has no 'id'");
      }
      if (!stepId(step).equals("ensure_dtype")) {
        out.add(step);
      }
    }
    return out;
  }

  /** {@code id} (format 0.5) or {@code name} (0.4). */
  private static String stepId(Map<?, ?> step) {
    Object id = step.get("id") != null ? step.get("id") : step.get("name");
    return id == null ? "" : id.toString();
  }

  private static List<String> names(List<Map<?, ?>> steps) {
    return steps.stream().map(BioImageIoReader::stepId).toList();
  }

  /** A file named relative to the package, which must stay inside it (no URL, no {@code ..}). */
  private static Path inside(Path dir, String source, String src, String where) {
    if (source.contains("://")) {
      throw FormatException.of(src, where + " is a URL (" + source + "); neuroseg reads only"
          + " files inside the package and downloads nothing: fetch the file into the package"
          + " folder and name it there");
    }
    Path file = dir.resolve(source).normalize();
    if (!file.startsWith(dir)) {
      throw FormatException.of(src, where + " " + Quote.quote(String.valueOf(source))
          + " points outside the package folder " + dir);
    }
    if (!Files.isRegularFile(file)) {
      throw IoErrors.cannot("read the file of " + where + " in " + src, file,
          new NoSuchFileException(file.toString()));
    }
    return file;
  }

  private static void verify(Path file, @Nullable Object expected, String src, String where) {
    if (expected == null) {
      LOG.warn("{} gives no sha256 for {}; {} is used unverified", src, where, file);
      return;
    }
    String want = expected.toString().strip().toLowerCase(Locale.ROOT);
    if (!want.matches("[0-9a-f]{64}")) {
      throw FormatException.of(src, where + ".sha256 must be 64 hexadecimal digits, got "
          + Quote.quote(expected.toString()));
    }
    String got = sha256(file);
    if (!got.equals(want)) {
      throw new ModelException(file + " does not match " + where + ".sha256 of " + src
          + ": expected " + want + ", got " + got + " (the file is damaged or not the one the"
          + " package describes)");
    }
  }

  static String sha256(Path file) {
    try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file),
        MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(in.getMessageDigest().digest());
    } catch (IOException e) {
      throw IoErrors.cannotRead(file, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  private static Object require(Map<?, ?> m, String key, String src, String where) {
    Object v = m.get(key);
    if (v == null) {
      throw FormatException.of(src, where + " has no " + Quote.quote(key));
    }
    return v;
  }

  private static Map<?, ?> map(Object v, String src, String where) {
    if (v instanceof Map<?, ?> m) {
      return m;
    }
    throw FormatException.of(src, where + " must be a mapping, got " + describe(v));
  }

  private static List<?> list(Object v, String src, String where) {
    if (v instanceof List<?> l) {
      return l;
    }
    throw FormatException.of(src, where + " must be a list, got " + describe(v));
  }

  private static String string(Object v, String src, String where) {
    if (v instanceof String s && !s.isBlank()) {
      return s;
    }
    throw FormatException.of(src, where + " must be a file name, got " + describe(v));
  }

  private static double number(Map<?, ?> kwargs, String key, double absent, String src) {
    Object v = kwargs.get(key);
    if (v == null) {
      return absent;
    }
    if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
      return n.doubleValue();
    }
    throw FormatException.of(src, "pre-processing argument " + Quote.quote(String.valueOf(key))
        + " must be a number, got " + describe(v));
  }

  private static String describe(@Nullable Object v) {
    if (v == null) {
      return "nothing";
    }
    String t = v instanceof Map ? "a mapping" : v instanceof List ? "a list"
        : v instanceof String ? "the text" : "the " + v.getClass().getSimpleName();
    String s = String.valueOf(v);
    return t + " " + Quote.quote(s);
  }
}
