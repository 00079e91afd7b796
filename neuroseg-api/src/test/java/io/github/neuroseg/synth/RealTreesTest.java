package io.github.neuroseg.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.metrics.ReconstructionMetrics;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.testing.SharedData;
import io.github.neuroseg.volume.VoxelSize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real reconstructions from the shared data, fitted into small volumes and rendered. */
class RealTreesTest {

  /** Reads the seven standard SWC columns (any negative parent is a root); test use only. */
  static NeuronTree readSwc(Path file) throws IOException {
    List<SwcNode> nodes = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      String s = line.strip();
      if (s.isEmpty() || s.startsWith("#")) {
        continue;
      }
      String[] f = s.split("\\s+");
      nodes.add(new SwcNode(Long.parseLong(f[0]), Integer.parseInt(f[1]),
          Double.parseDouble(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[4]),
          Double.parseDouble(f[5]), Math.max(SwcNode.NO_PARENT, Long.parseLong(f[6]))));
    }
    return NeuronTree.of(nodes);
  }

  @ParameterizedTest
  @ValueSource(strings = {"swc/AA0001.swc", "stacks/test.small.swc", "swc/2r2soma.swc"})
  void fittedRealTreeRendersExactly(String name) throws IOException {
    NeuronTree raw = readSwc(SharedData.require(name));
    long[] dims = {64, 56, 20};
    VoxelSize vs = VoxelSize.microns(0.6, 0.6, 1.5);
    NeuronTree tree = TreeFitting.fit(raw, dims, vs, 2);
    byte[] fast = GroundTruth.render(tree, dims, vs).update(null).getCurrentStorageArray();
    byte[] brute = GroundTruthTest.bruteForce(tree, dims, vs, 1.0);
    assertArrayEquals(brute, fast, name);
    RenderedNeuron n = NeuronRenderer.newBuilder().seed(1).build().render(tree, dims, vs);
    assertTrue(GroundTruthTest.count(n.mask()) > 200, name);
    // the tree in voxel coordinates scores perfectly against itself
    NeuronTree vox = tree.toVoxels(vs);
    ReconstructionMetrics.Scores s = ReconstructionMetrics.compare(vox, vox);
    assertEquals(0, s.esa(), 1e-12, name);
    assertEquals(1, s.f1(), 0, name);
  }
}
