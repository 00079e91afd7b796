package io.github.neuroseg.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.model.FloatTensor;
import io.github.neuroseg.testing.Fuzz;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpoint readers (safetensors, torch.save zip and legacy {@code .pth}) on mutated valid
 * checkpoints: a typed {@link io.github.neuroseg.NeuroSegException} or weights whose values
 * match their shapes, in bounded time and memory ({@link Fuzz}). Nothing in a file is executed,
 * whatever it holds.
 */
class CheckpointFuzzTest {
  static final long SEED = 20261203L;

  @TempDir Path dir;

  private static byte[] fixture(String name) throws IOException {
    return Files.readAllBytes(DinoFixturesTest.fixture(name));
  }

  /** Weights whose every tensor holds as many values as its shape says. */
  private static void checkWeights(Map<String, FloatTensor> weights) {
    for (Map.Entry<String, FloatTensor> e : weights.entrySet()) {
      long n = 1;
      for (int d : e.getValue().shape()) {
        assertTrue(d >= 0, e.getKey());
        n *= d;
      }
      assertEquals(n, e.getValue().values().length, e.getKey());
    }
  }

  @Test
  void safetensorsGiveWeightsOrAFormatException() throws IOException {
    Path small = dir.resolve("small.safetensors");
    SafeTensors.write(small, Map.of("a", FloatTensor.of(new long[] {2, 3},
        new float[] {1, 2, 3, 4, 5, 6}), "b", FloatTensor.of(new long[] {1},
        new float[] {7})), Map.of("epochs", "3", "threshold", "0.5"));
    List<byte[]> valid = List.of(Files.readAllBytes(small), fixture("timm_vit_dino.safetensors"));
    long seed = Fuzz.seed(SEED);
    Fuzz.Summary s = Fuzz.run(seed, Fuzz.examples(500), valid, false, dir, ".safetensors",
        f -> SafeTensors.read(f).tensors(), CheckpointFuzzTest::checkWeights);
    report("safetensors", seed, s);
  }

  @Test
  void pthFilesGiveWeightsOrAFormatException() throws IOException {
    List<byte[]> valid = List.of(fixture("dino_backbone.pth"), fixture("dinov2_hub.pth"),
        fixture("dino_backbone_legacy.pth"));
    long seed = Fuzz.seed(SEED + 1);
    Fuzz.Summary s = Fuzz.run(seed, Fuzz.examples(500), valid, false, dir, ".pth",
        PretrainedWeights::read, CheckpointFuzzTest::checkWeights);
    report(".pth", seed, s);
  }

  @Test
  void aCheckpointWhosePositionEmbeddingIsRenamedIsDescribedNotANullPointer() throws IOException {
    // found by this fuzzing (seed 4242): a mutation renames pos_embed
    Path f = Files.write(dir.resolve("renamed.pth"),
        Fuzz.mutate(fixture("dino_backbone.pth"), 447, false));
    PretrainedCheckpoints.Report r = PretrainedCheckpoints.inspect(f);
    assertTrue(r.text().contains("no position embedding (pos_embed)"), r.text());
  }

  private static void report(String what, long seed, Fuzz.Summary s) {
    // the fixed seed and what the cases did, in the test log
    System.out.println("fuzz " + what + " (seed " + seed + "): " + s);
    assertTrue(s.values() > 0 && s.refusals() > 0, "the mutations reach both outcomes: " + s);
  }
}
