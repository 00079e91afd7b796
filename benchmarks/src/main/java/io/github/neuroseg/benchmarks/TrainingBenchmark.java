package io.github.neuroseg.benchmarks;

import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.metrics.SegmentationMetrics;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.synth.NeuronGenerator;
import io.github.neuroseg.synth.NeuronRenderer;
import io.github.neuroseg.train.PretrainedCheckpoints;
import io.github.neuroseg.training.DataSplit;
import io.github.neuroseg.training.EpochStats;
import io.github.neuroseg.training.Inflation;
import io.github.neuroseg.training.LabeledVolume;
import io.github.neuroseg.training.SyntheticData;
import io.github.neuroseg.training.TrainedModel;
import io.github.neuroseg.training.VitArchitecture;
import io.github.neuroseg.volume.VoxelSize;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Trains small models on synthetic volumes rendered from the SWC reconstructions of a data folder
 * (fitted into the volume) plus generated neurons, and compares the test Dice of training from
 * scratch with inflating a pretrained 2D checkpoint (AVERAGE and CENTER) when one is given. Every
 * run trains through {@code NeuroSeg.trainer()} and is tested through {@code segment()} on the
 * exported model. The last line printed is
 * {@code BENCH train scratch_dice=<x> average_dice=<x|na> center_dice=<x|na> minutes=<x>}.
 *
 * <p>Options ({@code --name value}): {@code data} (folder with {@code swc/*.swc}, default {@code
 * ../shared/data}), {@code out} (default {@code target/train-synthetic}), {@code pretrained} (a
 * 2D .safetensors or .pth checkpoint), {@code heads} (attention heads of the checkpoint; default
 * E / 64), {@code epochs} (8), {@code steps} (per epoch, 40), {@code batch} (8), {@code lr}
 * (1e-3), {@code generated} (extra generated neurons, 6), {@code size} (volume {@code WxHxD},
 * {@code 96x96x24}), {@code embed} (64), {@code layers} (4), {@code scratch-heads} (4), {@code
 * patch} (8), {@code tile} (32), {@code depth} (5), {@code seed} (1), {@code patience} (4). With a
 * checkpoint the three runs use its width, blocks and patch so that they compare like with like.
 * Without one, {@code pretrain-2d N} first trains a 2D model of the scratch size on {@code N}
 * other generated neurons and uses its best checkpoint as the pretrained one (a stand-in showing
 * the 2D to 3D transfer mechanics, not natural-image knowledge).
 */
public final class TrainingBenchmark {
  private TrainingBenchmark() {}

  /**
   * Runs the benchmark.
   *
   * @param args options as {@code --name value} pairs
   */
  public static void main(String[] args) throws IOException {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --name value pairs, got " + args[i]);
      }
      o.put(args[i].substring(2), args[i + 1]);
    }
    PrintStream out = System.out;
    long start = System.nanoTime();
    Path data = Path.of(o.getOrDefault("data", "../shared/data"));
    Path outDir = Path.of(o.getOrDefault("out", "target/train-synthetic"));
    Files.createDirectories(outDir);
    long seed = Long.parseLong(o.getOrDefault("seed", "1"));
    String[] size = o.getOrDefault("size", "96x96x24").split("x");
    long[] dims = {Long.parseLong(size[0]), Long.parseLong(size[1]), Long.parseLong(size[2])};
    int generated = Integer.parseInt(o.getOrDefault("generated", "6"));
    int tile = Integer.parseInt(o.getOrDefault("tile", "32"));
    int depth = Integer.parseInt(o.getOrDefault("depth", "5"));
    @Nullable Path pretrained = o.containsKey("pretrained") ? Path.of(o.get("pretrained")) : null;

    List<LabeledVolume> volumes = volumes(data, dims, generated, seed, out);
    DataSplit split = DataSplit.of(volumes, 0.2, 0.2, seed);
    out.printf(Locale.ROOT, "data: %d volumes of %dx%dx%d (train %d, validation %d, test %d)%n",
        volumes.size(), dims[0], dims[1], dims[2], split.training().size(),
        split.validation().size(), split.test().size());

    VitArchitecture config;
    if (pretrained != null) {
      VitArchitecture probe = PretrainedCheckpoints.architecture(pretrained, 1, depth, 16, 16);
      int heads = Integer.parseInt(o.getOrDefault("heads",
          Integer.toString(Math.max(1, probe.embedDim() / 64))));
      int p = probe.patch();
      int t = Math.max(p, tile / p * p);
      config = PretrainedCheckpoints.architecture(pretrained, heads, depth, t, t);
    } else {
      config = VitArchitecture.of(Integer.parseInt(o.getOrDefault("embed", "64")),
          Integer.parseInt(o.getOrDefault("layers", "4")),
          Integer.parseInt(o.getOrDefault("scratch-heads", "4")),
          Integer.parseInt(o.getOrDefault("patch", "8")), depth, tile, tile);
    }
    out.println("model: " + config);
    if (o.containsKey("pretrain-2d")) {
      if (pretrained != null) {
        throw new IllegalArgumentException("give either --pretrained or --pretrain-2d");
      }
      pretrained = pretrain2d(config, Integer.parseInt(o.get("pretrain-2d")), dims, seed, o,
          outDir, out);
    }

    double scratch = run("scratch", config, split, null, Inflation.AVERAGE, o, outDir, out);
    String average = "na";
    String center = "na";
    if (pretrained != null) {
      average = fmt(run("average", config, split, pretrained, Inflation.AVERAGE, o, outDir, out));
      center = fmt(run("center", config, split, pretrained, Inflation.CENTER, o, outDir, out));
    }
    double minutes = (System.nanoTime() - start) / 60e9;
    out.printf(Locale.ROOT, "BENCH train scratch_dice=%s average_dice=%s center_dice=%s "
        + "minutes=%.1f%n", fmt(scratch), average, center, minutes);
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  /** One training run through the library's front door; returns the test Dice. */
  private static double run(String name, VitArchitecture config, DataSplit split,
      @Nullable Path pretrained, Inflation inflation, Map<String, String> o, Path outDir,
      PrintStream out) {
    long t0 = System.nanoTime();
    TrainedModel r = NeuroSeg.trainer()
        .architecture(config)
        .trainingData(split.training())
        .validationData(split.validation())
        .pretrained(pretrained)
        .inflation(inflation)
        .epochs(Integer.parseInt(o.getOrDefault("epochs", "8")))
        .stepsPerEpoch(Integer.parseInt(o.getOrDefault("steps", "40")))
        .batchSize(Integer.parseInt(o.getOrDefault("batch", "8")))
        .learningRate(Double.parseDouble(o.getOrDefault("lr", "1e-3")))
        .warmupSteps(20)
        .patience(Integer.parseInt(o.getOrDefault("patience", "4")))
        .seed(Long.parseLong(o.getOrDefault("seed", "1")))
        .checkpointDirectory(outDir.resolve(name))
        .onProgress(p -> {
          if (p.stage().startsWith("train") && p.done() == p.total()) {
            out.println("  " + name + ": " + p.stage() + " done");
          }
        })
        .build()
        .train();
    for (EpochStats s : r.history()) {
      out.printf(Locale.ROOT, "  %s epoch %d: loss %.4f val_dice %.4f val_hd95 %.2f "
          + "threshold %.2f%n", name, s.epoch(), s.trainLoss(), s.validationDice(),
          s.validationHd95(), s.threshold());
    }
    Path onnx = outDir.resolve(name + ".onnx");
    r.writeTo(onnx);
    List<LabeledVolume> testSet = split.test().isEmpty() ? split.validation() : split.test();
    SegmentationMetrics.Summary test;
    try (Segmenter s = NeuroSeg.segmenter().model(onnx).build()) {
      test = SegmentationMetrics.evaluate(s, testSet);
    }
    out.printf(Locale.ROOT, "run %s: best_epoch=%d val_dice=%.4f threshold=%.2f test_dice=%.4f "
        + "test_hd95=%.2f minutes=%.1f onnx=%s%n", name, r.bestEpoch(), r.validationDice(),
        r.threshold(), test.meanDice(), test.meanHd95Voxels(), (System.nanoTime() - t0) / 60e9,
        onnx);
    return test.meanDice();
  }

  /**
   * A stand-in for a natural-image checkpoint when none is at hand: a 2D model (input depth 1) of
   * the same size trained on {@code count} other generated neurons; its best checkpoint inflates
   * like a DINO one (its head is ignored).
   */
  private static Path pretrain2d(VitArchitecture config, int count, long[] dims, long seed,
      Map<String, String> o, Path outDir, PrintStream out) {
    List<LabeledVolume> pre = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long s = seed * 7919 + 100_000 + i;
      NeuronTree t = NeuronGenerator.newBuilder().bounds(dims[0], dims[1], dims[2]).seed(s)
          .build().generate();
      pre.add(LabeledVolume.of(renderer(s).render(t, dims, VoxelSize.UNIT), "pretrain-" + i));
    }
    DataSplit split = DataSplit.of(pre, 0.2, 0, seed + 1);
    out.println("pretraining a 2D model on " + count + " other generated neurons");
    run("pretrain-2d", config.withInputDepth(1), new DataSplit(split.training(),
        split.validation(), List.of()), null, Inflation.AVERAGE, o, outDir, out);
    return outDir.resolve("pretrain-2d").resolve("best.safetensors");
  }

  /** Fitted real reconstructions (unreadable files skipped) plus generated neurons, rendered. */
  static List<LabeledVolume> volumes(Path data, long[] dims, int generated, long seed,
      PrintStream out) throws IOException {
    Path swcDir = data.resolve("swc");
    List<Path> files = new ArrayList<>();
    if (Files.isDirectory(swcDir)) {
      try (Stream<Path> s = Files.list(swcDir)) {
        s.filter(p -> p.toString().endsWith(".swc")).sorted().forEach(files::add);
      }
    }
    return SyntheticData.render(files, generated, dims, seed,
        (f, e) -> out.println("skipping " + f.getFileName() + ": " + e.getMessage()));
  }

  private static NeuronRenderer renderer(long seed) {
    return NeuronRenderer.newBuilder().seed(seed).distractors(SyntheticData.DISTRACTORS).build();
  }
}
