package io.github.neuroseg.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.ModelException;
import io.github.neuroseg.NeuroSegIOException;
import io.github.neuroseg.model.VitOnnxWriter;
import io.github.neuroseg.model.VitWeights;
import io.github.neuroseg.segmentation.ModelSource;
import io.github.neuroseg.segmentation.Segmentation;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.training.VitArchitecture;
import io.github.neuroseg.volume.Normalization;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.VoxelSize;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.imglib2.RandomAccess;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.real.FloatType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Export to and import from bioimage.io model packages. */
class BioImageIoTest {
  /**
   * The fields a bioimage.io model description (format 0.5.7, {@code bioimageio.spec}'s {@code
   * ModelDescr}) must have: those without a default ({@code format_version}, {@code type}, {@code
   * name}, {@code inputs}, {@code outputs}, {@code weights}), and those the validator marks
   * "needs to be filled for FAIR compliance" when empty ({@code description}, {@code authors},
   * {@code cite}, {@code license}, {@code documentation}, {@code tags}; per tensor {@code
   * test_tensor} and {@code sample_tensor}). {@code timestamp} defaults to the validation time;
   * packages carry it.
   */
  static final List<String> REQUIRED = List.of("format_version", "type", "name", "description",
      "authors", "cite", "license", "documentation", "tags", "timestamp", "inputs", "outputs",
      "weights");
  /** Per tensor: {@code id} and {@code axes} (no default), and the FAIR test and sample tensors. */
  static final List<String> REQUIRED_TENSOR = List.of("id", "axes", "test_tensor",
      "sample_tensor");

  static final VitArchitecture TINY = new VitArchitecture(16, 2, 2, 4, 3, 16, 16);
  static final String COMMAND = "neuroseg train --output tiny.onnx --generated 4 --seed 9";

  @TempDir static Path shared;
  static Path vitPackage;
  static byte[] vit;

  @BeforeAll
  static void exportTinyVit() {
    Map<String, String> md = new HashMap<>();
    md.put("normalization", "percentile:0.5,99.5");
    md.put("threshold", "0.45");
    md.put("training_command", COMMAND);
    md.put("seed", "9");
    md.put("epochs", "3");
    md.put("val_dice", "0.612000");
    md.put("training_cases", "gen-1,gen-2");
    md.put("validation_cases", "gen-3");
    md.put("test_dice", "0.587000");
    md.put("training_data", "generated neurons; see the data folder's README");
    vit = VitOnnxWriter.write(TINY, VitWeights.random(TINY, 5, 0.3), md);
    vitPackage = shared.resolve("vit");
    BioImageIo.export(ModelSource.bytes("tiny vit.onnx", vit), vitPackage, options(null));
  }

  static BioImageIo.Options options(String name) {
    return new BioImageIo.Options(name, List.of("Ada Lovelace", "neuroseg developers"),
        "Apache-2.0", 3, Instant.parse("2026-05-04T10:15:30.25Z"));
  }

  static Map<?, ?> yaml(Path rdf) throws IOException {
    return (Map<?, ?>) new Yaml(new SafeConstructor(new LoaderOptions()))
        .load(Files.readString(rdf));
  }

  static Map<?, ?> map(Object o) {
    return assertInstanceOf(Map.class, o);
  }

  static List<?> list(Object o) {
    return assertInstanceOf(List.class, o);
  }

