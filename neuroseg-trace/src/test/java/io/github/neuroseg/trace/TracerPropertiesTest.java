package io.github.neuroseg.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.synth.GroundTruth;
import io.github.neuroseg.synth.NeuronGenerator;
import io.github.neuroseg.tracing.Tracer;
import io.github.neuroseg.volume.VoxelSize;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import org.junit.jupiter.api.Test;

/** Properties of traces: valid forests inside the foreground, straight tubes give one path. */
class TracerPropertiesTest {

  private static final Tracer TRACER = NeuroSeg.tracer().build();

  /** Checks parents, acyclicity and structure codes independently of NeuronTree's own checks. */
  static void assertValidForest(NeuronTree t) {
    Map<Long, SwcNode> byId = new HashMap<>();
    for (SwcNode n : t.nodes()) {
      assertTrue(byId.put(n.id(), n) == null, "duplicate id " + n.id());
    }
    for (SwcNode n : t.nodes()) {
      if (n.isRoot()) {
        assertEquals(1, n.structure(), "roots are somata");
        continue;
      }
      assertNotNull(byId.get(n.parent()), "parent of " + n.id() + " exists");
      Set<Long> seen = new HashSet<>();
      SwcNode cur = n;
      while (!cur.isRoot()) {
        assertTrue(seen.add(cur.id()), "cycle through " + cur.id());
        cur = byId.get(cur.parent());
      }
    }
  }

  static void assertInsideForeground(NeuronTree t, byte[] m, long[] dims, VoxelSize vs) {
    for (SwcNode n : t.nodes()) {
      long i = Math.round(n.x() / vs.x());
      long j = Math.round(n.y() / vs.y());
      long k = Math.round(n.z() / vs.z());
      assertTrue(i >= 0 && j >= 0 && k >= 0 && i < dims[0] && j < dims[1] && k < dims[2],
          "node inside the image: " + n);
      assertTrue(m[(int) ((k * dims[1] + j) * dims[0] + i)] != 0, "node on foreground: " + n);
    }
  }

  /** Random blobs, sticks and noise voxels. */
  static ArrayImg<UnsignedByteType, ByteArray> randomScene(long seed, long[] dims) {
    SplittableRandom rnd = new SplittableRandom(seed);
    ArrayImg<UnsignedByteType, ByteArray> img = ArrayImgs.unsignedBytes(dims);
    byte[] m = img.update(null).getCurrentStorageArray();
    int shapes = 1 + rnd.nextInt(6);
    for (int s = 0; s < shapes; s++) {
      double[] a = new double[3];
      double[] b = new double[3];
      for (int d = 0; d < 3; d++) {
        a[d] = rnd.nextDouble() * dims[d];
        b[d] = rnd.nextDouble() * dims[d];
      }
      NeuronTree stick = NeuronTree.of(List.of(
          new SwcNode(1, 1, a[0], a[1], a[2], 0.5 + 3 * rnd.nextDouble(), -1),
          new SwcNode(2, 3, b[0], b[1], b[2], 0.5 + 2 * rnd.nextDouble(), 1)));
      byte[] part = GroundTruth.render(stick, dims, VoxelSize.UNIT)
          .update(null).getCurrentStorageArray();
      for (int i = 0; i < m.length; i++) {
        m[i] |= part[i];
      }
    }
    double noise = rnd.nextDouble() * 0.03;
    for (int i = 0; i < m.length; i++) {
      if (rnd.nextDouble() < noise) {
        m[i] = 1;
      }
    }
    return img;
  }

