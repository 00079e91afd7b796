package io.github.neuroseg.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.synth.GroundTruth;
import io.github.neuroseg.synth.NeuronGenerator;
import io.github.neuroseg.tracing.Tracer;
import io.github.neuroseg.tracing.TracerConfig;
import io.github.neuroseg.volume.VoxelSize;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** Properties of traces: valid forests inside the foreground, straight tubes give one path. */
class TracerPropertiesTest {

  private static final Tracer TRACER = NeuroSeg.tracer().build();

  /** A point given as fractions of the image extent (or a direction, for tubes). */
  record Point(double x, double y, double z) {
    double along(int d) {
      return d == 0 ? x : d == 1 ? y : z;
    }
  }

  /** A tube between two points with a radius at each end (voxels). */
  record Stick(Point a, Point b, double radiusA, double radiusB) {}

  /** Sticks and isolated noise voxels in an image of the given size. */
  record Scene(int nx, int ny, int nz, List<Stick> sticks, List<Point> noise) {
    long[] dims() {
      return new long[] {nx, ny, nz};
    }

    ArrayImg<UnsignedByteType, ByteArray> render() {
      long[] dims = dims();
      ArrayImg<UnsignedByteType, ByteArray> img = ArrayImgs.unsignedBytes(dims);
      byte[] m = img.update(null).getCurrentStorageArray();
      for (Stick s : sticks) {
        NeuronTree stick = NeuronTree.of(List.of(
            new SwcNode(1, 1, s.a().x() * nx, s.a().y() * ny, s.a().z() * nz, s.radiusA(), -1),
            new SwcNode(2, 3, s.b().x() * nx, s.b().y() * ny, s.b().z() * nz, s.radiusB(), 1)));
        byte[] part = GroundTruth.render(stick, dims, VoxelSize.UNIT)
            .update(null).getCurrentStorageArray();
        for (int i = 0; i < m.length; i++) {
          m[i] |= part[i];
        }
      }
      for (Point p : noise) {
        int x = Math.min(nx - 1, (int) (p.x() * nx));
        int y = Math.min(ny - 1, (int) (p.y() * ny));
        int z = Math.min(nz - 1, (int) (p.z() * nz));
        m[(z * ny + y) * nx + x] = 1;
      }
      return img;
    }
  }

  static Gen<Point> fractions() {
    return doubles().between(0, 1).zip(doubles().between(0, 1), doubles().between(0, 1),
        Point::new);
  }

  static Gen<Stick> sticks() {
    return fractions().zip(fractions(), doubles().between(0.5, 3.5),
        doubles().between(0.5, 2.5), Stick::new);
  }

  /** 1-6 sticks and up to about 3% noise voxels in images of 24-39 x 20-35 x 6-13 voxels. */
  static Gen<Scene> scenes() {
    return integers().between(24, 39).zip(integers().between(20, 35), integers().between(6, 13),
        lists().of(sticks()).ofSizeBetween(1, 6), lists().of(fractions()).ofSizeBetween(0, 400),
        Scene::new);
  }