  @Test
  void descriptionHasEveryFieldTheSpecRequires() throws IOException {
    Map<?, ?> d = yaml(vitPackage.resolve("rdf.yaml"));
    for (String k : REQUIRED) {
      assertNotNull(d.get(k), "missing " + k);
      assertFalse(d.get(k) instanceof List<?> l && l.isEmpty(), "empty " + k);
    }
    assertEquals("0.5.7", d.get("format_version"));
    assertEquals("model", d.get("type"));
    assertEquals("tiny_vit", d.get("name"));
    assertTrue(((String) d.get("description")).contains("3 z slices in"));
    assertEquals("2026-05-04T10:15:30Z", d.get("timestamp"));
    assertEquals(List.of("Ada Lovelace", "neuroseg developers"),
        list(d.get("authors")).stream().map(a -> map(a).get("name")).toList());
    Map<?, ?> cite = map(list(d.get("cite")).get(0));
    assertTrue(((String) cite.get("text")).contains("Boosting 3D Neuron Segmentation"));
    assertEquals("10.48550/arXiv.2405.02686", cite.get("doi"));
    assertEquals("Apache-2.0", d.get("license"));
    String readme = Files.readString(vitPackage.resolve((String) d.get("documentation")));
    assertTrue(readme.contains("## Validation"), readme);
    assertTrue(readme.contains(COMMAND), readme);
    assertTrue(readme.contains("held-out test volumes 0.587000"), readme);

    Map<?, ?> in = map(list(d.get("inputs")).get(0));
    Map<?, ?> out = map(list(d.get("outputs")).get(0));
    for (String k : REQUIRED_TENSOR) {
      assertNotNull(in.get(k), "input misses " + k);
      assertNotNull(out.get(k), "output misses " + k);
    }
    assertEquals(List.of("batch", "channel", "space", "space", "space"), types(in));
    List<?> axes = list(in.get("axes"));
    assertEquals(List.of("intensity"), map(axes.get(1)).get("channel_names"));
    assertEquals(Map.of("type", "space", "id", "z", "size", 3, "description",
        "the slice to segment and 1 on each side"), axes.get(2));
    assertEquals(Map.of("type", "space", "id", "y", "size", 16), axes.get(3));
    assertEquals(Map.of("type", "space", "id", "x", "size", 16), axes.get(4));
    assertEquals(List.of(Map.of("id", "scale_range", "kwargs", Map.of("axes",
        List.of("channel", "z", "y", "x"), "min_percentile", 0.5, "max_percentile", 99.5,
        "eps", 0.000001))), in.get("preprocessing"));
    assertEquals(List.of("batch", "channel", "space", "space"), types(out));
    assertEquals(Map.of("tensor_id", "image", "axis_id", "x"),
        map(list(out.get("axes")).get(3)).get("size"));
    assertEquals(List.of(Map.of("id", "sigmoid")), out.get("postprocessing"));

    Map<?, ?> onnx = map(map(d.get("weights")).get("onnx"));
    assertEquals("tiny_vit.onnx", onnx.get("source"));
    assertEquals(17, onnx.get("opset_version"));
    for (Object file : List.of(onnx, in.get("test_tensor"), out.get("test_tensor"),
        in.get("sample_tensor"), out.get("sample_tensor"))) {
      Map<?, ?> f = map(file);
      assertEquals(BioImageIoReader.sha256(vitPackage.resolve((String) f.get("source"))),
          f.get("sha256"), f.toString());
    }

    Map<?, ?> neuroseg = map(map(d.get("config")).get("neuroseg"));
    Map<?, ?> training = map(neuroseg.get("training"));
    assertEquals(COMMAND, training.get("training_command"));
    assertEquals(List.of("gen-1", "gen-2"), training.get("training_cases"));
    assertEquals("0.587000", training.get("test_dice"));
    assertEquals("generated neurons; see the data folder's README",
        training.get("training_data"));
    assertEquals(0.45, neuroseg.get("threshold"));
    assertEquals("percentile:0.5,99.5", map(neuroseg.get("metadata")).get("normalization"));
    assertEquals(3, map(map(map(d.get("config")).get("bioimageio")).get("training"))
        .get("training_epochs"));
  }

  private static List<?> types(Map<?, ?> tensor) {
    return list(tensor.get("axes")).stream().map(a -> map(a).get("type")).toList();
  }

  @Test
  void testInputThroughTheImportedSegmenterGivesTheTestOutput() throws IOException {
    Npy.Array in = npy(vitPackage.resolve("test_input.npy"));
    Npy.Array out = npy(vitPackage.resolve("test_output.npy"));
    assertEquals(List.of(1L, 1L, 3L, 16L, 16L), boxed(in.shape()));
    assertEquals(List.of(1L, 1L, 16L, 16L), boxed(out.shape()));
    float[] got;
    try (Segmenter s = BioImageIo.segmenter(vitPackage).threads(1).build()) {
      assertEquals(Normalization.percentile(0.5, 99.5), s.config().normalization());
      assertEquals(0.45, s.config().threshold());
      got = centreSlice(s.segment(volume(in)), 16, 16, 1);
    }
    assertClose(out.data(), got, 1e-4);
    assertSpread(out.data());
    assertSpread(in.data());
  }

