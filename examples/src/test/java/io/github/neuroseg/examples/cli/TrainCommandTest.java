package io.github.neuroseg.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.model.ModelContract;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.training.DataSplit;
import io.github.neuroseg.training.LabeledVolume;
import io.github.neuroseg.training.TrainerConfig;
import io.github.neuroseg.synth.NeuronGenerator;
import io.github.neuroseg.synth.NeuronRenderer;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.VoxelSize;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import net.imglib2.Cursor;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A few training steps through the command line give a model that the segmenter accepts. */
class TrainCommandTest {
  @TempDir Path dir;

  static PipelineCommandsTest.Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = NeuroSegCli.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new PipelineCommandsTest.Run(code, out.toString(), err.toString());
  }

  @Test
  void theRecordedCommandQuotesWordsTheShellWouldSplit() {
    assertEquals("--data-note", TrainCommand.shellWord("--data-note"));
    assertEquals("../shared/data/swc/a.swc,b.swc", TrainCommand.shellWord("../shared/data/swc/a.swc,b.swc"));
    assertEquals("'DIADEM (Brown et al. 2011); no licence'",
        TrainCommand.shellWord("DIADEM (Brown et al. 2011); no licence"));
    assertEquals("'it'\\''s'", TrainCommand.shellWord("it's"));
    assertEquals("''", TrainCommand.shellWord(""));
  }

  @Test
  void trainsExportsAndTheModelSegments() {
    Path model = dir.resolve("m.onnx");
    PipelineCommandsTest.Run r = cli("train", "--output", model.toString(), "--generated", "4",
        "--size", "48x48x9", "--embed", "16", "--layers", "1", "--heads", "2", "--patch", "8",
        "--tile", "16", "--depth", "3", "--epochs", "1", "--steps", "2", "--batch", "2",
        "--validation", "0.25", "--test", "0.25", "--checkpoints", dir.resolve("ck").toString());
    assertEquals(0, r.code(), r.err());
    List<String> lines = r.out().lines().toList();
    String last = lines.get(lines.size() - 1);
    assertTrue(last.matches("TRAIN val_dice=\\S+ test_dice=[0-9.]+ threshold=\\S+ epochs=1 model=.*"),
        r.out());
    assertTrue(Files.exists(dir.resolve("ck/best.safetensors")));
    try (Segmenter s = NeuroSeg.segmenter().model(model).build()) {
      Map<String, String> md = s.modelMetadata();
      assertEquals(16, s.config().tileWidth());
      assertEquals("3", md.get(ModelContract.INPUT_DEPTH));
      assertEquals("1", md.get("epochs"));
      assertEquals("1", md.get("seed"));
      assertTrue(md.get("training_command").startsWith("neuroseg train --output "),
          md.toString());
      // the held-out volume is recorded, so that benchmarks know what the model never saw
      assertEquals(1, md.get(ModelContract.TEST_CASES).split(",").length, md.toString());
    }

    // the best checkpoint exports to a model that segments exactly like the trained one
    Path exported = dir.resolve("exported.onnx");
    PipelineCommandsTest.Run e = cli("export", "--checkpoint",
        dir.resolve("ck/best.safetensors").toString(), "--output", exported.toString());
    assertEquals(0, e.code(), e.err());
    Volume v = NeuronRenderer.newBuilder().seed(5).build()
        .render(NeuronGenerator.newBuilder().bounds(40, 36, 5).seed(5).build().generate(),
            new long[] {40, 36, 5}, VoxelSize.UNIT)
        .image();
    try (Segmenter a = NeuroSeg.segmenter().model(model).build();
        Segmenter b = NeuroSeg.segmenter().model(exported).build()) {
      Cursor<FloatType> pa = Views.flatIterable(a.segment(v).probabilities()).cursor();
      Cursor<FloatType> pb = Views.flatIterable(b.segment(v).probabilities()).cursor();
      while (pa.hasNext()) {
        assertEquals(pa.next().get(), pb.next().get(), 0f);
      }
    }

    // --int8: the same model with quantised linear layers, close to it and saying what it is
    Path quantised = dir.resolve("int8.onnx");
    PipelineCommandsTest.Run q = cli("export", "--int8", "--checkpoint",
        dir.resolve("ck/best.safetensors").toString(), "--output", quantised.toString());
    assertEquals(0, q.code(), q.err());
    try (Segmenter a = NeuroSeg.segmenter().model(exported).build();
        Segmenter b = NeuroSeg.segmenter().model(quantised).build()) {
      assertEquals("int8", b.modelMetadata().get(ModelContract.PRECISION));
      assertEquals(a.modelMetadata().get(ModelContract.THRESHOLD),
          b.modelMetadata().get(ModelContract.THRESHOLD));
      Cursor<FloatType> pa = Views.flatIterable(a.segment(v).probabilities()).cursor();
      Cursor<FloatType> pb = Views.flatIterable(b.segment(v).probabilities()).cursor();
      double maxDiff = 0;
      boolean differs = false;
      while (pa.hasNext()) {
        float x = pa.next().get();
        float y = pb.next().get();
        maxDiff = Math.max(maxDiff, Math.abs(x - y));
        differs |= x != y;
      }
      assertTrue(differs && maxDiff < 0.05, "int8 vs float32 probabilities: max diff "
          + maxDiff);
    }

    PipelineCommandsTest.Run fromLast = cli("export", "--checkpoint",
        dir.resolve("ck/last.safetensors").toString(), "--output",
        dir.resolve("last.onnx").toString());
    assertEquals(1, fromLast.code());
    assertTrue(fromLast.err().contains("best.safetensors"), fromLast.err());
  }

  @Test
  void theCommandsTrainingDefaultsAreTheLibrarys() {
    CommandLine cl = new CommandLine(new NeuroSegCli());
    CommandLine.ParseResult parsed = cl.parseArgs("train", "--output", "m.onnx");
    TrainCommand cmd = (TrainCommand) parsed.subcommand().commandSpec().userObject();
    LabeledVolume v = LabeledVolume.of(NeuronRenderer.newBuilder().seed(1).build()
        .render(NeuronGenerator.newBuilder().bounds(32, 32, 4).seed(1).build().generate(),
            new long[] {32, 32, 4}, VoxelSize.UNIT), "v");
    TrainerConfig got = cmd.trainer(new DataSplit(List.of(v), List.of(v), List.of())).config();
    // the library's defaults, with what the command sets from its data options: the seed (it
    // also seeds the data split and the rendering; default 1) and the provenance
    TrainerConfig library = NeuroSeg.trainer().trainingData(List.of(v))
        .validationData(List.of(v)).seed(1).provenance(got.provenance()).config();
    assertEquals(library, got);
    assertEquals(1, got.seed());
  }

  @Test
  void noDataIsAClearError() {
    PipelineCommandsTest.Run r = cli("train", "--output", dir.resolve("m.onnx").toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("no training data"), r.err());
    assertFalse(Files.exists(dir.resolve("m.onnx")));
  }
}