  /**
   * What a trace promises beyond a valid {@link NeuronTree} (unique ids, existing parents and no
   * cycles, which {@code NeuronTree.of} checks): ids 1..n with parents first; roots are somata
   * (1), other nodes carry the neurite code; radii are at least half a voxel. Without
   * resampling: every node rounds to a foreground voxel, every tree reaches into a component of
   * at least the minimum size and no component holds nodes of two trees; without bridging every
   * such component holds exactly one root and its whole tree, and smaller ones hold nothing.
   * Without smoothing and resampling every parent-child step joins two 26-neighbouring voxels,
   * leaves a soma root within its radius and a voxel, or bridges two components across at most
   * the bridge gap of background.
   *
   * @param mask the traced 0/1 mask
   */
  static void assertValidForest(NeuronTree t, ArrayImg<UnsignedByteType, ByteArray> mask,
      VoxelSize vs, TracerConfig config) {
    long[] dims = mask.dimensionsAsLongArray();
    byte[] m = mask.update(null).getCurrentStorageArray();
    List<SwcNode> nodes = t.nodes();
    double half = 0.5 * Math.min(vs.x(), vs.y());
    for (int k = 0; k < nodes.size(); k++) {
      SwcNode n = nodes.get(k);
      assertEquals(k + 1L, n.id(), "ids 1..n in order");
      if (n.isRoot()) {
        assertEquals(1, n.structure(), "roots are somata: " + n);
      } else {
        assertTrue(n.parent() < n.id(), "parent before child: " + n);
        assertEquals(config.neuriteType(), n.structure(), "neurite code: " + n);
      }
      assertTrue(Double.isFinite(n.radius()) && n.radius() >= half - 1e-9,
          "radius at least half a voxel: " + n);
    }
    boolean resampled = config.resampleStep() > 0;
    if (resampled) {
      return; // interpolated nodes lie between voxel centres
    }
    int[] voxel = new int[nodes.size()];
    for (int k = 0; k < nodes.size(); k++) {
      SwcNode n = nodes.get(k);
      long i = Math.round(n.x() / vs.x());
      long j = Math.round(n.y() / vs.y());
      long l = Math.round(n.z() / vs.z());
      assertTrue(i >= 0 && j >= 0 && l >= 0 && i < dims[0] && j < dims[1] && l < dims[2],
          "node inside the image: " + n);
      voxel[k] = (int) ((l * dims[1] + j) * dims[0] + i);
      assertTrue(m[voxel[k]] != 0, "node on foreground: " + n);
    }
    int[] size = new int[1];
    int[] label = components(m, dims, size);
    if (config.smoothing() == 0) {
      double diagonal = Math.sqrt(vs.x() * vs.x() + vs.y() * vs.y() + vs.z() * vs.z());
      for (int k = 0; k < nodes.size(); k++) {
        SwcNode n = nodes.get(k);
        if (n.isRoot()) {
          continue;
        }
        int a = voxel[k];
        int b = voxel[(int) n.parent() - 1];
        int nx = (int) dims[0];
        int ny = (int) dims[1];
        int dx = Math.abs(a % nx - b % nx);
        int dy = Math.abs(a / nx % ny - b / nx % ny);
        int dz = Math.abs(a / (nx * ny) - b / (nx * ny));
        if (a != b && dx <= 1 && dy <= 1 && dz <= 1) {
          continue;
        }
        SwcNode p = nodes.get((int) n.parent() - 1);
        double d = Math.sqrt((n.x() - p.x()) * (n.x() - p.x()) + (n.y() - p.y()) * (n.y() - p.y())
            + (n.z() - p.z()) * (n.z() - p.z()));
        boolean fromSoma = p.isRoot() && config.somaRatio() > 0
            && d <= p.radius() + half + diagonal + 1e-9;
        boolean bridge = config.bridgeGap() > 0 && label[a] != label[b]
            && backgroundAlong(m, dims, vs, p, n) <= config.bridgeGap() + 0.5;
        assertTrue(fromSoma || bridge, "a step to a neighbouring voxel, out of a soma or across "
            + "a gap: " + p + " -> " + n);
      }
    }
    if (!config.seeds().isEmpty()) {
      return;
    }
    int[] compSize = new int[size[0]];
    for (int l : label) {
      if (l >= 0) {
        compSize[l]++;
      }
    }
    Map<Integer, Integer> rootOf = new HashMap<>();
    Map<Integer, Integer> treeOf = new HashMap<>();
    int[] treeRoot = new int[nodes.size()];
    Set<Integer> large = new HashSet<>();
    for (int k = 0; k < nodes.size(); k++) {
      SwcNode n = nodes.get(k);
      int c = label[voxel[k]];
      treeRoot[k] = n.isRoot() ? k : treeRoot[(int) n.parent() - 1];
      if (n.isRoot()) {
        assertTrue(config.bridgeGap() > 0 || compSize[c] >= config.minComponentSize(),
            "a root only in a component of at least the minimum size: " + n);
        assertTrue(rootOf.put(c, k) == null, "one root per component: " + n);
      }
      if (compSize[c] >= config.minComponentSize()) {
        large.add(treeRoot[k]);
      }
      Integer other = treeOf.putIfAbsent(c, treeRoot[k]);
      assertTrue(other == null || other == treeRoot[k], "one tree per component: " + n);
      if (config.bridgeGap() == 0) {
        assertEquals(label[voxel[treeRoot[k]]], c, "a tree within its component: " + n);
      }
    }
    for (int k = 0; k < nodes.size(); k++) {
      assertTrue(large.contains(treeRoot[k]), "every tree reaches into a component of at least "
          + "the minimum size: " + nodes.get(treeRoot[k]));
    }
    if (config.bridgeGap() == 0) {
      for (int c = 0; c < compSize.length; c++) {
        if (compSize[c] >= config.minComponentSize()) {
          assertTrue(rootOf.containsKey(c), "component " + c + " of " + compSize[c]
              + " voxels is traced");
        }
      }
    }
  }

