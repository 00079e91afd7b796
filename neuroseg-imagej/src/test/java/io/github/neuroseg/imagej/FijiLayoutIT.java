package io.github.neuroseg.imagej;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.metrics.ReconstructionMetrics;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.synth.RenderedNeuron;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.Volumes;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The installation layout {@code target/fiji} ({@code plugins/} + {@code jars/}, what a user
 * copies into Fiji.app or ImageJ) run as installed: a macro opens a TIFF stack, runs the command
 * by its menu name and saves the mask, in a fresh JVM whose ImageJ 1.x is patched for headless
 * use the way Fiji's is, and whose only neuroseg classes are those jars.
 */
class FijiLayoutIT {
  private static final long SEED = 1789L;

  @TempDir Path tmp;

  @Test
  void aMacroRunsTheInstalledCommandHeadlessAndWritesAMaskAndAnSwc() throws Exception {
    Path fiji = Path.of(System.getProperty("neuroseg.fiji.dir"));
    try (Stream<Path> plugins = Files.list(fiji.resolve("plugins"))) {
      List<String> names = plugins.map(p -> p.getFileName().toString()).toList();
      assertEquals(1, names.size(), "one plugin jar: " + names);
      assertTrue(names.get(0).matches("neuroseg_imagej-.*\\.jar"), names.get(0));
    }
    try (Stream<Path> jars = Files.list(fiji.resolve("jars"))) {
      List<String> names = jars.map(p -> p.getFileName().toString()).sorted().toList();
      for (String needed : new String[] {"neuroseg-api-", "neuroseg-infer-onnx-",
          "neuroseg-trace-", "neuroseg-models-", "onnxruntime-", "imglib2-"}) {
        assertTrue(names.stream().anyMatch(n -> n.startsWith(needed)), needed + " in " + names);
      }
      assertFalse(names.stream().anyMatch(n -> n.startsWith("ij-")), "no ImageJ: " + names);
      assertFalse(names.stream().anyMatch(n -> n.startsWith("protobuf-")), "no protobuf");
    }

    RenderedNeuron neuron = Neurons.render(SEED);
    Path tif = tmp.resolve("neuron.tif");
    Volumes.write(neuron.image(), tif);
    Path swc = tmp.resolve("traced neuron.swc");
    Path mask = tmp.resolve("mask.tif");
    String macro = String.join("\n",
        "open(\"" + slashes(tif) + "\");",
        "run(\"Segment and Trace\", \"model=bundled device=cpu tile=[] threshold=[] swc=["
            + slashes(swc) + "] trace\");",
        "selectImage(\"neuron-mask\");",
        "saveAs(\"Tiff\", \"" + slashes(mask) + "\");",
        "print(\"saved \" + getWidth() + \"x\" + getHeight() + \"x\" + nSlices);",
        "");
    Path macroFile = tmp.resolve("segment.ijm");
    Files.writeString(macroFile, macro, StandardCharsets.UTF_8);

    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "-Djava.awt.headless=true",
        "-Dplugins.dir=" + fiji.resolve("plugins"),
        "-cp", System.getProperty("neuroseg.it.classpath"),
        PatchedImageJ.class.getName(), macroFile.toString()));
    Path log = tmp.resolve("imagej.log");
    Process p = new ProcessBuilder(command).directory(tmp.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    boolean done = p.waitFor(180, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    String out = Files.readString(log);
    assertTrue(done, "ImageJ finished within 180 s:\n" + out);
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("saved 64x64x12"), "the macro ran to its end:\n" + out);

    Volume m = Volumes.read(mask);
    assertArrayEquals(new long[] {Neurons.WIDTH, Neurons.HEIGHT, Neurons.DEPTH},
        m.dimensions(), out);
    assertEquals(Neurons.VOXEL, m.voxelSize(), "the mask keeps the stack's calibration");
    long foreground = 0;
    for (RealType<?> v : Views.flatIterable(m.image())) {
      double d = v.getRealDouble();
      assertTrue(d == 0 || d == 255, "0/255 mask, got " + d);
      foreground += d == 255 ? 1 : 0;
    }
    assertTrue(foreground > 100, "foreground " + foreground);

    NeuronTree traced = Swc.read(swc);
    assertTrue(traced.size() >= 10, "nodes " + traced.size() + "\n" + out);
    double[] d = ReconstructionMetrics.nodeDistances(traced, neuron.tree());
    Arrays.sort(d);
    assertTrue(d[d.length / 2] <= 2 * Neurons.VOXEL.z(),
        "median distance to the rendered tree " + d[d.length / 2] + " microns");
  }

  /** Macro string literals take forward slashes on every system. */
  private static String slashes(Path p) {
    return p.toAbsolutePath().toString().replace(File.separatorChar, '/');
  }
}