  @Test
  void aModelEndingWithItsSigmoidIsExportedWithoutPostProcessing() throws IOException {
    Map<String, String> md = Map.of("normalization", "percentile:0.5,99.5", "threshold", "0.45");
    byte[] probs = VitOnnxWriter.write(TINY, VitWeights.random(TINY, 5, 0.3), md,
        io.github.neuroseg.model.ModelContract.Output.PROBABILITIES);
    Path dir = shared.resolve("probabilities");
    BioImageIo.export(ModelSource.bytes("tiny probs.onnx", probs), dir, options(null));
    Map<?, ?> out = map(list(yaml(dir.resolve("rdf.yaml")).get("outputs")).get(0));
    assertEquals(List.of(), out.get("postprocessing"));
    Npy.Array in = npy(dir.resolve("test_input.npy"));
    Npy.Array want = npy(dir.resolve("test_output.npy"));
    float[] got;
    try (Segmenter s = BioImageIo.segmenter(dir).threads(1).build()) {
      got = centreSlice(s.segment(volume(in)), 16, 16, 1);
    }
    assertClose(want.data(), got, 1e-4);
    assertSpread(want.data());
    // the same weights as logits: the same test output up to rounding
    assertClose(npy(vitPackage.resolve("test_output.npy")).data(), want.data(), 1e-6);
  }

  @Test
  void testOutputIsTheDescribedMapOfTheTestInput() throws IOException {
    // a model whose logits are its input's centre slice: the test output must be the sigmoid of
    // scale_range of the test input, computed here from the definition
    Map<String, String> md = TestModels.metadata(3, 16, "percentile:2,98");
    Path dir = shared.resolve("identity");
    BioImageIo.export(ModelSource.bytes("identity.onnx", TestModels.identity(3, md)), dir,
        options("identity model"));
    float[] in = npy(dir.resolve("test_input.npy")).data();
    float[] out = npy(dir.resolve("test_output.npy")).data();
    double[] sorted = new double[in.length];
    for (int i = 0; i < in.length; i++) {
      sorted[i] = in[i];
    }
    Arrays.sort(sorted);
    double lo = numpyPercentile(sorted, 2);
    double hi = numpyPercentile(sorted, 98);
    float[] want = new float[16 * 16];
    for (int i = 0; i < want.length; i++) {
      double v = (in[16 * 16 + i] - lo) / (hi - lo + 1e-6);
      want[i] = (float) (1 / (1 + Math.exp(-v)));
    }
    assertClose(want, out, 1e-6);
    // a graph of any size: every multiple of the patch
    Map<?, ?> input = map(list(yaml(dir.resolve("rdf.yaml")).get("inputs")).get(0));
    assertEquals(Map.of("type", "space", "id", "y", "size", Map.of("min", 1, "step", 1)),
        list(input.get("axes")).get(3));
    try (Segmenter s = BioImageIo.segmenter(dir).build()) {
      assertClose(out, centreSlice(s.segment(volume(npy(dir.resolve("test_input.npy")))), 16,
          16, 1), 1e-4);
    }
  }

  /** Written independently of the exporter: NumPy's linear method. */
  private static double numpyPercentile(double[] sorted, double q) {
    double pos = q / 100 * (sorted.length - 1);
    int below = (int) pos;
    int above = Math.min(below + 1, sorted.length - 1);
    return sorted[below] * (1 - (pos - below)) + sorted[above] * (pos - below);
  }

