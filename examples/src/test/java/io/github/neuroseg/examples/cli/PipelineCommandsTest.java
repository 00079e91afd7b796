package io.github.neuroseg.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.model.internal.OnnxGraph;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.Volumes;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.imglib2.Cursor;
import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * segment, trace and run on a rendered neuron with a model whose output is known: the logits are
 * the min-max normalised centre slice, so the probabilities must be {@code sigmoid((v - min) /
 * (max - min))} voxel by voxel.
 */
class PipelineCommandsTest {
  // sigmoid(0.5): the mask is "normalised intensity >= 0.5"
  static final double THRESHOLD = 1 / (1 + Math.exp(-0.5));

  @TempDir static Path dir;
  static Path model;
  static Path image;

  record Run(int code, String out, String err) {}

  static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = NeuroSegCli.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  @BeforeAll
  static void prepare() throws IOException {
    Run r = cli("render", "--output", dir.resolve("render").toString(), "--size", "48x40x9",
        "--seed", "3", "--distractors", "0");
    assertEquals(0, r.code(), r.err());
    image = dir.resolve("render/image.tif");
    OnnxGraph g = new OnnxGraph("identity_centre");
    g.input("image", new long[] {-1, 1, 3, -1, -1}, "N", "", "", "H", "W");
    g.output("logits", new long[] {-1, 1, -1, -1}, "N", "", "H", "W");
    String c = g.node("Slice", new String[] {"image", g.longs(1), g.longs(2), g.longs(2)});
    g.nodeNamed("Squeeze", "logits", new String[] {c, g.longs(2)});
    Map<String, String> md = new HashMap<>();
    md.put("neuroseg.format", "1");
    md.put("input_depth", "3");
    md.put("tile_h", "32");
    md.put("tile_w", "32");
    md.put("patch", "1");
    md.put("normalization", "minmax");
    md.put("threshold", Double.toString(THRESHOLD));
    model = dir.resolve("identity.onnx");
    Files.write(model, g.toBytes(md));
  }

  @Test
  void segmentWritesTheModelsProbabilitiesAndMask() {
    Path mask = dir.resolve("seg/mask.tif");
    Path prob = dir.resolve("seg/prob.tif");
    Run r = cli("segment", "--model", model.toString(), "--input", image.toString(),
        "--output", mask.toString(), "--probabilities", prob.toString(), "--batch", "3",
        "--no-post-processing");
    assertEquals(0, r.code(), r.err());
    Volume in = Volumes.read(image);
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (RealType<?> t : Views.flatIterable(in.image())) {
      min = Math.min(min, t.getRealDouble());
      max = Math.max(max, t.getRealDouble());
    }
    Cursor<? extends RealType<?>> v = Views.flatIterable(in.image()).cursor();
    Cursor<? extends RealType<?>> p = Views.flatIterable(Volumes.read(prob).image()).cursor();
    Cursor<? extends RealType<?>> m = Views.flatIterable(Volumes.read(mask).image()).cursor();
    long foreground = 0;
    while (v.hasNext()) {
      double expected = 1 / (1 + Math.exp(-(v.next().getRealDouble() - min) / (max - min)));
      double got = p.next().getRealDouble();
      assertEquals(expected, got, 1e-5);
      double bit = m.next().getRealDouble();
      assertEquals(got >= (float) THRESHOLD ? 1 : 0, bit, 0);
      foreground += (long) bit;
    }
    assertTrue(foreground > 0, "the bright neuron is foreground");
    assertTrue(r.err().contains("100%"), "progress reaches 100%: " + r.err());
  }

