package io.github.neuroseg.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.Progress;
import io.github.neuroseg.model.ModelContract;
import io.github.neuroseg.metrics.SegmentationMetrics;
import io.github.neuroseg.segmentation.Segmentation;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.training.LabeledVolume;
import io.github.neuroseg.training.SyntheticData;
import io.github.neuroseg.training.ModelTrainer;
import io.github.neuroseg.training.TrainedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DjlTrainerProviderTest {
  @TempDir Path dir;

  @Test
  void neuroSegTrainerTrainsAModelThatTheOnnxSegmenterLoads() {
    List<LabeledVolume> data = SyntheticData.render(List.of(), 4, new long[] {48, 48, 9}, 1,
        (f, e) -> {});
    List<Progress> progress = new CopyOnWriteArrayList<>();
    ModelTrainer trainer = NeuroSeg.trainer()
        .trainingData(data.subList(0, 3))
        .validationData(data.subList(3, 4))
        .embedDim(16).layers(1).heads(2).patch(8).inputDepth(3).tile(16)
        .epochs(1).stepsPerEpoch(2).batchSize(2).seed(5)
        .onProgress(progress::add)
        .build();
    assertEquals(DjlTrainerProvider.class, trainer.getClass().getEnclosingClass());
    TrainedModel m = trainer.train();

    assertEquals(1, m.bestEpoch());
    assertEquals(1, m.history().size());
    assertEquals(m.validationDice(), m.history().get(0).validationDice(), 1e-12);
    assertEquals("16", m.metadata().get("tile_w"));
    assertEquals("3", m.metadata().get("input_depth"));
    assertEquals("5", m.metadata().get("seed"));
    assertEquals(m.threshold(), Double.parseDouble(m.metadata().get("threshold")), 1e-9);
    // 2 training steps and the validation volume were reported
    assertEquals(2, progress.stream().filter(p -> p.stage().startsWith("train")).count(),
        progress.toString());

    Path file = dir.resolve("model.onnx");
    m.writeTo(file);
    try (Segmenter s = NeuroSeg.segmenter().model(m.modelSource("trained.onnx")).build()) {
      assertEquals(16, s.config().tileWidth());
      assertEquals(16, s.config().tileHeight());
      assertEquals("3", s.modelMetadata().get(ModelContract.INPUT_DEPTH));
      assertEquals("8", s.modelMetadata().get(ModelContract.PATCH));
      assertEquals(m.threshold(), s.config().threshold(), 1e-9);
      Segmentation seg = s.segment(data.get(3).image());
      assertTrue(Arrays.equals(data.get(3).image().dimensions(),
          seg.probabilities().dimensionsAsLongArray()));
      // the reported validation Dice is what segment() gives on the validation volume
      assertEquals(m.validationDice(),
          SegmentationMetrics.evaluate(s, data.subList(3, 4)).meanDice(), 1e-3);
    }
    assertTrue(Arrays.equals(m.onnx(), readAll(file)));
  }

  private static byte[] readAll(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