  @Test
  void fixedNormalisationIsScaleLinearBothWays() throws IOException {
    Map<String, String> md = TestModels.metadata(3, 16, "fixed:100,4000");
    Path dir = shared.resolve("fixed");
    BioImageIo.export(ModelSource.bytes("fixed.onnx", TestModels.identity(3, md)), dir,
        options(null));
    Map<?, ?> step = map(list(map(list(yaml(dir.resolve("rdf.yaml")).get("inputs")).get(0))
        .get("preprocessing")).get(0));
    assertEquals("scale_linear", step.get("id"));
    double gain = ((Number) map(step.get("kwargs")).get("gain")).doubleValue();
    double offset = ((Number) map(step.get("kwargs")).get("offset")).doubleValue();
    assertEquals(1 / 3900.0, gain, 1e-15);
    assertEquals(-100 / 3900.0, offset, 1e-15);
    try (Segmenter s = BioImageIo.segmenter(dir.resolve("rdf.yaml")).build()) {
      Normalization.Fixed f = assertInstanceOf(Normalization.Fixed.class,
          s.config().normalization());
      assertEquals(100, f.lo(), 1e-9);
      assertEquals(4000, f.hi(), 1e-9);
      assertClose(npy(dir.resolve("test_output.npy")).data(),
          centreSlice(s.segment(volume(npy(dir.resolve("test_input.npy")))), 16, 16, 1), 1e-4);
    }
  }

  @Test
  void modelGivesTheVerifiedWeights() {
    ModelSource m = BioImageIo.model(vitPackage);
    assertEquals(vitPackage.resolve("tiny_vit.onnx").toAbsolutePath(),
        ((ModelSource.File) m).path());
  }

  @Test
  void weightsThatDoNotMatchTheirSha256AreRefused() throws IOException {
    Path dir = copy(vitPackage, "damaged");
    byte[] w = Files.readAllBytes(dir.resolve("tiny_vit.onnx"));
    w[w.length / 2] ^= 1;
    Files.write(dir.resolve("tiny_vit.onnx"), w);
    ModelException e = assertThrows(ModelException.class, () -> BioImageIo.segmenter(dir));
    assertTrue(e.getMessage().contains("does not match weights.onnx.sha256"), e.getMessage());
    assertTrue(e.getMessage().contains(BioImageIoReader.sha256(dir.resolve("tiny_vit.onnx"))),
        e.getMessage());
  }

  @Test
  void missingPackagesAndFilesAreIoErrors() throws IOException {
    NeuroSegIOException none = assertThrows(NeuroSegIOException.class,
        () -> BioImageIo.model(shared.resolve("nothing-here")));
    assertTrue(none.getMessage().contains("nothing-here"), none.getMessage());
    Path empty = Files.createDirectories(shared.resolve("empty"));
    NeuroSegIOException noRdf = assertThrows(NeuroSegIOException.class,
        () -> BioImageIo.model(empty));
    assertTrue(noRdf.getMessage().contains("no rdf.yaml or bioimageio.yaml"),
        noRdf.getMessage());
    Path dir = copy(vitPackage, "no-weights");
    Files.delete(dir.resolve("tiny_vit.onnx"));
    NeuroSegIOException noWeights = assertThrows(NeuroSegIOException.class,
        () -> BioImageIo.model(dir));
    assertTrue(noWeights.getMessage().contains("tiny_vit.onnx"), noWeights.getMessage());
  }

