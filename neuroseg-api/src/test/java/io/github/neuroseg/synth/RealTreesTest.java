package io.github.neuroseg.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.metrics.ReconstructionMetrics;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.testing.SharedData;
import io.github.neuroseg.volume.VoxelSize;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real reconstructions from the shared data, fitted into small volumes and rendered. */
class RealTreesTest {

  @ParameterizedTest
  @ValueSource(strings = {"swc/AA0001.swc", "stacks/test.small.swc", "swc/OP_1-gs.swc"})
  void fittedRealTreeRendersExactly(String name) {
    NeuronTree raw = Swc.read(SharedData.require(name));
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
