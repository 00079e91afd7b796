package io.github.neuroseg.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.synth.GroundTruth;
import io.github.neuroseg.tracing.Seed;
import io.github.neuroseg.tracing.Tracer;
import io.github.neuroseg.volume.VoxelSize;
import java.util.ArrayList;
import java.util.List;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import org.junit.jupiter.api.Test;

/** Broken, hairy and blobby masks: bridged gaps, collapsed somata, radius-relative pruning. */
class ImperfectMaskTest {

  private static final Tracer TRACER = NeuroSeg.tracer().build();

  /** Clears the voxels whose index along {@code axis} is in {@code [from, to]}. */
  static void cut(ArrayImg<UnsignedByteType, ByteArray> img, int axis, int from, int to) {
    long[] d = img.dimensionsAsLongArray();
    byte[] m = img.update(null).getCurrentStorageArray();
    for (int i = 0; i < m.length; i++) {
      long x = i % d[0];
      long y = i / d[0] % d[1];
      long z = i / (d[0] * d[1]);
      long c = axis == 0 ? x : axis == 1 ? y : z;
      if (c >= from && c <= to) {
        m[i] = 0;
      }
    }
  }

  static NeuronTree tube(double[] a, double[] b, double r) {
    return App2TracerTest.tube(a, b, r);
  }

  @Test
  void tubeCutByAThreeVoxelGapTracesToOneTree() {
    long[] dims = {80, 30, 12};
    var mask = GroundTruth.render(tube(new double[] {5, 15, 6}, new double[] {75, 15, 6}, 2),
        dims, VoxelSize.UNIT);
    cut(mask, 0, 38, 40);
    NeuronTree t = TRACER.trace(mask, VoxelSize.UNIT);
    TracerPropertiesTest.assertValidForest(t, mask, VoxelSize.UNIT, TRACER.config());
    assertEquals(1, t.roots().size(), "one tree across the gap: " + t.nodes());
    assertEquals(2, t.leaves().size() + (t.children(t.roots().get(0).id()).size() == 1 ? 1 : 0),
        "one unbranched path");
    assertEquals(70, t.pathLength(), 0.05 * 70);
    Tracer off = NeuroSeg.tracer().bridgeGap(0).build();
    assertEquals(2, off.trace(mask, VoxelSize.UNIT).roots().size(), "without bridging");
    Tracer shorter = NeuroSeg.tracer().bridgeGap(2).build();
    assertEquals(2, shorter.trace(mask, VoxelSize.UNIT).roots().size(), "a gap above the limit");
  }

  @Test
  void aUserSeedTracesThePiecesBridgedToItsComponent() {
    long[] dims = {80, 30, 12};
    var mask = GroundTruth.render(tube(new double[] {5, 15, 6}, new double[] {75, 15, 6}, 2),
        dims, VoxelSize.UNIT);
    cut(mask, 0, 38, 40);
    Tracer seeded = NeuroSeg.tracer().seeds(List.of(new Seed(10, 15, 6))).build();
    NeuronTree t = seeded.trace(mask, VoxelSize.UNIT);
    assertEquals(1, t.roots().size());
    assertEquals(10, t.roots().get(0).x(), 0, "the seed is the root");
    assertEquals(70, t.pathLength(), 0.05 * 70, "both pieces traced from the seed");
    NeuronTree unbridged = NeuroSeg.tracer().seeds(List.of(new Seed(10, 15, 6))).bridgeGap(0)
        .build().trace(mask, VoxelSize.UNIT);
    assertTrue(unbridged.pathLength() < 40, "only the seed's piece: " + unbridged.pathLength());
  }

  @Test
  void gapsAreMeasuredInPhysicalLengthAlongCoarseSlices() {
    // along z with slices 3 voxels apart: one missing slice is a gap of 3 voxels, three are 9
    VoxelSize vs = VoxelSize.microns(1, 1, 3);
    long[] dims = {20, 20, 30};
    NeuronTree ref = tube(new double[] {10, 10, 6}, new double[] {10, 10, 84}, 2.5);
    var one = GroundTruth.render(ref, dims, vs);
    cut(one, 2, 14, 14);
    NeuronTree bridged = TRACER.trace(one, vs);
    assertEquals(1, bridged.roots().size(), "one slice bridged");
    assertEquals(78, bridged.pathLength(), 0.05 * 78, "the length across the gap");
    var three = GroundTruth.render(ref, dims, vs);
    cut(three, 2, 14, 16);
    assertEquals(2, TRACER.trace(three, vs).roots().size(), "three slices are 9 voxels");
  }