  @Test
  void runWithoutProbabilitiesSegmentsTheSameMaskAndTrace() throws IOException {
    // without --probabilities, run segments straight into the mask (no float map is kept);
    // with them it thresholds the kept map: the files must be the same
    Path direct = dir.resolve("direct");
    Path kept = dir.resolve("kept");
    Run a = cli("run", "--model", model.toString(), "--input", image.toString(), "--output",
        direct.resolve("out.swc").toString(), "--mask", direct.resolve("mask.tif").toString(),
        "--no-post-processing");
    Run b = cli("run", "--model", model.toString(), "--input", image.toString(), "--output",
        kept.resolve("out.swc").toString(), "--mask", kept.resolve("mask.tif").toString(),
        "--probabilities", kept.resolve("prob.tif").toString(), "--no-post-processing");
    assertEquals(0, a.code(), a.err());
    assertEquals(0, b.code(), b.err());
    assertFalse(Swc.read(direct.resolve("out.swc")).isEmpty());
    assertEquals(Files.readString(kept.resolve("out.swc")),
        Files.readString(direct.resolve("out.swc")));
    assertArrayEquals(Files.readAllBytes(kept.resolve("mask.tif")),
        Files.readAllBytes(direct.resolve("mask.tif")));
    // with the default post-processing, run segments into the levels hysteresis reads
    Run c = cli("run", "--model", model.toString(), "--input", image.toString(), "--output",
        direct.resolve("post.swc").toString(), "--mask", direct.resolve("post.tif").toString());
    Run d = cli("run", "--model", model.toString(), "--input", image.toString(), "--output",
        kept.resolve("post.swc").toString(), "--mask", kept.resolve("post.tif").toString(),
        "--probabilities", kept.resolve("prob2.tif").toString());
    assertEquals(0, c.code(), c.err());
    assertEquals(0, d.code(), d.err());
    assertEquals(Files.readString(kept.resolve("post.swc")),
        Files.readString(direct.resolve("post.swc")));
    assertArrayEquals(Files.readAllBytes(kept.resolve("post.tif")),
        Files.readAllBytes(direct.resolve("post.tif")));
  }

