package io.github.neuroseg.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.examples.cli.CliTest.Run;
import io.github.neuroseg.volume.Volumes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad or extreme inputs on the command line: a typed {@code error:} line, never a trace. */
class BadInputCliTest {
  @TempDir static Path shared;
  static Path image;

  @BeforeAll
  static void render() {
    Path r = shared.resolve("render");
    Run run = CliTest.run("render", "--output", r.toString(), "--size", "40x36x6", "--seed", "3");
    assertEquals(0, run.code(), run.err());
    image = r.resolve("image.tif");
  }

  /** One {@code error:} line on standard error, nothing else (no stack trace). */
  static void refused(Run r, int code, String... parts) {
    assertEquals(code, r.code(), r.err());
    String err = r.err().strip();
    assertTrue(err.startsWith("error: ") && err.lines().count() == 1, err);
    for (String p : parts) {
      assertTrue(err.contains(p), err);
    }
  }

  @Test
  void evaluateRefusesAThresholdAboveTheGroundTruthAndAnEmptyTruthTree(@TempDir Path dir)
      throws IOException {
    String mask = image.resolveSibling("mask.tif").toString();
    String swc = image.resolveSibling("neuron.swc").toString();
    refused(CliTest.run("evaluate", "--mask", mask, "--truth-mask", mask, "--mask-threshold",
        "1"), 1, "no voxel of the ground-truth mask", "above the mask threshold 1.0");
    Path empty = Files.writeString(dir.resolve("empty.swc"), "# no nodes\n");
    refused(CliTest.run("evaluate", "--swc", swc, "--truth-swc", empty.toString()), 1,
        empty.toString(), "holds no nodes");
  }