  @Test
  void malformedDescriptionsAreFormatErrors() throws IOException {
    FormatException yaml = assertThrows(FormatException.class,
        () -> BioImageIo.model(edited("bad-yaml", "type: \"model\"", "type: [model")));
    assertEquals(FormatException.LocationKind.LINE, yaml.locationKind());
    assertTrue(yaml.getMessage().contains("not valid YAML"), yaml.getMessage());

    FormatException type = assertThrows(FormatException.class,
        () -> BioImageIo.model(edited("dataset", "type: \"model\"", "type: \"dataset\"")));
    assertTrue(type.getMessage().contains("type 'model'"), type.getMessage());

    FormatException torch = assertThrows(FormatException.class,
        () -> BioImageIo.model(edited("torch", "  onnx:", "  torchscript:")));
    assertTrue(torch.getMessage().contains("no 'onnx' entry"), torch.getMessage());

    FormatException url = assertThrows(FormatException.class, () -> BioImageIo.model(edited(
        "url", "source: \"tiny_vit.onnx\"", "source: \"https://example.org/w.onnx\"")));
    assertTrue(url.getMessage().contains("downloads nothing"), url.getMessage());

    FormatException outside = assertThrows(FormatException.class, () -> BioImageIo.model(
        edited("outside", "source: \"tiny_vit.onnx\"", "source: \"../vit/tiny_vit.onnx\"")));
    assertTrue(outside.getMessage().contains("outside the package"), outside.getMessage());

    FormatException softmax = assertThrows(FormatException.class, () -> BioImageIo.segmenter(
        edited("softmax", "- id: \"sigmoid\"", "- id: \"softmax\"")));
    assertTrue(softmax.getMessage().contains("must be a sigmoid"), softmax.getMessage());

    FormatException zscore = assertThrows(FormatException.class, () -> BioImageIo.segmenter(
        edited("zscore", "- id: \"scale_range\"", "- id: \"zero_mean_unit_variance\"")));
    assertTrue(zscore.getMessage().contains("cannot be expressed"), zscore.getMessage());

    FormatException perSlice = assertThrows(FormatException.class, () -> BioImageIo.segmenter(
        edited("per-slice", "            - \"z\"\n", "")));
    assertTrue(perSlice.getMessage().contains("normalises each 'z' apart"),
        perSlice.getMessage());
  }

  @Test
  void aModelWithoutNeurosegMetadataIsRefusedAtExport() {
    Map<String, String> md = TestModels.metadata(3, 16, "percentile:1,99");
    md.remove("threshold");
    ModelException e = assertThrows(ModelException.class, () -> BioImageIo.export(
        ModelSource.bytes("bare.onnx", TestModels.identity(3, md)), shared.resolve("bare"),
        options(null)));
    assertTrue(e.getMessage().contains("threshold"), e.getMessage());
    assertFalse(Files.exists(shared.resolve("bare").resolve("rdf.yaml")));
  }

  // ------------------------------------------------------------------ helpers

  private static Path edited(String name, String from, String to) throws IOException {
    Path dir = copy(vitPackage, name);
    Path rdf = dir.resolve("rdf.yaml");
    String text = Files.readString(rdf, StandardCharsets.UTF_8);
    assertTrue(text.contains(from), "the description has no '" + from + "'");
    Files.writeString(rdf, text.replace(from, to), StandardCharsets.UTF_8);
    return dir;
  }

  private static Path copy(Path from, String name) throws IOException {
    Path dir = Files.createDirectories(shared.resolve(name));
    try (var files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, dir.resolve(f.getFileName()));
      }
    }
    return dir;
  }

  private static Npy.Array npy(Path file) throws IOException {
    return Npy.read(file.toString(), Files.readAllBytes(file));
  }

  private static List<Long> boxed(long[] a) {
    return Arrays.stream(a).boxed().toList();
  }

  /** The {@code [1, 1, D, H, W]} tensor as a W x H x D volume (both x fastest). */
  private static Volume volume(Npy.Array a) {
    long[] s = a.shape();
    return new Volume(ArrayImgs.floats(a.data(), s[4], s[3], s[2]), VoxelSize.UNIT);
  }

  private static float[] centreSlice(Segmentation s, int w, int h, int z) {
    float[] out = new float[w * h];
    RandomAccess<FloatType> ra = s.probabilities().randomAccess();
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        ra.setPosition(new long[] {x, y, z});
        out[y * w + x] = ra.get().get();
      }
    }
    return out;
  }

  private static void assertClose(float[] want, float[] got, double tolerance) {
    assertEquals(want.length, got.length);
    double worst = 0;
    for (int i = 0; i < want.length; i++) {
      worst = Math.max(worst, Math.abs(want[i] - got[i]));
    }
    assertTrue(worst <= tolerance, "largest difference " + worst + " > " + tolerance);
  }

  /** A test tensor that is not (nearly) constant, so that reproducing it means something. */
  private static void assertSpread(float[] v) {
    double min = Double.MAX_VALUE;
    double max = -Double.MAX_VALUE;
    for (float f : v) {
      min = Math.min(min, f);
      max = Math.max(max, f);
    }
    assertTrue(max - min > 0.05, "values span only " + min + " .. " + max);
  }
}