  @Test
  void segmentAppliesTheDefaultHysteresisAndSpeckleRemoval() {
    Path mask = dir.resolve("seg-default/mask.tif");
    Path prob = dir.resolve("seg-default/prob.tif");
    Run r = cli("segment", "--model", model.toString(), "--input", image.toString(),
        "--output", mask.toString(), "--probabilities", prob.toString(), "--low-threshold",
        "0.6", "--min-object", "3");
    assertEquals(0, r.code(), r.err());
    RandomAccessibleInterval<? extends RealType<?>> p = Volumes.read(prob).image();
    RandomAccessibleInterval<? extends RealType<?>> m = Volumes.read(mask).image();
    int w = (int) p.dimension(0);
    int h = (int) p.dimension(1);
    int d = (int) p.dimension(2);
    float[] prb = new float[w * h * d];
    Cursor<? extends RealType<?>> pc = Views.flatIterable(p).cursor();
    for (int i = 0; pc.hasNext(); i++) {
      prb[i] = pc.next().getRealFloat();
    }
    // independent hysteresis: flood from voxels >= threshold through 26-neighbours >= 0.6, then
    // drop components of fewer than 3 voxels
    int[] label = new int[prb.length];
    int components = 0;
    int[] sizes = new int[prb.length + 1];
    for (int s = 0; s < prb.length; s++) {
      if (label[s] != 0 || prb[s] < 0.6f) {
        continue;
      }
      components++;
      java.util.ArrayDeque<Integer> queue = new java.util.ArrayDeque<>(List.of(s));
      label[s] = components;
      List<Integer> members = new java.util.ArrayList<>();
      boolean seeded = false;
      while (!queue.isEmpty()) {
        int q = queue.poll();
        members.add(q);
        seeded |= prb[q] >= (float) THRESHOLD;
        int x = q % w;
        int y = q / w % h;
        int z = q / (w * h);
        for (int dz = -1; dz <= 1; dz++) {
          for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
              int nx = x + dx;
              int ny = y + dy;
              int nz = z + dz;
              if (nx < 0 || ny < 0 || nz < 0 || nx >= w || ny >= h || nz >= d) {
                continue;
              }
              int n = (nz * h + ny) * w + nx;
              if (label[n] == 0 && prb[n] >= 0.6f) {
                label[n] = components;
                queue.add(n);
              }
            }
          }
        }
      }
      sizes[components] = seeded && members.size() >= 3 ? members.size() : 0;
    }
    Cursor<? extends RealType<?>> mc = Views.flatIterable(m).cursor();
    long kept = 0;
    long plain = 0;
    for (int i = 0; mc.hasNext(); i++) {
      double expected = label[i] != 0 && sizes[label[i]] > 0 ? 1 : 0;
      assertEquals(expected, mc.next().getRealDouble(), 0, "voxel " + i);
      kept += (long) expected;
      plain += prb[i] >= (float) THRESHOLD ? 1 : 0;
    }
    assertTrue(kept > plain, "hysteresis grows the mask: " + kept + " against " + plain);
  }

  @Test
  void postProcessingOptionsAreExclusiveAndDocumentTheDefault() {
    Run both = cli("segment", "--model", model.toString(), "--input", image.toString(),
        "--output", dir.resolve("seg-x/mask.tif").toString(), "--no-post-processing",
        "--low-threshold", "0.3");
    assertEquals(2, both.code(), "a usage error");
    assertTrue(both.err().contains("--no-post-processing"), both.err());
    Run help = cli("segment", "--help");
    io.github.neuroseg.segmentation.PostProcessing d =
        io.github.neuroseg.segmentation.PostProcessing.DEFAULT;
    String low = d.lowThreshold() >= 1 ? "off" : Double.toString(d.lowThreshold());
    assertTrue(help.out().replaceAll("\\s+", " ").contains("threshold (default: " + low + ")"),
        help.out());
  }

  @Test
  void runTracesInsideTheMaskAndWritesPictures() throws IOException {
    Path swc = dir.resolve("run/out.swc");
    Path mask = dir.resolve("run/mask.tif");
    Run r = cli("run", "--model", model.toString(), "--input", image.toString(), "--output",
        swc.toString(), "--mask", mask.toString(), "--pictures",
        dir.resolve("run/preview").toString());
    assertEquals(0, r.code(), r.err());
    NeuronTree tree = Swc.read(swc);
    assertFalse(tree.isEmpty());
    Volume m = Volumes.read(mask);
    RandomAccess<? extends RealType<?>> ra = m.image().randomAccess();
    for (SwcNode n : tree.toVoxels(m.voxelSize()).nodes()) {
      ra.setPosition(new long[] {Math.round(n.x()), Math.round(n.y()), Math.round(n.z())});
      assertEquals(1, ra.get().getRealDouble(), 0, "node " + n.id() + " lies in the mask");
    }
    // every file written is named, the SWC first
    assertEquals("wrote " + swc + " (" + tree.size() + " nodes, " + tree.roots().size()
        + " trees), " + mask + ", " + dir.resolve("run/preview-xy.png") + ", "
        + dir.resolve("run/preview-xz.png"), r.out().strip());
    // a 48 x 40 volume is pictured 8 times enlarged (the most): 384 pixels wide, readable
    var xy = javax.imageio.ImageIO.read(dir.resolve("run/preview-xy.png").toFile());
    assertEquals(48 * 8, xy.getWidth());
    assertEquals(40 * 8, xy.getHeight());
    assertTrue(Files.size(dir.resolve("run/preview-xz.png")) > 0);

    // trace on the written mask gives the same reconstruction as run
    Path traced = dir.resolve("run/traced.swc");
    Run t = cli("trace", "--mask", mask.toString(), "--intensities", image.toString(),
        "--output", traced.toString());
    assertEquals(0, t.code(), t.err());
    assertEquals(tree.size(), Swc.read(traced).size());

    Run e = cli("evaluate", "--swc", swc.toString(), "--truth-swc",
        dir.resolve("render/neuron.swc").toString());
    assertEquals(0, e.code(), e.err());
    List<String> lines = e.out().lines().toList();
    assertTrue(lines.get(lines.size() - 1).matches(
        "EVAL dice=na hd95=na esa=\\S+ dsa=\\S+ pds=\\S+ f1=\\S+"), e.out());
  }

  @Test
  void badModelAndBadOptionsGiveClearErrorsAndExitCodes() throws IOException {
    Path notOnnx = dir.resolve("not-a-model.onnx");
    Files.writeString(notOnnx, "hello");
    Path out = dir.resolve("bad/out.swc");
    Run r = cli("run", "--model", notOnnx.toString(), "--input", image.toString(), "--output",
        out.toString());
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("error: ") && r.err().contains("not-a-model.onnx"), r.err());
    assertFalse(Files.exists(out), "nothing is written on failure");

    Run tile = cli("segment", "--model", model.toString(), "--input", image.toString(),
        "--output", dir.resolve("bad/m.tif").toString(), "--tile", "32x");
    assertEquals(2, tile.code(), "a bad option value is a usage error");
    assertTrue(tile.err().startsWith("error: --tile: tile must be WxH"), tile.err());

    Run missing = cli("segment", "--input", image.toString());
    assertEquals(2, missing.code(), "usage error: --output is required");
  }
}
