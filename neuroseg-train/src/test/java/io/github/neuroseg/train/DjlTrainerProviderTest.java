package io.github.neuroseg.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.Progress;
import io.github.neuroseg.onnx.ModelContract;
import io.github.neuroseg.onnx.OnnxSegmenter;
import io.github.neuroseg.segmentation.Segmentation;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.training.LabeledVolume;
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
    assertTrue(m.validationDice() >= 0 && m.validationDice() <= 1, m.toString());
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
      OnnxSegmenter onnx = assertInstanceOf(OnnxSegmenter.class, s);
      ModelContract c = onnx.contract();
      assertEquals(16, c.tileWidth());
      assertEquals(16, c.tileHeight());
      assertEquals(3, c.inputDepth());
      assertEquals(8, c.patch());
      assertEquals(m.threshold(), c.threshold(), 1e-9);
      Segmentation seg = s.segment(data.get(3).image());
      assertTrue(Arrays.equals(data.get(3).image().dimensions(),
          seg.probabilities().dimensionsAsLongArray()));
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
