package io.github.neuroseg.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.examples.cli.CliTest.Run;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        dir.resolve("m.tif").toString(), "--tile", "9999999999x32"), 1, "tile must be WxH");
  }
}
