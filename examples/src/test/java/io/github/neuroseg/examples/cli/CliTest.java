package io.github.neuroseg.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.Volumes;
import io.github.neuroseg.volume.VoxelSize;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the command line in-process on temporary folders. */
class CliTest {

  @TempDir static Path shared;
  static Path rendered;

  /** What one run printed and returned. */
  record Run(int code, String out, String err) {
    String lastLine() {
      List<String> lines = out.lines().toList();
      return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }
  }

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = NeuroSegCli.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  @BeforeAll
  static void render() {
    rendered = shared.resolve("render");
    Run r = run("render", "--output", rendered.toString(), "--size", "64x56x16",
        "--voxel-size", "0.5,0.5,1.5", "--seed", "7");
    assertEquals(0, r.code(), r.err());
  }

  @Test
  void renderWritesVolumeMaskTreeAndMetrics() throws IOException {
    Volume image = Volumes.read(rendered.resolve("image.tif"));
    assertArrayEquals(new long[] {64, 56, 16}, image.dimensions());
    assertInstanceOf(UnsignedShortType.class, image.image().getType());
    assertEquals(VoxelSize.microns(0.5, 0.5, 1.5).unit(), image.voxelSize().unit());
    assertEquals(0.5, image.voxelSize().x(), 1e-9);
    assertEquals(1.5, image.voxelSize().z(), 1e-9);
    Volume mask = Volumes.read(rendered.resolve("mask.tif"));
    assertInstanceOf(UnsignedByteType.class, mask.image().getType());
    long fg = 0;
    for (var t : net.imglib2.view.Views.flatIterable(mask.image())) {
      double v = t.getRealDouble();
      assertTrue(v == 0 || v == 1, "mask is 0/1");
      fg += (long) v;
    }
    assertTrue(fg > 0, "the neuron is in the mask");
    NeuronTree tree = Swc.read(rendered.resolve("neuron.swc"));
    assertTrue(tree.size() > 1);
    String metrics = Files.readString(rendered.resolve("metrics.txt"));
    assertTrue(metrics.contains("swc_roundtrip_mask_dice=1.0000\n"), metrics);
    assertTrue(metrics.contains("foreground_voxels=" + fg + "\n"), metrics);
    var xy = javax.imageio.ImageIO.read(rendered.resolve("projection-xy.png").toFile());
    var xz = javax.imageio.ImageIO.read(rendered.resolve("projection-xz.png").toFile());
    // 512 / 64: enlarged 8 times
    assertEquals(64 * 8, xy.getWidth());
    assertEquals(56 * 8, xy.getHeight());
    assertEquals(16 * 3 * 8, xz.getHeight()); // z voxels 3x longer than x voxels
  }

  @Test
  void evaluateAgainstItselfIsPerfect() {
    Run r = run("evaluate", "--mask", rendered.resolve("mask.tif").toString(),
        "--truth-mask", rendered.resolve("mask.tif").toString(),
        "--swc", rendered.resolve("neuron.swc").toString(),
        "--truth-swc", rendered.resolve("neuron.swc").toString());
    assertEquals(0, r.code(), r.err());
    assertEquals("EVAL dice=1.0000 hd95=0.0000 esa=0.0000 dsa=0.0000 pds=0.0000 f1=1.0000",
        r.lastLine());
  }

  @Test
  void evaluateMatchesDirectCountsOnAHandMadeMask(@TempDir Path tmp) throws IOException {
    // truth: a 4x4x2 block; prediction: the block shifted by 2 along x (half overlap)
    ArrayImg<UnsignedByteType, ByteArray> truth = ArrayImgs.unsignedBytes(12, 8, 4);
    ArrayImg<UnsignedByteType, ByteArray> pred = ArrayImgs.unsignedBytes(12, 8, 4);
    var tr = truth.randomAccess();
    var pr = pred.randomAccess();
    for (int z = 1; z < 3; z++) {
      for (int y = 2; y < 6; y++) {
        for (int x = 2; x < 6; x++) {
          tr.setPositionAndGet(x, y, z).set(1);
          pr.setPositionAndGet(x + 2, y, z).set(255);
        }
      }
    }
    Path t = tmp.resolve("gt.tif");
    Path p = tmp.resolve("pred.v3draw");
    Volumes.write(new Volume(truth, VoxelSize.microns(1, 1, 2)), t);
    Volumes.write(new Volume(pred, VoxelSize.UNIT), p);
    Path report = tmp.resolve("out/report.txt");
    Run r = run("evaluate", "--mask", p.toString(), "--truth-mask", t.toString(),
        "--report", report.toString());
    assertEquals(0, r.code(), r.err());
    // |A| = |B| = 32, overlap 16: Dice = 2 * 16 / 64
    assertTrue(r.lastLine().startsWith("EVAL dice=0.5000 hd95="), r.lastLine());
    assertTrue(r.lastLine().endsWith(" esa=na dsa=na pds=na f1=na"), r.lastLine());
    assertEquals(r.out(), Files.readString(report));
    // surfaces are 2 voxels apart at most along x: HD95 in voxels is 2
    assertTrue(r.lastLine().contains(" hd95=2.0000 "), r.lastLine());
  }

