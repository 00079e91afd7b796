package io.github.neuroseg.benchmarks;

import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.Progress;
import io.github.neuroseg.training.LabeledVolume;
import io.github.neuroseg.training.SyntheticData;
import io.github.neuroseg.training.TrainerBuilder;
import io.github.neuroseg.training.VitArchitecture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Times neuroseg's training step (DJL on PyTorch's native library: block sampling, forward,
 * BCE + Dice loss, backward, AdamW update) on the bundled model's architecture, and writes that
 * architecture as JSON so that {@code benchmarks/src/main/python/train_step.py} can time the same
 * network written directly in PyTorch on the same threads; {@code scripts/bench-train} runs both
 * and prints their ratio.
 *
 * <p>Arguments: {@code <architecture.json to write> [steps] [batch]} (defaults 60 and 8). The
 * first tenth of the steps (at least 5) warm up and are not timed. The last line is {@code
 * BENCH train_step djl_blocks_s=<x> steps=<n> batch=<b>}. The PyTorch thread count is the JVM's
 * {@code ai.djl.pytorch.num_threads} (the launcher sets it).
 */
public final class TrainStepBenchmark {
  private TrainStepBenchmark() {}

  /** The bundled model's architecture: what {@code train} is timed on. */
  static final VitArchitecture ARCHITECTURE =
      new VitArchitecture(96, 4, 4, 4, 5, 32, 32, VitArchitecture.Head.CONV);

  /**
   * Runs the benchmark.
   *
   * @param args the JSON file to write, then optionally steps and batch size
   */
  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      throw new IllegalArgumentException("usage: TrainStepBenchmark <architecture.json> [steps]"
          + " [batch]");
    }
    Path json = Path.of(args[0]);
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 60;
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    int warm = Math.max(5, steps / 10);
    if (steps <= warm) {
      throw new IllegalArgumentException("steps must exceed the " + warm + " warm-up steps, got "
          + steps);
    }
    VitArchitecture a = ARCHITECTURE;
    List<LabeledVolume> data = SyntheticData.render(List.of(), 2, new long[] {96, 96, 24}, 1,
        (f, e) -> { });
    long[] start = new long[1];
    long[] end = new long[1];
    NeuroSeg.trainer().trainingData(data.subList(0, 1)).validationData(data.subList(1, 2))
        .architecture(a).epochs(1).stepsPerEpoch(steps).batchSize(batch).seed(1)
        .onProgress((Progress p) -> {
          if (p.stage().startsWith("train")) {
            if (p.done() == warm) {
              start[0] = System.nanoTime();
            } else if (p.done() == steps) {
              end[0] = System.nanoTime();
            }
          }
        })
        .build().train();
    double seconds = (end[0] - start[0]) / 1e9;
    double blocksPerSecond = (double) (steps - warm) * batch / seconds;
    StringJoiner shapes = new StringJoiner(", ", "{", "}");
    for (Map.Entry<String, int[]> e : a.weightShapes().entrySet()) {
      StringJoiner dims = new StringJoiner(", ", "[", "]");
      for (int d : e.getValue()) {
        dims.add(Integer.toString(d));
      }
      shapes.add("\"" + e.getKey() + "\": " + dims);
    }
    Files.writeString(json, String.format(Locale.ROOT, "{\"embed\": %d, \"layers\": %d, "
        + "\"heads\": %d, \"patch\": %d, \"depth\": %d, \"tile_h\": %d, \"tile_w\": %d, "
        + "\"decoder_stages\": %d, \"first_upsampling\": %d, \"batch\": %d, \"steps\": %d, "
        + "\"warmup\": %d, \"lr\": %s, \"weight_decay\": %s, \"shapes\": %s}%n", a.embedDim(),
        a.layers(), a.heads(), a.patch(), a.inputDepth(), a.tileHeight(), a.tileWidth(),
        a.decoderStages(), a.firstUpsampling(), batch, steps, warm,
        Double.toString(TrainerBuilder.DEFAULT_LEARNING_RATE),
        Double.toString(TrainerBuilder.DEFAULT_WEIGHT_DECAY), shapes),
        StandardCharsets.UTF_8);
    System.out.printf(Locale.ROOT, "neuroseg (DJL) training step, %s, batch %d, %s PyTorch "
        + "thread(s): %.1f blocks/s (%d steps timed after %d warm-up)%n", a, batch,
        System.getProperty("ai.djl.pytorch.num_threads", "default"), blocksPerSecond,
        steps - warm, warm);
    System.out.printf(Locale.ROOT, "BENCH train_step djl_blocks_s=%.2f steps=%d batch=%d%n",
        blocksPerSecond, steps - warm, batch);
  }
}
