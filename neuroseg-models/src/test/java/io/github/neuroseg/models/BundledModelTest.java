package io.github.neuroseg.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.metrics.SegmentationMetrics;
import io.github.neuroseg.model.ModelContract;
import io.github.neuroseg.segmentation.ModelSource;
import io.github.neuroseg.segmentation.PostProcessing;
import io.github.neuroseg.segmentation.Segmentation;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.synth.NeuronGenerator;
import io.github.neuroseg.synth.NeuronRenderer;
import io.github.neuroseg.synth.RenderedNeuron;
import io.github.neuroseg.volume.VoxelSize;
import java.util.List;
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
      for (String key : new String[] {"seed", "epochs", "val_dice", "test_dice", "voxel_size",
          "inflation", "normalization", "threshold", "training_command", "training_data"}) {
        assertTrue(md.containsKey(key), "metadata has " + key + ": " + md);
      }
      // the documented split (README, "The bundled model"): OP_1-4 train, OP_5 validates,
      // OP_6 is the held-out test stack, so eval-real leaves OP_1-5 out of its means
      List<String> training = ModelContract.cases(md, ModelContract.TRAINING_CASES);
      for (String c : new String[] {"OP_1", "OP_2", "OP_3", "OP_4"}) {
        assertTrue(training.contains(c), c + " trains: " + training);
      }
      assertTrue(ModelContract.cases(md, ModelContract.VALIDATION_CASES).contains("OP_5"),
          md.get(ModelContract.VALIDATION_CASES));
      assertEquals(List.of("OP_6"), ModelContract.cases(md, ModelContract.TEST_CASES));
      assertTrue(md.get(ModelContract.TRAINING_DATA).contains("DIADEM"),
          md.get(ModelContract.TRAINING_DATA));
      assertTrue(md.get(ModelContract.TRAINING_COMMAND).contains("--pairs"),
          md.get(ModelContract.TRAINING_COMMAND));
      assertEquals("CONV", md.get(ModelContract.HEAD).toUpperCase(java.util.Locale.ROOT));
      assertEquals("percentile:0.5,99.99", md.get(ModelContract.NORMALIZATION));
      // measured when the model was trained (README): test Dice on OP_6
      assertTrue(Double.parseDouble(md.get(ModelContract.TEST_DICE)) > 0.4,
          md.get(ModelContract.TEST_DICE));
    }
  }

  @Test
  void segmentsAnUnseenRenderedNeuron() {
    // a generated neuron the model has not seen (training used generator seeds 7919 + i)
    long[] dims = {96, 96, 24};
    RenderedNeuron n = NeuronRenderer.newBuilder().seed(99).build().render(
        NeuronGenerator.newBuilder().bounds(96, 96, 24).seed(99).build().generate(), dims,
        VoxelSize.UNIT);
    try (Segmenter s = NeuroSeg.segmenter().model(NeuroSeg.bundledModel()).build()) {
      Segmentation seg = s.segment(n.image());
      double dice = SegmentationMetrics.dice(PostProcessing.DEFAULT.apply(seg), n.mask());
      // measured when the model was trained: see the README's "Bundled model" section
      assertTrue(dice > DICE_BOUND, "Dice " + dice);
    }
  }

  static final double DICE_BOUND = 0.6;
}