  /**
   * The length (in-plane voxels) of background on the straight line between two nodes, sampled
   * ten times per voxel.
   */
  static double backgroundAlong(byte[] m, long[] dims, VoxelSize vs, SwcNode a, SwcNode b) {
    double[] pa = {a.x() / vs.x(), a.y() / vs.y(), a.z() / vs.z()};
    double[] pb = {b.x() / vs.x(), b.y() / vs.y(), b.z() / vs.z()};
    double longest = 0;
    for (int d = 0; d < 3; d++) {
      longest = Math.max(longest, Math.abs(pb[d] - pa[d]));
    }
    int samples = (int) Math.ceil(10 * longest);
    int background = 0;
    for (int s = 0; s < samples; s++) {
      double f = (s + 0.5) / samples;
      long i = Math.round(pa[0] + f * (pb[0] - pa[0]));
      long j = Math.round(pa[1] + f * (pb[1] - pa[1]));
      long l = Math.round(pa[2] + f * (pb[2] - pa[2]));
      if (m[(int) ((l * dims[1] + j) * dims[0] + i)] == 0) {
        background++;
      }
    }
    double len = Math.sqrt((a.x() - b.x()) * (a.x() - b.x()) + (a.y() - b.y()) * (a.y() - b.y())
        + (a.z() - b.z()) * (a.z() - b.z())) / ((vs.x() + vs.y()) / 2);
    return samples == 0 ? 0 : len * background / samples;
  }