  @Test
  void evaluateTreesOnly(@TempDir Path tmp) throws IOException {
    Path a = tmp.resolve("a.swc");
    Path b = tmp.resolve("b.swc");
    Files.writeString(a, "1 1 0 0 0 1 -1\n2 3 10 0 0 1 1\n");
    // the same line shifted by 3 in y: every node is 3 away, beyond the 2 threshold
    Files.writeString(b, "1 1 0 3 0 1 -1\n2 3 10 3 0 1 1\n");
    Run r = run("evaluate", "--swc", b.toString(), "--truth-swc", a.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals("EVAL dice=na hd95=na esa=3.0000 dsa=3.0000 pds=1.0000 f1=0.0000",
        r.lastLine());
  }

  @Test
  void evaluateSaysWhenTheTreesAreInDifferentUnits(@TempDir Path tmp) throws IOException {
    // the same L-shaped neuron: the ground truth in microns, the trace in 0.3 um voxels
    Path truth = tmp.resolve("truth.swc");
    Path traced = tmp.resolve("traced.swc");
    Files.writeString(truth, "# unit: um\n1 1 0 0 0 1 -1\n2 3 30 0 0 1 1\n3 3 30 15 0 1 2\n");
    Files.writeString(traced,
        "# coordinates in voxels\n1 1 0 0 0 1 -1\n2 3 100 0 0 1 1\n3 3 100 50 0 1 2\n");
    Run r = run("evaluate", "--swc", traced.toString(), "--truth-swc", truth.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("warning: the trees state different units in their SWC"
        + " headers: the reconstruction voxel, the ground truth micron"), r.out());
    assertTrue(!r.out().contains("error:") && r.err().isEmpty(), r.out() + r.err());
    assertTrue(r.lastLine().startsWith("EVAL dice=na hd95=na esa="), r.lastLine());
    assertTrue(r.lastLine().endsWith(" warn=units"), r.lastLine());
  }

  @Test
  void usageErrorsExitWithTwo() {
    Run none = run("evaluate");
    assertEquals(2, none.code());
    assertTrue(none.err().contains("nothing to evaluate"), none.err());
    Run half = run("evaluate", "--mask", "x.tif");
    assertEquals(2, half.code());
    assertTrue(half.err().contains("--truth-mask"), half.err());
    assertEquals(2, run("render").code());
    assertEquals(2, run("no-such-command").code());
  }

  @Test
  void badInputExitsWithOneAndAClearMessage(@TempDir Path tmp) throws IOException {
    Run missing = run("evaluate", "--mask", tmp.resolve("none.tif").toString(),
        "--truth-mask", rendered.resolve("mask.tif").toString());
    assertEquals(1, missing.code());
    assertTrue(missing.err().startsWith("error: cannot read "), missing.err());
    assertTrue(missing.err().contains("no such file"), missing.err());

    Path small = tmp.resolve("small.tif");
    Volumes.write(Volume.ofUnsignedBytes(new byte[8], 2, 2, 2, VoxelSize.UNIT), small);
    Run size = run("evaluate", "--mask", small.toString(),
        "--truth-mask", rendered.resolve("mask.tif").toString());
    assertEquals(1, size.code());
    assertTrue(size.err().startsWith("error: "), size.err());

    Path junk = tmp.resolve("junk.tif");
    Files.writeString(junk, "not a tiff");
    Run bad = run("evaluate", "--mask", junk.toString(), "--truth-mask", junk.toString());
    assertEquals(1, bad.code());
    assertTrue(bad.err().contains("at byte 0"), bad.err());

    Run badSize = run("render", "--output", tmp.toString(), "--size", "12x-3x4");
    assertEquals(2, badSize.code(), "a bad option value is a usage error");
    assertTrue(badSize.err().toLowerCase(Locale.ROOT).contains("size must be wxhxd"),
        badSize.err());
  }

  @Test
  void checkpointInfoDescribesPretrainedCheckpointsBeforeTraining() {
    Path dir = Path.of("../neuroseg-train/src/test/resources/io/github/neuroseg/train/dino");
    Run r = run("checkpoint-info", "--pretrained",
        dir.resolve("dino_full_checkpoint.pth").toString());
    assertEquals(0, r.code(), r.err());
    for (String s : new String[] {"distribution: DINO training checkpoint",
        "network: teacher (the file holds student, teacher)",
        "architecture: E 12, 2 blocks, 3 heads (args.arch = vit_tiny), patch 4",
        "  backbone.* -> * (wrapper prefix dropped)",
        "  args: argparse.Namespace(arch='vit_tiny'",
        "3D network: ViT[E 12, 2 blocks, 3 heads, patch 4, 5 x 16 x 16]"}) {
      assertTrue(r.out().contains(s), s + " in\n" + r.out());
    }
    r = run("checkpoint-info", "--pretrained", dir.resolve("dinov2_hub_reg4.pth").toString(),
        "--heads", "2", "--tile", "56");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("LayerScale: yes") && r.out().contains("registers: 4")
        && r.out().contains("3D network: ViT[E 8, 2 blocks, 2 heads, patch 14, 5 x 56 x 56, "
        + "LayerScale, 4 registers]"), r.out());
    r = run("checkpoint-info", "--pretrained",
        dir.resolve("dino_backbone_legacy.pth").toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("a legacy torch.save file"), r.err());
  }
}