  @Test
  void runningOutOfMemoryIsOneErrorLineThatSaysHowToGiveJavaMore(@TempDir Path dir)
      throws Exception {
    // a JVM of 48 MiB cannot render a 600 x 600 x 64 volume of 16-bit voxels and its mask
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Xmx48m", "-cp", System.getProperty("java.class.path"),
        NeuroSegCli.class.getName(), "render", "--output", dir.resolve("big").toString(),
        "--size", "600x600x64").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the JVM ends");
    refused(new Run(p.exitValue(), "", err), 1, "error: out of memory: the Java heap is limited"
        + " to ", "NEUROSEG_JAVA_OPTS=-Xmx1g");
  }

  @Test
  void theOutOfMemoryMessageSuggestsTwiceTheHeapInGibibytes() {
    assertTrue(NeuroSegCli.outOfMemory(3L << 30).contains("limited to 3,072 MiB; give it more"
        + " with NEUROSEG_JAVA_OPTS=-Xmx6g"), NeuroSegCli.outOfMemory(3L << 30));
  }

  @Test
  void aHugeBatchIsClampedToTheVolumesTiles(@TempDir Path dir) {
    Path mask = dir.resolve("mask.tif");
    Run r = CliTest.run("segment", "--input", image.toString(), "--output", mask.toString(),
        "--batch", "100000000");
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.exists(mask));
  }

  @Test
  void aTileBeyondTheIntegersIsAnErrorLine(@TempDir Path dir) {
    refused(CliTest.run("segment", "--input", image.toString(), "--output",
        dir.resolve("m.tif").toString(), "--tile", "9999999999x32"), 2,
        "--tile: tile must be WxH");
  }

  /**
   * Bad option values, each with the option the error line must name: refused by picocli or by
   * the library, all are usage errors (exit 2), found before any file is read (the inputs
   * named here do not exist).
   */
  static Stream<Arguments> badOptionValues() {
    String[] seg = {"segment", "--input", "none.tif", "--output", "none-mask.tif"};
    String[] run = {"run", "--input", "none.tif", "--output", "none.swc"};
    String[] trace = {"trace", "--mask", "none.tif", "--output", "none.swc"};
    String[] eval = {"evaluate", "--swc", "none.swc", "--truth-swc", "none.swc"};
    String[] render = {"render", "--output", "none-render"};
    String[] train = {"train", "--output", "none.onnx", "--pairs", "none-pairs"};
    return Stream.of(
        bad("--batch", seg, "--batch", "0"),
        bad("--batch", seg, "--batch", "many"),
        bad("--threads", seg, "--threads", "-1"),
        bad("--threads", seg, "--threads", "100000"),
        bad("--overlap", seg, "--overlap", "-3"),
        bad("--threshold", seg, "--threshold", "1.5"),
        bad("--threshold", seg, "--threshold", "NaN"),
        bad("--device", seg, "--device", "tpu"),
        bad("--blending", seg, "--blending", "SMOOTH"),
        bad("--tile", seg, "--tile", "0x32"),
        bad("--low-threshold", seg, "--low-threshold", "2"),
        bad("--min-object", seg, "--min-object", "-1"),
        bad("--prune-length", run, "--prune-length", "-1"),
        bad("--bridge-angle", run, "--bridge-angle", "NaN"),
        bad("--threshold", trace, "--threshold", "NaN"),
        bad("--min-component", trace, "--min-component", "-5"),
        bad("--mask-threshold", eval, "--mask-threshold", "NaN"),
        bad("--distance-threshold", eval, "--distance-threshold", "NaN"),
        bad("--tolerance", eval, "--tolerance", "-1"),
        bad("--size", render, "--size", "0x10x10"),
        bad("--voxel-size", render, "--voxel-size", "a,b,c"),
        bad("--distractors", render, "--distractors", "-1"),
        bad("--size", new String[] {"demo", "--output", "none-demo"}, "--size", "10x10"),
        bad("--lr", train, "--lr", "-1"),
        bad("--epochs", train, "--epochs", "0"),
        bad("--heads", train, "--embed", "10", "--heads", "3"),
        bad("--normalization", train, "--normalization", "percentile:99,1"),
        bad("--gain-range", train, "--gain-range", "0.5"),
        bad("--align-swc", train, "--align-swc", "-2"),
        bad("--looks", train, "--looks", "fancy"),
        bad("--validation", train, "--validation", "0"),
        bad("--validation", train, "--validation", "0.6", "--test", "0.5"),
        bad("--license", new String[] {"export-bioimageio", "--output", "none-pkg"},
            "--license", "not a licence"));
  }

  private static Arguments bad(String option, String[] command, String... values) {
    List<String> args = new ArrayList<>(List.of(command));
    args.addAll(List.of(values));
    return Arguments.of(option, args);
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("badOptionValues")
  void everyBadOptionValueIsAUsageErrorNamingTheOption(String option, List<String> args,
      @TempDir Path dir) {
    String[] a = args.stream().map(x -> x.startsWith("none") ? dir.resolve(x).toString() : x)
        .toArray(String[]::new);
    Run r = CliTest.run(a);
    refused(r, 2, option, "(see 'neuroseg " + args.get(0) + " --help')");
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(List.of(), s.toList(), "nothing is written");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Outputs that cannot be written, each with the option and message part the error line must
   * name: checked before any work (the inputs named here do not exist, so any work would fail
   * differently). {@code FILE} is an existing file, {@code DIR...} existing directories.
   */
  static Stream<Arguments> badOutputs() {
    return Stream.of(
        bad("--output: cannot tell the volume format", new String[] {"segment", "--input",
            "none.tif", "--output", "none.png"}),
        bad("--output: cannot write the file", new String[] {"segment", "--input", "none.tif",
            "--output", "DIR.tif"}),
        bad("is a file, not a folder", new String[] {"segment", "--input", "none.tif",
            "--output", "m.tif", "--probabilities", "FILE/p.tif"}),
        bad("--output: expected an SWC file", new String[] {"run", "--input", "none.tif",
            "--output", "none-out.tif"}),
        bad("--mask: cannot tell the volume format", new String[] {"run", "--input",
            "none.tif", "--output", "none.swc", "--mask", "none.jpg"}),
        bad("--pictures: ", new String[] {"run", "--input", "none.tif", "--output", "none.swc",
            "--pictures", "FILE/preview"}),
        bad("--output: cannot write the file", new String[] {"trace", "--mask", "none.tif",
            "--output", "DIR.swc"}),
        bad("--report: cannot write the file", new String[] {"evaluate", "--swc", "none.swc",
            "--truth-swc", "none.swc", "--report", "DIR"}),
        bad("--output: expected an ONNX model", new String[] {"train", "--output", "none.bin",
            "--generated", "2"}),
        bad("--checkpoints: cannot write the folder", new String[] {"train", "--output",
            "none.onnx", "--generated", "2", "--checkpoints", "FILE"}),
        bad("--output: expected an ONNX model", new String[] {"export", "--checkpoint",
            "none.safetensors", "--output", "none.txt"}),
        bad("--output: cannot write the folder", new String[] {"export-bioimageio", "--output",
            "FILE"}),
        bad("--output: cannot write the folder", new String[] {"render", "--output", "FILE"}),
        bad("--output: cannot write the folder", new String[] {"demo", "--output", "FILE"}));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("badOutputs")
  void everyOutputIsCheckedBeforeAnyWork(String message, List<String> args, @TempDir Path dir)
      throws IOException {
    Path file = Files.writeString(dir.resolve("FILE"), "keep");
    for (String d : new String[] {"DIR", "DIR.tif", "DIR.swc"}) {
      Files.createDirectory(dir.resolve(d));
    }
    String[] a = args.stream().map(x -> x.startsWith("none") || x.startsWith("FILE")
        || x.startsWith("DIR") ? dir.resolve(x).toString() : x).toArray(String[]::new);
    refused(CliTest.run(a), 2, message);
    assertEquals("keep", Files.readString(file));
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(4, s.count(), "nothing is written");
    }
  }

  @Test
  void anOutputThatIsAnInputOrAnotherOutputIsAUsageErrorAndTheInputIsKept(@TempDir Path dir)
      throws IOException {
    Path input = Files.copy(image, dir.resolve("stack.tif"));
    byte[] before = Files.readAllBytes(input);
    Path link = Files.createSymbolicLink(dir.resolve("link.tif"), input.getFileName());
    String relative = Path.of("").toAbsolutePath().relativize(input).toString();
    for (String out : new String[] {input.toString(), relative, link.toString(),
        dir.resolve("sub/../stack.tif").toString()}) {
      refused(CliTest.run("segment", "--input", input.toString(), "--output", out), 2,
          "--output " + out + " is the same file as --input " + input,
          "writing it would replace that input");
    }
    refused(CliTest.run("segment", "--input", input.toString(), "--output",
        dir.resolve("m.tif").toString(), "--probabilities", dir.resolve("./m.tif").toString()),
        2, "is the same file as --output", "one output would replace the other");
    Path swc = image.resolveSibling("neuron.swc");
    refused(CliTest.run("trace", "--mask", input.toString(), "--output", link.toString()), 2,
        "is the same file as --mask");
    refused(CliTest.run("evaluate", "--swc", swc.toString(), "--truth-swc", swc.toString(),
        "--report", swc.toString()), 2, "--report " + swc + " is the same file as --swc");
    Path copy = Files.copy(swc, dir.resolve("neuron.swc"));
    refused(CliTest.run("render", "--swc", copy.toString(), "--output", dir.toString()), 2,
        "--output " + copy + " is the same file as --swc");
    assertArrayEquals(before, Files.readAllBytes(input));
    assertTrue(Files.isSymbolicLink(link));
  }

  @Test
  void outputsAreWrittenThroughLinksKeepTheirPermissionsAndLeaveNoTemporaryFile(
      @TempDir Path dir) throws IOException {
    Path real = Files.writeString(Files.createDirectory(dir.resolve("store")).resolve("m.tif"),
        "an old mask");
    Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-------"));
    Path link = Files.createSymbolicLink(dir.resolve("mask.tif"), Path.of("store/m.tif"));
    Path probabilities = dir.resolve("p.tif");
    Run r = CliTest.run("segment", "--input", image.toString(), "--output", link.toString(),
        "--probabilities", probabilities.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.isSymbolicLink(link), "the link stays");
    assertArrayEquals(Volumes.read(image).dimensions(), Volumes.read(real).dimensions());
    assertEquals(PosixFilePermissions.fromString("rw-------"),
        Files.getPosixFilePermissions(real));
    assertTrue(Files.size(probabilities) > 0);
    try (Stream<Path> s = Files.walk(dir)) {
      assertEquals(List.of(), s.filter(p -> p.getFileName().toString().contains(".neuroseg-"))
          .toList(), "no temporary file is left");
    }
  }

  @Test
  void messagesSayWhatAFileIsAndQuoteItHarmlessly(@TempDir Path dir) throws IOException {
    String swc = image.resolveSibling("neuron.swc").toString();
    Path utf16 = Files.write(dir.resolve("truth.swc"), ("\uFEFF1 1 0 0 0 1 -1\n")
        .getBytes(StandardCharsets.UTF_16LE));
    refused(CliTest.run("evaluate", "--swc", swc, "--truth-swc", utf16.toString()), 1,
        "UTF-16 text (byte order mark FF FE)");
    // escape sequences in a file, and a newline in a file name, stay on one harmless line
    Path hostile = Files.writeString(dir.resolve("bad\nname.swc"),
        "1 1 0 0 0 1 -1\n2 \u001b]0;owned\u0007 4 0 0 1 1\n");
    Run r = CliTest.run("evaluate", "--swc", swc, "--truth-swc", hostile.toString());
    refused(r, 1, "bad\\nname.swc line 2", "'\\u001b]0;owned\\u0007'");
    assertTrue(r.err().strip().chars().noneMatch(c -> c < 0x20), r.err());
    refused(CliTest.run("segment", "--model", dir.toString(), "--input", image.toString(),
        "--output", dir.resolve("m.tif").toString()), 1, "no rdf.yaml or bioimageio.yaml in the"
        + " folder (a model that is not a package is given as its .onnx file)");
  }

  @Test
  void resumingFromAFolderWithoutACheckpointIsRefusedBeforeAnyData(@TempDir Path dir)
      throws IOException {
    Path empty = Files.createDirectory(dir.resolve("checkpoints"));
    refused(CliTest.run("train", "--output", dir.resolve("m.onnx").toString(), "--pairs",
        dir.resolve("no-pairs").toString(), "--checkpoints", empty.toString(), "--resume"), 2,
        "--resume: " + empty + " holds no last.safetensors to resume from");
    refused(CliTest.run("train", "--output", dir.resolve("m.onnx").toString(), "--generated",
        "2", "--resume"), 2, "--resume needs --checkpoints DIR");
  }
}