  /** 26-connected components of a 0/1 mask, by breadth-first search; -1 on the background. */
  static int[] components(byte[] m, long[] dims, int[] count) {
    int nx = (int) dims[0];
    int ny = (int) dims[1];
    int nz = (int) dims[2];
    int[] label = new int[m.length];
    Arrays.fill(label, -1);
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    int c = 0;
    for (int s = 0; s < m.length; s++) {
      if (m[s] == 0 || label[s] >= 0) {
        continue;
      }
      label[s] = c;
      queue.add(s);
      while (!queue.isEmpty()) {
        int v = queue.poll();
        int x = v % nx;
        int y = v / nx % ny;
        int z = v / (nx * ny);
        for (int dz = -1; dz <= 1; dz++) {
          for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
              int xx = x + dx;
              int yy = y + dy;
              int zz = z + dz;
              if (xx < 0 || yy < 0 || zz < 0 || xx >= nx || yy >= ny || zz >= nz) {
                continue;
              }
              int w = (zz * ny + yy) * nx + xx;
              if (m[w] != 0 && label[w] < 0) {
                label[w] = c;
                queue.add(w);
              }
            }
          }
        }
      }
      c++;
    }
    count[0] = c;
    return label;
  }

  @Test
  void randomScenesTraceToValidForestsOnTheForeground() {
    qt().withFixedSeed(424242L).withExamples(90)
        .forAll(scenes(), integers().between(0, 5))
        .checkAssert((scene, option) -> {
          ArrayImg<UnsignedByteType, ByteArray> img = scene.render();
          Tracer tracer = switch (option) {
            case 1 -> NeuroSeg.tracer().minComponentSize(1).pruneLength(0).build();
            case 2 -> NeuroSeg.tracer().coverageRatio(0.3).sphereScale(2).build();
            case 3 -> NeuroSeg.tracer().pruneLength(2).speedContrast(0).build();
            case 4 -> NeuroSeg.tracer().smoothing(0).minComponentSize(5).build();
            case 5 -> NeuroSeg.tracer().pruneRadiusFactor(0).somaRatio(0).bridgeGap(0).build();
            default -> TRACER;
          };
          NeuronTree t = tracer.trace(img, VoxelSize.UNIT);
          assertValidForest(t, img, VoxelSize.UNIT, tracer.config());
        });
  }

  @Test
  void generatedNeuronsOnAnisotropicVoxelsStayOnTheForeground() {
    qt().withFixedSeed(99L).withExamples(8)
        .forAll(integers().between(0, 1_000_000), doubles().between(0.2, 1.0),
            doubles().between(0.5, 3.0))
        .checkAssert((seed, vxy, vz) -> {
          long[] dims = {64, 64, 16};
          VoxelSize vs = VoxelSize.microns(vxy, vxy, vz);
          NeuronTree ref = NeuronGenerator.newBuilder().bounds(64, 64, 16).seed(seed).build()
              .generate().toPhysical(vs);
          ArrayImg<UnsignedByteType, ByteArray> img = GroundTruth.render(ref, dims, vs);
          NeuronTree t = TRACER.trace(img, vs);
          assertTrue(t.size() > 0);
          assertValidForest(t, img, vs, TRACER.config());
        });
  }

  /** Directions with components in [-1, 1], not too short to normalise. */
  static Gen<Point> directions() {
    return doubles().between(-1, 1).zip(doubles().between(-1, 1), doubles().between(-1, 1),
        Point::new).assuming(p -> Math.sqrt(p.x() * p.x() + p.y() * p.y() + p.z() * p.z()) > 0.1);
  }

  /** A straight tube traces to one unbranched path whose length is the tube's within 5%. */
  @Test
  void straightTubeTracesToOnePathOfItsLength() {
    qt().withFixedSeed(7L).withExamples(60)
        .forAll(directions(), fractions(), doubles().between(40, 120), doubles().between(0.5, 4))
        .checkAssert((dir, jitter, length, radius) -> {
          double norm = Math.sqrt(dir.x() * dir.x() + dir.y() * dir.y() + dir.z() * dir.z());
          double pad = radius + 3;
          long[] dims = new long[3];
          double[] a = new double[3];
          double[] b = new double[3];
          for (int d = 0; d < 3; d++) {
            double u = dir.along(d) / norm;
            double ext = Math.abs(u * length);
            dims[d] = (long) Math.ceil(ext + 2 * pad) + 1;
            a[d] = (u >= 0 ? pad : pad + ext) + jitter.along(d);
            b[d] = a[d] + u * length;
          }
          NeuronTree tube = NeuronTree.of(List.of(
              new SwcNode(1, 1, a[0], a[1], a[2], radius, -1),
              new SwcNode(2, 3, b[0], b[1], b[2], radius, 1)));
          ArrayImg<UnsignedByteType, ByteArray> img =
              GroundTruth.render(tube, dims, VoxelSize.UNIT);
          NeuronTree t = TRACER.trace(img, VoxelSize.UNIT);
          assertValidForest(t, img, VoxelSize.UNIT, TRACER.config());
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

  /**
   * A straight tube along x, y or z, cut across by {@code slices} background slices: one tree
   * when the gap's physical length is within the bridge gap, two when it is a voxel longer.
   */
  @Test
  void cutTubeIsBridgedExactlyWhenTheGapIsShortEnough() {
    qt().withFixedSeed(31L).withExamples(60)
        .forAll(integers().between(0, 2), integers().between(1, 4), doubles().between(1, 3),
            doubles().between(1.5, 3))
        .assuming((axis, slices, step, radius) -> {
          double gap = slices * (axis == 2 ? step : 1);
          return Math.abs(gap - 6) >= 1 && Math.abs(gap - 3) >= 1;
        })
        .checkAssert((axis, slices, step, radius) -> {
          double bridgeGap = slices * (axis == 2 ? step : 1) < 4.5 ? 3 : 6;
          Tracer tracer = NeuroSeg.tracer().bridgeGap(bridgeGap).build();
          VoxelSize vs = VoxelSize.microns(1, 1, axis == 2 ? step : 1);
          int along = (int) Math.ceil(80 / vs.along(axis));
          long[] dims = new long[3];
          double[] a = new double[3];
          double[] b = new double[3];
          for (int d = 0; d < 3; d++) {
            double across = Math.ceil((radius + 3) / vs.along(d));
            dims[d] = d == axis ? along : 2 * (long) across + 1;
            a[d] = d == axis ? 5 : across * vs.along(d);
            b[d] = d == axis ? (along - 1) * vs.along(d) - 5 : a[d];
          }
          ArrayImg<UnsignedByteType, ByteArray> img =
              GroundTruth.render(App2TracerTest.tube(a, b, radius), dims, vs);
          int from = along / 2;
          ImperfectMaskTest.cut(img, axis, from, from + slices - 1);
          double gap = slices * vs.along(axis);
          NeuronTree t = tracer.trace(img, vs);
          assertValidForest(t, img, vs, tracer.config());
          assertEquals(gap <= bridgeGap ? 1 : 2, t.roots().size(),
              "gap of " + gap + " voxels, bridged up to " + bridgeGap);
        });
  }

  /** A spherical soma with 2-4 neurites traces to one soma node with the neurites on it. */
  @Test
  void blobSomaIsOneNodeWithItsNeurites() {
    qt().withFixedSeed(5L).withExamples(20)
        .forAll(doubles().between(5, 9), integers().between(2, 4), doubles().between(0, 1),
            doubles().between(1, 1.8))
        .checkAssert((somaRadius, neurites, turn, neuriteRadius) -> {
          double[] c = {45, 45, 12};
          double[][] dirs = new double[neurites][];
          for (int k = 0; k < neurites; k++) {
            double phi = 2 * Math.PI * (k + turn) / neurites;
            dirs[k] = new double[] {Math.cos(phi), Math.sin(phi), 0};
          }
          NeuronTree ref = ImperfectMaskTest.soma(c, somaRadius, dirs, 40 - somaRadius);
          long[] dims = {90, 90, 25};
          ArrayImg<UnsignedByteType, ByteArray> img = GroundTruth.render(ref, dims,
              VoxelSize.UNIT);
          NeuronTree t = TRACER.trace(img, VoxelSize.UNIT);
          assertValidForest(t, img, VoxelSize.UNIT, TRACER.config());
          assertEquals(1, t.roots().size());
          SwcNode root = t.roots().get(0);
          assertEquals(somaRadius, root.radius(), 1.5, "the soma's radius");
          for (SwcNode n : t.nodes()) {
            double d = Math.sqrt((n.x() - c[0]) * (n.x() - c[0])
                + (n.y() - c[1]) * (n.y() - c[1]) + (n.z() - c[2]) * (n.z() - c[2]));
            assertTrue(n.isRoot() || d > somaRadius - 1, "only the root inside the soma: " + n);
          }
          assertEquals(neurites, t.children(root.id()).size(), "neurites on the soma node");
          assertEquals(neurites, t.leaves().size(), "one tip per neurite");
        });
  }
}
