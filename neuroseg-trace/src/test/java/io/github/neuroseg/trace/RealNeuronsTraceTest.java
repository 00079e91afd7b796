package io.github.neuroseg.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.metrics.ReconstructionMetrics;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.synth.GroundTruth;
import io.github.neuroseg.synth.TreeFitting;
import io.github.neuroseg.testing.SharedData;
import io.github.neuroseg.tracing.Tracer;
import io.github.neuroseg.volume.VoxelSize;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real reconstructions from the shared data, fitted into small volumes, rendered as exact masks
 * and traced: the trace matches the source (the full evaluation is {@code scripts/eval-trace}).
 */
class RealNeuronsTraceTest {

  @ParameterizedTest
  @ValueSource(strings = {"stacks/test.small.swc", "swc/TreeV.swc", "swc/AA0001.swc"})
  void groundTruthMaskTracesToTheSourceTree(String name) {
    NeuronTree raw = Swc.read(SharedData.require(name));
    long[] dims = {160, 160, 48};
    VoxelSize vs = VoxelSize.microns(0.5, 0.5, 1.0);
    NeuronTree ref = TreeFitting.fit(raw, dims, vs, 4);
    Tracer tracer = NeuroSeg.tracer().build();
    var mask = GroundTruth.render(ref, dims, vs);
    NeuronTree traced = tracer.trace(mask, vs);
    TracerPropertiesTest.assertValidForest(traced, mask, vs, tracer.config());
    ReconstructionMetrics.Scores s =
        ReconstructionMetrics.compare(ref.toVoxels(vs), traced.toVoxels(vs));
    assertTrue(s.f1() >= 0.9, name + ": " + s);
    assertTrue(s.pds() <= 0.1, name + ": " + s);
    assertEquals(1, traced.roots().size(), name + " is one connected neuron");
  }
}
