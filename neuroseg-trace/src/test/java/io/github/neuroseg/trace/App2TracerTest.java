package io.github.neuroseg.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.metrics.ReconstructionMetrics;
import io.github.neuroseg.segmentation.Segmentation;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.synth.GroundTruth;
import io.github.neuroseg.synth.NeuronGenerator;
import io.github.neuroseg.synth.NeuronRenderer;
import io.github.neuroseg.synth.RenderedNeuron;
import io.github.neuroseg.tracing.Seed;
import io.github.neuroseg.tracing.SpeedSource;
import io.github.neuroseg.tracing.TraceInput;
import io.github.neuroseg.tracing.Tracer;
import io.github.neuroseg.volume.VoxelSize;
import java.time.Duration;
import java.util.List;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.real.FloatType;
import org.junit.jupiter.api.Test;

/** Behaviour of the tracer on specific inputs: bad input, forests, options. */
class App2TracerTest {

  private static final Tracer TRACER = NeuroSeg.tracer().build();

  static NeuronTree tube(double[] a, double[] b, double r) {
    return NeuronTree.of(List.of(new SwcNode(1, 1, a[0], a[1], a[2], r, -1),
        new SwcNode(2, 3, b[0], b[1], b[2], r, 1)));
  }

  @Test
  void builderFindsTheImplementation() {
    assertInstanceOf(App2Tracer.class, TRACER);
    assertEquals(NeuroSeg.tracer().config(), TRACER.config());
  }

  @Test
  void emptyMaskGivesEmptyTree() {
    assertTrue(TRACER.trace(ArrayImgs.unsignedBytes(20, 20, 5), VoxelSize.UNIT).isEmpty());
  }

  @Test
  void onlySmallComponentsGiveEmptyTree() {
    ArrayImg<UnsignedByteType, ByteArray> img = ArrayImgs.unsignedBytes(20, 20, 5);
    byte[] m = img.update(null).getCurrentStorageArray();
    for (int i = 0; i < 10; i++) {
      m[i * 44] = 1; // isolated voxels in slice 0 (at least 2 apart), and a 3-voxel run in slice 2
    }
    m[1000] = m[1001] = m[1002] = 1;
    assertTrue(TRACER.trace(img, VoxelSize.UNIT).isEmpty());
    NeuronTree all = NeuroSeg.tracer().minComponentSize(1).build().trace(img, VoxelSize.UNIT);
    assertEquals(11, all.roots().size(), "every component is a tree");
  }