  @Test
  void randomScenesTraceToValidForestsOnTheForeground() {
    qt().withFixedSeed(424242L).withExamples(60)
        .forAll(longs().all(), integers().between(0, 3))
        .checkAssert((seed, option) -> {
          long[] dims = {24 + (seed & 15), 20 + ((seed >>> 4) & 15), 6 + ((seed >>> 8) & 7)};
          ArrayImg<UnsignedByteType, ByteArray> img = randomScene(seed, dims);
          Tracer tracer = switch (option) {
            case 1 -> NeuroSeg.tracer().minComponentSize(1).pruneLength(0).build();
            case 2 -> NeuroSeg.tracer().coverageRatio(0.3).sphereScale(2).build();
            case 3 -> NeuroSeg.tracer().pruneLength(2).speedContrast(0).build();
            default -> TRACER;
          };
          NeuronTree t = tracer.trace(img, VoxelSize.UNIT);
          assertValidForest(t);
          assertInsideForeground(t, img.update(null).getCurrentStorageArray(), dims,
              VoxelSize.UNIT);
        });
  }

  @Test
  void generatedNeuronsOnAnisotropicVoxelsStayOnTheForeground() {
    qt().withFixedSeed(99L).withExamples(8)
        .forAll(longs().all(), doubles().between(0.2, 1.0), doubles().between(0.5, 3.0))
        .checkAssert((seed, vxy, vz) -> {
          long[] dims = {64, 64, 16};
          VoxelSize vs = VoxelSize.microns(vxy, vxy, vz);
          NeuronTree ref = NeuronGenerator.newBuilder().bounds(64, 64, 16).seed(seed).build()
              .generate().toPhysical(vs);
          ArrayImg<UnsignedByteType, ByteArray> img = GroundTruth.render(ref, dims, vs);
          NeuronTree t = TRACER.trace(img, vs);
          assertValidForest(t);
          assertTrue(t.size() > 0);
          assertInsideForeground(t, img.update(null).getCurrentStorageArray(), dims, vs);
        });
  }

  /** A straight tube traces to one unbranched path whose length is the tube's within 5%. */
  @Test
  void straightTubeTracesToOnePathOfItsLength() {
    qt().withFixedSeed(7L).withExamples(60)
        .forAll(longs().all(), doubles().between(40, 120), doubles().between(0.5, 4))
        .checkAssert((seed, length, radius) -> {
          SplittableRandom rnd = new SplittableRandom(seed);
          double[] dir = new double[3];
          double norm = 0;
          while (norm < 1e-3) {
            norm = 0;
            for (int d = 0; d < 3; d++) {
              dir[d] = rnd.nextGaussian();
              norm += dir[d] * dir[d];
            }
            norm = Math.sqrt(norm);
          }
          double pad = radius + 3;
          long[] dims = new long[3];
          double[] a = new double[3];
          double[] b = new double[3];
          for (int d = 0; d < 3; d++) {
            double ext = Math.abs(dir[d] / norm * length);
            dims[d] = (long) Math.ceil(ext + 2 * pad) + 1;
            double jitter = rnd.nextDouble();
            a[d] = (dir[d] >= 0 ? pad : pad + ext) + jitter;
            b[d] = a[d] + dir[d] / norm * length;
          }
          NeuronTree tube = NeuronTree.of(List.of(
              new SwcNode(1, 1, a[0], a[1], a[2], radius, -1),
              new SwcNode(2, 3, b[0], b[1], b[2], radius, 1)));
          ArrayImg<UnsignedByteType, ByteArray> img =
              GroundTruth.render(tube, dims, VoxelSize.UNIT);
          NeuronTree t = TRACER.trace(img, VoxelSize.UNIT);
          assertValidForest(t);
          assertEquals(1, t.roots().size(), "one tree");
          int ends = 0;
          for (SwcNode n : t.nodes()) {
            int degree = t.children(n.id()).size() + (n.isRoot() ? 0 : 1);
            assertTrue(degree <= 2, "no branch point: " + n + " of " + t);
            ends += degree <= 1 ? 1 : 0;
          }
          assertEquals(2, ends, "a path has two ends");
          assertEquals(length, t.pathLength(), 0.05 * length,
              "length of a tube of radius " + radius);
        });
  }
}