  @Test
  void aSpeckleAheadOfATipIsBridgedOneBesideTheNeuriteIsNot() {
    long[] dims = {60, 30, 12};
    NeuronTree neurite = tube(new double[] {5, 10, 6}, new double[] {40, 10, 6}, 2);
    for (double[] blob : new double[][] {{47, 10, 6}, {22, 18, 6}}) {
      var mask = GroundTruth.render(neurite, dims, VoxelSize.UNIT);
      byte[] speckle = GroundTruth.render(NeuronTree.of(List.of(
          new SwcNode(1, 1, blob[0], blob[1], blob[2], 3, -1))), dims, VoxelSize.UNIT)
          .update(null).getCurrentStorageArray();
      byte[] m = mask.update(null).getCurrentStorageArray();
      for (int i = 0; i < m.length; i++) {
        m[i] |= speckle[i];
      }
      NeuronTree t = TRACER.trace(mask, VoxelSize.UNIT);
      TracerPropertiesTest.assertValidForest(t, mask, VoxelSize.UNIT, TRACER.config());
      // ahead of the tip, in its direction; beside the neurite, where no end points at it
      assertEquals(blob[0] > 40 ? 1 : 2, t.roots().size(), "speckle at x " + blob[0]);
    }
  }

  /** A soma of radius {@code rs} at {@code c}, neurites of radius 1.5 in the given directions. */
  static NeuronTree soma(double[] c, double rs, double[][] dirs, double length) {
    List<SwcNode> nodes = new ArrayList<>();
    nodes.add(new SwcNode(1, 1, c[0], c[1], c[2], rs, -1));
    long id = 2;
    for (double[] d : dirs) {
      double n = Math.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
      nodes.add(new SwcNode(id, 3, c[0] + d[0] / n * rs, c[1] + d[1] / n * rs,
          c[2] + d[2] / n * rs, 1.5, 1));
      nodes.add(new SwcNode(id + 1, 3, c[0] + d[0] / n * (rs + length),
          c[1] + d[1] / n * (rs + length), c[2] + d[2] / n * (rs + length), 1.5, id));
      id += 2;
    }
    return NeuronTree.of(nodes);
  }

  @Test
  void blobSomaGivesOneSomaNode() {
    double[] c = {45, 45, 12};
    NeuronTree ref = soma(c, 8, new double[][] {{1, 0, 0}, {-0.5, 0.87, 0}, {-0.5, -0.87, 0.1}},
        25);
    long[] dims = {90, 90, 25};
    var mask = GroundTruth.render(ref, dims, VoxelSize.UNIT);
    NeuronTree t = TRACER.trace(mask, VoxelSize.UNIT);
    TracerPropertiesTest.assertValidForest(t, mask, VoxelSize.UNIT, TRACER.config());
    assertEquals(1, t.roots().size());
    SwcNode root = t.roots().get(0);
    assertEquals(1, root.structure());
    assertEquals(8, root.radius(), 1, "the soma's radius");
    int inside = 0;
    for (SwcNode n : t.nodes()) {
      double d = Math.sqrt((n.x() - c[0]) * (n.x() - c[0]) + (n.y() - c[1]) * (n.y() - c[1])
          + (n.z() - c[2]) * (n.z() - c[2]));
      inside += d <= 8 ? 1 : 0;
    }
    assertEquals(1, inside, "one node inside the soma: " + t.nodes());
    assertEquals(3, t.children(root.id()).size(), "the three neurites leave the soma node");
    assertEquals(3, t.leaves().size(), "no starburst of short branches");
    NeuronTree off = NeuroSeg.tracer().somaRatio(0).build().trace(mask, VoxelSize.UNIT);
    int insideOff = 0;
    for (SwcNode n : off.nodes()) {
      double d = Math.sqrt((n.x() - c[0]) * (n.x() - c[0]) + (n.y() - c[1]) * (n.y() - c[1])
          + (n.z() - c[2]) * (n.z() - c[2]));
      insideOff += d <= 8 ? 1 : 0;
    }
    assertTrue(insideOff > 3, "without somata the paths start inside the soma: " + insideOff);
  }

  @Test
  void aThickNeuriteLosesItsSurfaceSpursButKeepsItsBranches() {
    // a trunk of radius 5 with a stub reaching 3 voxels beyond its surface and a 20-voxel branch
    NeuronTree tree = NeuronTree.of(List.of(
        new SwcNode(1, 1, 8, 25, 10, 5, -1),
        new SwcNode(2, 3, 30, 25, 10, 5, 1),
        new SwcNode(3, 3, 55, 25, 10, 5, 2),
        new SwcNode(4, 3, 72, 25, 10, 5, 3),
        new SwcNode(5, 3, 30, 31.5, 10, 1.5, 2),
        new SwcNode(6, 3, 55, 50, 10, 1.5, 3)));
    long[] dims = {80, 56, 21};
    var mask = GroundTruth.render(tree, dims, VoxelSize.UNIT);
    NeuronTree t = TRACER.trace(mask, VoxelSize.UNIT);
    NeuronTree fixed = NeuroSeg.tracer().pruneRadiusFactor(0).build().trace(mask, VoxelSize.UNIT);
    assertEquals(1, App2TracerTest.branchPoints(t), "the branch only: " + t.nodes());
    assertEquals(2, App2TracerTest.branchPoints(fixed), "a fixed length keeps the stub");
  }
}