  @Test
  void fullVolumeTracesWithoutHanging() {
    ArrayImg<UnsignedByteType, ByteArray> img = ArrayImgs.unsignedBytes(40, 40, 10);
    java.util.Arrays.fill(img.update(null).getCurrentStorageArray(), (byte) 1);
    NeuronTree t = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
        Duration.ofSeconds(20), () -> TRACER.trace(img, VoxelSize.UNIT));
    assertEquals(1, t.roots().size());
  }

  @Test
  void mismatchedIntensitiesAreRejected() {
    ArrayImg<UnsignedByteType, ByteArray> mask = ArrayImgs.unsignedBytes(20, 20, 5);
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> TRACER.trace(
        new TraceInput(mask, VoxelSize.UNIT, ArrayImgs.floats(20, 21, 5), null)));
    assertTrue(e.getMessage().contains("[20, 21, 5]"), e.getMessage());
    assertThrows(InvalidInputException.class,
        () -> TRACER.trace(ArrayImgs.unsignedBytes(20, 20), VoxelSize.UNIT));
  }

  @Test
  void intensitySpeedNeedsIntensities() {
    Tracer t = NeuroSeg.tracer().speed(SpeedSource.INTENSITY).build();
    assertThrows(InvalidInputException.class,
        () -> t.trace(ArrayImgs.unsignedBytes(10, 10, 3), VoxelSize.UNIT));
  }

  @Test
  void seedOutsideForegroundIsRejected() {
    NeuronTree ref = tube(new double[] {5, 10, 5}, new double[] {35, 10, 5}, 2);
    long[] dims = {40, 20, 10};
    var mask = GroundTruth.render(ref, dims, VoxelSize.UNIT);
    Tracer t = NeuroSeg.tracer().seeds(List.of(new Seed(0, 0, 0))).build();
    assertThrows(InvalidInputException.class, () -> t.trace(mask, VoxelSize.UNIT));
    Tracer far = NeuroSeg.tracer().seeds(List.of(new Seed(400, 0, 0))).build();
    assertThrows(InvalidInputException.class, () -> far.trace(mask, VoxelSize.UNIT));
    Tracer ok = NeuroSeg.tracer().seeds(List.of(new Seed(5, 10, 5))).build();
    NeuronTree tree = ok.trace(mask, VoxelSize.UNIT);
    assertEquals(1, tree.roots().size());
    SwcNode root = tree.roots().get(0);
    assertEquals(5, root.x(), 0);
    assertEquals(10, root.y(), 0);
    assertEquals(5, root.z(), 0);
  }

  @Test
  void separateComponentsBecomeSeparateTrees() {
    NeuronTree a = tube(new double[] {5, 5, 4}, new double[] {55, 5, 4}, 1.5);
    NeuronTree b = tube(new double[] {5, 30, 4}, new double[] {55, 40, 4}, 1.5);
    long[] dims = {60, 45, 9};
    byte[] ma = GroundTruth.render(a, dims, VoxelSize.UNIT).update(null)
        .getCurrentStorageArray();
    ArrayImg<UnsignedByteType, ByteArray> img = GroundTruth.render(b, dims, VoxelSize.UNIT);
    byte[] m = img.update(null).getCurrentStorageArray();
    for (int i = 0; i < m.length; i++) {
      m[i] |= ma[i];
    }
    NeuronTree t = TRACER.trace(img, VoxelSize.UNIT);
    assertEquals(2, t.roots().size());
    for (SwcNode r : t.roots()) {
      assertEquals(1, r.structure());
    }
    assertEquals(50 + Math.hypot(50, 10), t.pathLength(), 0.05 * (50 + Math.hypot(50, 10)));
  }

  @Test
  void coordinatesArePhysicalForAnisotropicVoxels() {
    VoxelSize vs = VoxelSize.microns(0.5, 0.5, 2.0);
    // ends are only resolved to a slice (2 microns), so the tube is long against that
    NeuronTree ref = tube(new double[] {3, 5, 4}, new double[] {53, 30, 14}, 1.5);
    long[] dims = {115, 70, 10};
    NeuronTree t = TRACER.trace(GroundTruth.render(ref, dims, vs), vs);
    double len = Math.sqrt(50 * 50 + 25 * 25 + 10 * 10);
    assertEquals(len, t.pathLength(), 0.05 * len);
    ReconstructionMetrics.Scores s = ReconstructionMetrics.compare(ref, t, 2.0, 2.0);
    assertTrue(s.f1() > 0.95, "F1 at 2 microns (one slice): " + s);
  }

  @Test
  void segmentationAndIntensitiesAreUsed() {
    long[] dims = {64, 64, 16};
    NeuronTree ref = NeuronGenerator.newBuilder().bounds(64, 64, 16).seed(3).build().generate();
    RenderedNeuron r = NeuronRenderer.newBuilder().seed(3).build()
        .render(ref, dims, VoxelSize.UNIT);
    byte[] mask = r.mask().update(null).getCurrentStorageArray();
    float[] prob = new float[mask.length];
    for (int i = 0; i < prob.length; i++) {
      prob[i] = mask[i] != 0 ? 0.8f : 0.1f;
    }
    ArrayImg<FloatType, FloatArray> p = ArrayImgs.floats(prob, dims);
    Segmentation seg = new Segmentation(p, 0.5, VoxelSize.UNIT);
    NeuronTree fromSeg = TRACER.trace(seg);
    NeuronTree fromMask = TRACER.trace(r.mask(), VoxelSize.UNIT);
    assertEquals(fromMask, fromSeg, "a two-level probability map thresholds to the mask");
    NeuronTree withIntensity = TRACER.trace(TraceInput.of(seg, r.image()));
    assertTrue(ReconstructionMetrics.compare(ref, withIntensity).f1() > 0.8);
    // a threshold above every probability leaves nothing
    assertTrue(TRACER.trace(TraceInput.of(seg).withThreshold(0.9)).isEmpty());
  }

  @Test
  void resamplingAndNoSmoothingKeepAValidTree() {
    NeuronTree ref = NeuronGenerator.newBuilder().bounds(64, 64, 16).seed(5).build().generate();
    var mask = GroundTruth.render(ref, new long[] {64, 64, 16}, VoxelSize.UNIT);
    Tracer rawTracer = NeuroSeg.tracer().smoothing(0).build();
    Tracer resampling = NeuroSeg.tracer().resampleStep(3).build();
    NeuronTree raw = rawTracer.trace(mask, VoxelSize.UNIT);
    NeuronTree resampled = resampling.trace(mask, VoxelSize.UNIT);
    TracerPropertiesTest.assertValidForest(raw, mask, VoxelSize.UNIT, rawTracer.config());
    TracerPropertiesTest.assertValidForest(resampled, mask, VoxelSize.UNIT, resampling.config());
    assertTrue(resampled.size() < raw.size() / 2, resampled.size() + " vs " + raw.size());
    for (SwcNode n : raw.nodes()) {
      assertEquals(Math.rint(n.x()), n.x(), 0, "unsmoothed nodes sit on voxel centres");
    }
    assertTrue(ReconstructionMetrics.compare(ref, resampled).f1() > 0.9);
  }

  @Test
  void tracingIsDeterministicAndThreadSafe() throws Exception {
    NeuronTree ref = NeuronGenerator.newBuilder().bounds(64, 64, 16).seed(8).build().generate();
    var mask = GroundTruth.render(ref, new long[] {64, 64, 16}, VoxelSize.UNIT);
    NeuronTree expected = TRACER.trace(mask, VoxelSize.UNIT);
    var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      var futures = new java.util.ArrayList<java.util.concurrent.Future<NeuronTree>>();
      for (int i = 0; i < 8; i++) {
        futures.add(pool.submit(() -> TRACER.trace(mask, VoxelSize.UNIT)));
      }
      for (var f : futures) {
        assertEquals(expected, f.get());
      }
    } finally {
      pool.shutdown();
    }
  }

  /** Branch points of a tree (nodes with two or more children). */
  static int branchPoints(NeuronTree t) {
    int b = 0;
    for (SwcNode n : t.nodes()) {
      if (t.children(n.id()).size() >= 2) {
        b++;
      }
    }
    return b;
  }

  @Test
  void pruningKeepsRealSideBranchesAndDropsShortOnes() {
    // a soma with a long trunk; a side branch of 20 voxels and a stub of 3 voxels off the trunk
    NeuronTree tree = NeuronTree.of(List.of(
        new SwcNode(1, 1, 10, 20, 8, 5, -1),
        new SwcNode(3, 3, 40, 20, 8, 2, 1),
        new SwcNode(6, 3, 55, 20, 8, 2, 3),
        new SwcNode(2, 3, 70, 20, 8, 2, 6),
        new SwcNode(5, 3, 40, 40, 8, 1.5, 3),
        new SwcNode(7, 3, 55, 23, 8, 1, 6)));
    long[] dims = {80, 48, 17};
    NeuronTree t = TRACER.trace(GroundTruth.render(tree, dims, VoxelSize.UNIT), VoxelSize.UNIT);
    assertEquals(1, t.roots().size());
    ReconstructionMetrics.Scores s = ReconstructionMetrics.compare(tree, t);
    assertTrue(s.recall() > 0.95, "the 20-voxel branch is kept: " + s);
    // branch points: at the side branch only (the soma root continues into the trunk); the
    // 3-voxel stub (1 voxel beyond the trunk's surface) is pruned
    assertEquals(1, branchPoints(t), "branch points in " + t.nodes());
    NeuronTree noPruning = NeuroSeg.tracer().pruneLength(0).pruneRadiusFactor(0).coverageRatio(1)
        .build()
        .trace(GroundTruth.render(tree, dims, VoxelSize.UNIT), VoxelSize.UNIT);
    assertTrue(branchPoints(noPruning) > 1, "without pruning, surface spurs stay");
  }
}
