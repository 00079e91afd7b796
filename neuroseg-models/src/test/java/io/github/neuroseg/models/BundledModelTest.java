package io.github.neuroseg.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.metrics.SegmentationMetrics;
import io.github.neuroseg.model.ModelContract;
import io.github.neuroseg.segmentation.ModelSource;
import io.github.neuroseg.segmentation.Segmentation;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.synth.NeuronGenerator;
import io.github.neuroseg.synth.NeuronRenderer;
import io.github.neuroseg.synth.RenderedNeuron;
import io.github.neuroseg.volume.VoxelSize;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shipped model: its contract, its provenance, and that it still segments neurons. */
class BundledModelTest {

  @Test
  void isSmallCarriesItsProvenanceAndMeetsTheContract() {
    ModelSource.Bytes model = (ModelSource.Bytes) NeuroSeg.bundledModel();
    assertTrue(model.content().length < 30 << 20, "under 30 MB: " + model.content().length);
    try (Segmenter s = NeuroSeg.segmenter().model(model).build()) {
      Map<String, String> md = s.modelMetadata();
      assertEquals("5", md.get(ModelContract.INPUT_DEPTH));
      for (String key : new String[] {"seed", "epochs", "val_dice", "voxel_size", "inflation",
          "normalization", "threshold", "training_command"}) {
        assertTrue(md.containsKey(key), "metadata has " + key + ": " + md);
      }
      assertTrue(Double.parseDouble(md.get("val_dice")) > 0.7, md.get("val_dice"));
    }
  }

  @Test
  void segmentsAnUnseenRenderedNeuron() {
    // a neuron the model has not seen (training used generator seeds 7919 + i)
    long[] dims = {96, 96, 24};
    RenderedNeuron n = NeuronRenderer.newBuilder().seed(99).build().render(
        NeuronGenerator.newBuilder().bounds(96, 96, 24).seed(99).build().generate(), dims,
        VoxelSize.UNIT);
    try (Segmenter s = NeuroSeg.segmenter().model(NeuroSeg.bundledModel()).build()) {
      Segmentation seg = s.segment(n.image());
      double dice = SegmentationMetrics.dice(seg.mask(), n.mask());
      // measured when the model was trained: see the README's "Bundled model" section
      assertTrue(dice > 0.6, "Dice " + dice);
    }
  }
}
