package io.github.neuroseg.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.MissingImplementationException;
import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.ProgressListener;
import io.github.neuroseg.segmentation.ModelSource;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.synth.NeuronGenerator;
import io.github.neuroseg.synth.NeuronRenderer;
import io.github.neuroseg.volume.VoxelSize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import net.imglib2.img.array.ArrayImgs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerBuilderTest {
  private static final long SEED = 0x7a11L;
  private static final LabeledVolume VOLUME = synthetic(3);

  @TempDir Path dir;

  static LabeledVolume synthetic(long seed) {
    NeuronTree tree = NeuronGenerator.newBuilder().bounds(24, 24, 5).seed(seed).build()
        .generate();
    return LabeledVolume.of(NeuronRenderer.newBuilder().seed(seed).build()
        .render(tree, new long[] {24, 24, 5}, VoxelSize.UNIT), "synthetic-" + seed);
  }

  private static TrainerBuilder valid() {
    return NeuroSeg.trainer().trainingData(List.of(VOLUME)).validationData(List.of(VOLUME));
  }

  private static String invalid(UnaryOperator<TrainerBuilder> change) {
    TrainerBuilder b = change.apply(valid());
    return assertThrows(InvalidInputException.class, b::config).getMessage();
  }

  @Test
  void withoutAnImplementationBuildNamesTheArtifact() {
    MissingImplementationException e =
        assertThrows(MissingImplementationException.class, () -> valid().build());
    assertTrue(e.getMessage().contains("io.github.neuroseg:neuroseg-train"), e.getMessage());
    assertTrue(e.getMessage().contains("TrainerProvider"), e.getMessage());
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    TrainerConfig c = valid().config();
    assertEquals(64, c.architecture().embedDim());
    assertEquals(4, c.architecture().layers());
    assertEquals(4, c.architecture().heads());
    assertEquals(8, c.architecture().patch());
    assertEquals(5, c.architecture().inputDepth());
    assertEquals(32, c.architecture().tileHeight());
    assertEquals(32, c.architecture().tileWidth());
    assertNull(c.pretrained());
    assertEquals(Inflation.AVERAGE, c.inflation());
    assertEquals(1.0, c.pretrainedLearningRateScale());
    assertEquals(20, c.epochs());
    assertEquals(100, c.stepsPerEpoch());
    assertEquals(8, c.batchSize());
    assertEquals(5e-4, c.learningRate());
    assertEquals(50, c.warmupSteps());
    assertEquals(0.05, c.weightDecay());
    assertEquals(0.01, c.minForegroundRatio());
    assertTrue(c.augment());
    assertEquals(5, c.patience());
    assertEquals(0, c.seed());
    assertNull(c.checkpointDirectory());
    assertFalse(c.resume());
    assertEquals(ProgressListener.NONE, c.progress());
    assertEquals(1.0, c.layerDecay());
    assertEquals(1.0, c.gainRange());
    assertEquals(io.github.neuroseg.volume.Normalization.percentile(0.5, 99.5),
        c.normalization());
    assertEquals(0.0, c.hardNegativeFraction());
    assertEquals(Map.of(), c.provenance());
    assertEquals(VitArchitecture.DEFAULT, c.architecture());
  }

  @Test
  void settersReachTheConfiguration() {
    ProgressListener l = p -> {};
    TrainerConfig c = valid().embedDim(96).layers(2).heads(3).patch(4).inputDepth(3)
        .tile(16, 24).pretrained(dir.resolve("w.pth")).inflation(Inflation.CENTER)
        .pretrainedLearningRateScale(0.1).epochs(3).stepsPerEpoch(7).batchSize(2)
        .learningRate(1e-3).warmupSteps(0).weightDecay(0).minForegroundRatio(0.5)
        .augment(false).patience(2).seed(42).checkpointDirectory(dir).resume(true)
        .layerDecay(0.75).provenance(Map.of("training_command", "x"))
        .onProgress(l).config();
    assertEquals(0.75, c.layerDecay());
    assertEquals(io.github.neuroseg.volume.Normalization.percentile(0.5, 99.99),
        valid().normalization(io.github.neuroseg.volume.Normalization.percentile(0.5, 99.99))
            .config().normalization());
    assertEquals(Map.of("training_command", "x"), c.provenance());
    VitArchitecture a = c.architecture();
    assertEquals(List.of(96, 2, 3, 4, 3, 24, 16), List.of(a.embedDim(), a.layers(), a.heads(),
        a.patch(), a.inputDepth(), a.tileHeight(), a.tileWidth()));
    assertEquals(dir.resolve("w.pth"), c.pretrained());
    assertEquals(Inflation.CENTER, c.inflation());
    assertEquals(0.1, c.pretrainedLearningRateScale());
    assertEquals(List.of(3, 7, 2, 0, 2), List.of(c.epochs(), c.stepsPerEpoch(), c.batchSize(),
        c.warmupSteps(), c.patience()));
    assertEquals(1e-3, c.learningRate());
    assertEquals(0.0, c.weightDecay());
    assertEquals(0.5, c.minForegroundRatio());
    assertFalse(c.augment());
    assertEquals(42, c.seed());
    assertEquals(dir, c.checkpointDirectory());
    assertTrue(c.resume());
    assertEquals(l, c.progress());
    assertEquals(32, valid().tile(32).config().architecture().tileHeight());
  }

  @Test
  void invalidSettingsAreNamedWithTheGivenValue() {
    assertEquals("the training data set is empty; give at least one labelled volume with "
        + "trainingData(...)", invalid(b -> b.trainingData(List.of())));
    assertEquals("the validation data set is empty; give at least one labelled volume with "
        + "validationData(...)", invalid(b -> b.validationData(List.of())));
    assertEquals("input depth must be odd so that the block has a centre slice, got 4",
        invalid(b -> b.inputDepth(4)));
    assertEquals("tile 20 x 16 (width x height) must be a multiple of the patch size 8",
        invalid(b -> b.tile(20, 16)));
    assertEquals("embedding width 30 must be divisible by the heads 4",
        invalid(b -> b.embedDim(30)));
    assertEquals("layers must be > 0, got 0", invalid(b -> b.layers(0)));
    assertEquals("epochs must be > 0, got -1", invalid(b -> b.epochs(-1)));
    assertEquals("steps per epoch must be > 0, got 0", invalid(b -> b.stepsPerEpoch(0)));
    assertEquals("batch size must be > 0, got 0", invalid(b -> b.batchSize(0)));
    assertEquals("patience must be > 0, got 0", invalid(b -> b.patience(0)));
    assertEquals("learning rate must be finite and > 0, got 0.0", invalid(b -> b.learningRate(0)));
    assertEquals("learning rate must be finite and > 0, got NaN",
        invalid(b -> b.learningRate(Double.NaN)));
    assertEquals("warm-up steps must be >= 0, got -1", invalid(b -> b.warmupSteps(-1)));
    assertEquals("weight decay must be finite and >= 0, got Infinity",
        invalid(b -> b.weightDecay(Double.POSITIVE_INFINITY)));
    assertEquals("minimum foreground ratio must be in [0, 1], got 1.5",
        invalid(b -> b.minForegroundRatio(1.5)));
    assertEquals("pretrained learning-rate scale must be in [0, 1], got -0.1",
        invalid(b -> b.pretrainedLearningRateScale(-0.1)));
    assertEquals("layer decay must be in (0, 1], got 0.0", invalid(b -> b.layerDecay(0)));
    assertEquals("gain range must be finite and >= 1, got 0.5", invalid(b -> b.gainRange(0.5)));
    assertEquals("hard negative fraction must be in [0, 1], got -0.5",
        invalid(b -> b.hardNegativeFraction(-0.5)));
    assertEquals("resume needs a checkpoint directory to resume from; set "
        + "checkpointDirectory(...)", invalid(b -> b.resume(true)));
  }

  @Test
  void networkSizesAreAcceptedExactlyWhenConsistent() {
    // independent statement of the rules: all positive, odd depth, tile multiple of the patch,
    // width divisible by the heads
    qt().withFixedSeed(SEED).withExamples(400)
        .forAll(integers().between(-2, 48), integers().between(-1, 6),
            integers().between(-1, 9), integers().between(-1, 40))
        .checkAssert((embed, heads, patch, tile) -> {
          for (int depth : new int[] {1, 2, 3}) {
            boolean ok = embed > 0 && heads > 0 && patch > 0 && tile > 0 && depth % 2 == 1
                && tile % patch == 0 && embed % heads == 0;
            TrainerBuilder b = valid().embedDim(embed).heads(heads).patch(patch).tile(tile)
                .inputDepth(depth);
            if (ok) {
              assertEquals(tile, b.config().architecture().tileWidth());
            } else {
              assertThrows(InvalidInputException.class, b::config);
            }
          }
        });
  }

  @Test
  void settingsAreCheckedWithoutData() {
    assertEquals("learning rate must be finite and > 0, got -1.0", assertThrows(
        InvalidInputException.class, () -> NeuroSeg.trainer().learningRate(-1).checkSettings())
        .getMessage());
    TrainerBuilder ok = NeuroSeg.trainer().epochs(3).learningRate(1e-3);
    assertEquals(ok, ok.checkSettings());
    // the data is still required by config()
    assertTrue(assertThrows(InvalidInputException.class, ok::config).getMessage()
        .startsWith("the training data set is empty"));
  }

  @Test
  void labeledVolumeRejectsAMaskOfAnotherSize() {
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> new LabeledVolume(VOLUME.image(), ArrayImgs.unsignedBytes(24, 24, 4), "v"));
    assertEquals("mask size [24, 24, 4] differs from the image size [24, 24, 5] of v",
        e.getMessage());
  }

  @Test
  void trainedModelCopiesItsBytesAndWritesThemAtomically() throws Exception {
    byte[] bytes = {1, 2, 3, 4};
    TrainedModel m =
        new TrainedModel(bytes, 0.7, 2.5, 0.45, 3, List.of(), Map.of("threshold", "0.45"));
    bytes[0] = 9;
    assertArrayEquals(new byte[] {1, 2, 3, 4}, m.onnx());
    m.onnx()[1] = 9;
    assertArrayEquals(new byte[] {1, 2, 3, 4}, m.onnx());
    Path file = dir.resolve("sub/model.onnx");
    Files.writeString(dir.resolve("old.onnx"), "old");
    m.writeTo(file);
    m.writeTo(dir.resolve("old.onnx"));
    assertArrayEquals(new byte[] {1, 2, 3, 4}, Files.readAllBytes(file));
    assertArrayEquals(new byte[] {1, 2, 3, 4}, Files.readAllBytes(dir.resolve("old.onnx")));
    try (var files = Files.list(dir.resolve("sub"))) {
      assertEquals(List.of(file), files.toList());
    }
    ModelSource.Bytes src = (ModelSource.Bytes) m.modelSource("m.onnx");
    assertArrayEquals(new byte[] {1, 2, 3, 4}, src.content());
    assertEquals(Map.of("threshold", "0.45"), m.metadata());
    assertEquals("threshold must be in [0, 1], got 1.5", assertThrows(
        InvalidInputException.class,
        () -> new TrainedModel(new byte[] {1}, 0.7, 2.5, 1.5, 3, List.of(), Map.of()))
        .getMessage());
    assertEquals("best epoch must be >= 1, got 0", assertThrows(InvalidInputException.class,
        () -> new TrainedModel(new byte[] {1}, 0.7, 2.5, 0.5, 0, List.of(), Map.of()))
        .getMessage());
    assertThrows(InvalidInputException.class,
        () -> new TrainedModel(new byte[0], 0.7, 2.5, 0.5, 1, List.of(), Map.of()));
  }
}
