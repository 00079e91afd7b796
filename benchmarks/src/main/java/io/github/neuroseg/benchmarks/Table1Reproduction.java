package io.github.neuroseg.benchmarks;

import io.github.neuroseg.Device;
import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.metrics.SegmentationMetrics;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.train.PretrainedCheckpoints;
import io.github.neuroseg.training.ChannelReduction;
import io.github.neuroseg.training.DataSplit;
import io.github.neuroseg.training.EpochStats;
import io.github.neuroseg.training.Inflation;
import io.github.neuroseg.training.LabeledVolume;
import io.github.neuroseg.training.PairOptions;
import io.github.neuroseg.training.TrainedModel;
import io.github.neuroseg.training.VitArchitecture;
import io.github.neuroseg.volume.Volume;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;
import org.jspecify.annotations.Nullable;

/**
 * The experiment of the paper's Table 1 in one run: five models trained through {@code
 * NeuroSeg.trainer()} on the same image/SWC pairs, split and budget, each exported and tested
 * through {@code segment()} ({@link SegmentationMetrics#evaluate}) on the held-out volumes:
 *
 * <ol>
 *   <li>2D ViT (input depth 1) from scratch;
 *   <li>2D ViT initialised from the pretrained checkpoint;
 *   <li>3D ViT (input depth 5 by default) from scratch;
 *   <li>3D ViT inflated from the checkpoint with AVERAGE;
 *   <li>3D ViT inflated with CENTER.
 * </ol>
 *
 * Every row has the checkpoint's width, blocks, heads, patch, LayerScale and registers, so that
 * they differ only in depth and initialisation. It prints the table (mean Dice, mean HD95 in
 * voxels) in the paper's layout and ends with {@code TABLE1 ...}.
 *
 * <p>Options ({@code --name value}): {@code data} (folder of image/SWC pairs), {@code pretrained}
 * (a 2D checkpoint, see {@code neuroseg checkpoint-info}), {@code part} (teacher), {@code heads}
 * (when the checkpoint does not tell them), {@code swc-units} ({@code voxels} or {@code
 * physical}; default voxels), {@code align-swc} (3), {@code validation-cases} and {@code
 * test-cases} (names, comma-separated; default a seeded 20 % / 20 % split), {@code depth} (5),
 * {@code tile} (4 patches), {@code crop} ({@code WxHxD} around each tree, default none), {@code
 * epochs} (30), {@code steps} (200), {@code batch} (8), {@code lr} (5e-4), {@code warmup} (100),
 * {@code patience} (5), {@code channel-reduction} (sum), {@code seed} (1), {@code device} (cpu
 * or cuda[:N]), {@code out} (target/reproduce-table1) and {@code cpu-smoke} ({@code true}: the
 * small CPU mode, see {@code scripts/reproduce-table1}).
 */
public final class Table1Reproduction {
  private Table1Reproduction() {}

  /** One row of the table. */
  record Row(String model, boolean pretrained, String strategy, int depth, double dice,
      double hd95) {}

  /**
   * Runs the experiment.
   *
   * @param args options as {@code --name value} pairs
   */
  public static void main(String[] args) throws IOException {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value pairs, got " + args[i]);
      }
      o.put(args[i].substring(2), args[i + 1]);
    }
    boolean smoke = Boolean.parseBoolean(o.getOrDefault("cpu-smoke", "false"));
    if (smoke) {
      // the small CPU mode: a test of the command, not a result
      o.putIfAbsent("data", "../shared/data/diadem");
      o.putIfAbsent("pretrained",
          "neuroseg-train/src/test/resources/io/github/neuroseg/train/dino/"
              + "dino_full_checkpoint.pth");
      o.putIfAbsent("validation-cases", "OP_5");
      o.putIfAbsent("test-cases", "OP_6");
      o.putIfAbsent("crop", "96x96x16");
      o.putIfAbsent("tile", "32");
      o.putIfAbsent("epochs", "5");
      o.putIfAbsent("steps", "40");
      o.putIfAbsent("batch", "8");
      o.putIfAbsent("lr", "2e-3");
      o.putIfAbsent("warmup", "10");
      o.putIfAbsent("patience", "5");
    }
    PrintStream out = System.out;
    long start = System.nanoTime();
    if (!o.containsKey("data") || !o.containsKey("pretrained")) {
      throw new IllegalArgumentException("give --data DIR (image/SWC pairs) and --pretrained "
          + "CKPT, or --cpu-smoke true");
    }
    Path data = Path.of(o.get("data"));
    Path pretrained = Path.of(o.get("pretrained"));
    Path outDir = Path.of(o.getOrDefault("out", "target/reproduce-table1"));
    Files.createDirectories(outDir);
    long seed = Long.parseLong(o.getOrDefault("seed", "1"));
    Device device = Device.parse(o.getOrDefault("device", "cpu"));
    String part = o.getOrDefault("part", "teacher");

    PretrainedCheckpoints.Report report = PretrainedCheckpoints.inspect(pretrained, part);
    out.print(report.text());
    int depth = Integer.parseInt(o.getOrDefault("depth", "5"));
    int tile = Integer.parseInt(o.getOrDefault("tile", Integer.toString(4 * report.patch())));
    VitArchitecture a3 = o.containsKey("heads")
        ? report.architecture(Integer.parseInt(o.get("heads")), depth, tile, tile)
        : report.architecture(depth, tile, tile);
    VitArchitecture a2 = a3.withInputDepth(1);

    List<LabeledVolume> volumes = LabeledVolume.readPairs(data, new PairOptions(
        !o.getOrDefault("swc-units", "voxels").equals("physical"),
        Double.parseDouble(o.getOrDefault("align-swc", "3"))));
    if (o.containsKey("crop")) {
      long[] crop = Arrays.stream(o.get("crop").split("x")).mapToLong(Long::parseLong).toArray();
      List<LabeledVolume> cropped = new ArrayList<>();
      for (LabeledVolume v : volumes) {
        cropped.add(crop(v, crop));
      }
      volumes = cropped;
    }
    DataSplit split = o.containsKey("validation-cases") || o.containsKey("test-cases")
        ? DataSplit.byName(volumes, names(o.get("validation-cases")), names(o.get("test-cases")))
        : DataSplit.of(volumes, 0.2, 0.2, seed);
    List<LabeledVolume> test = split.test().isEmpty() ? split.validation() : split.test();
    out.printf(Locale.ROOT, "data: %s, %d volumes: training %s, validation %s, test %s%n", data,
        volumes.size(), names(split.training()), names(split.validation()), names(test));
    out.println("models: 2D " + a2 + ", 3D " + a3 + "; device " + device);
    if (smoke) {
      out.println("CPU MODE: a test of the command, not a result: a tiny network with the "
          + "random weights of a generated checkpoint (" + pretrained.getFileName() + "), "
          + "volumes cropped to " + o.get("crop") + ", " + o.get("epochs") + " epochs of "
          + o.get("steps") + " steps");
    }

    List<Row> rows = new ArrayList<>();
    rows.add(run("2d-scratch", "2D ViT", a2, null, Inflation.AVERAGE, split, test, o, part,
        device, outDir, out));
    rows.add(run("2d-pretrained", "2D ViT", a2, pretrained, Inflation.AVERAGE, split, test, o,
        part, device, outDir, out));
    rows.add(run("3d-scratch", "3D ViT", a3, null, Inflation.AVERAGE, split, test, o, part,
        device, outDir, out));
    rows.add(run("3d-average", "3D ViT", a3, pretrained, Inflation.AVERAGE, split, test, o,
        part, device, outDir, out));
    rows.add(run("3d-center", "3D ViT", a3, pretrained, Inflation.CENTER, split, test, o, part,
        device, outDir, out));
    out.println();
    out.print(table(rows, smoke));
    StringBuilder line = new StringBuilder("TABLE1");
    for (Row r : rows) {
      String key = (r.model().startsWith("2D") ? "2d" : "3d") + "_"
          + (r.pretrained() ? r.strategy().equals("/") ? "pretrained" : r.strategy()
              .toLowerCase(Locale.ROOT) : "scratch");
      line.append(String.format(Locale.ROOT, " %s_dice=%.4f %s_hd95=%.3f", key, r.dice(), key,
          r.hd95()));
    }
    line.append(String.format(Locale.ROOT, " minutes=%.1f", (System.nanoTime() - start) / 60e9));
    out.println(line);
  }

  /** The table in the paper's layout (markdown). */
  static String table(List<Row> rows, boolean smoke) {
    StringBuilder b = new StringBuilder();
    b.append("Table 1: Neuron Segmentation Performance").append(smoke
        ? " (CPU MODE: a test of the command, not a result)" : "").append('\n');
    b.append("| Model  | Pre-trained Weights | Transferring Strategy | Input Depth "
        + "| Mean Dice (up) | Mean HD95 (down) |\n");
    b.append("|--------|---------------------|-----------------------|-------------"
        + "|----------------|------------------|\n");
    String last = "";
    for (Row r : rows) {
      b.append(String.format(Locale.ROOT, "| %-6s | %-19s | %-21s | %-11d | %-14.4f | %-16.3f |%n",
          r.model().equals(last) ? "" : r.model(), r.pretrained() ? "yes" : "/", r.strategy(),
          r.depth(), r.dice(), r.hd95()));
      last = r.model();
    }
    return b.toString();
  }

  private static Row run(String name, String model, VitArchitecture a, @Nullable Path pretrained,
      Inflation inflation, DataSplit split, List<LabeledVolume> test, Map<String, String> o,
      String part, Device device, Path outDir, PrintStream out) {
    long t0 = System.nanoTime();
    TrainedModel r = NeuroSeg.trainer()
        .architecture(a)
        .trainingData(split.training())
        .validationData(split.validation())
        .pretrained(pretrained)
        .pretrainedPart(part)
        .inflation(inflation)
        .channelReduction(ChannelReduction.valueOf(
            o.getOrDefault("channel-reduction", "sum").toUpperCase(Locale.ROOT)))
        .epochs(Integer.parseInt(o.getOrDefault("epochs", "30")))
        .stepsPerEpoch(Integer.parseInt(o.getOrDefault("steps", "200")))
        .batchSize(Integer.parseInt(o.getOrDefault("batch", "8")))
        .learningRate(Double.parseDouble(o.getOrDefault("lr", "5e-4")))
        .warmupSteps(Integer.parseInt(o.getOrDefault("warmup", "100")))
        .patience(Integer.parseInt(o.getOrDefault("patience", "5")))
        .seed(Long.parseLong(o.getOrDefault("seed", "1")))
        .device(device)
        .checkpointDirectory(outDir.resolve(name))
        .provenance(Map.of("test_cases", String.join(",", names(test))))
        .build()
        .train();
    for (EpochStats s : r.history()) {
      out.printf(Locale.ROOT, "  %s epoch %d: loss %.4f val_dice %.4f val_hd95 %.2f%n", name,
          s.epoch(), s.trainLoss(), s.validationDice(), s.validationHd95());
    }
    Path onnx = outDir.resolve(name + ".onnx");
    r.writeTo(onnx);
    SegmentationMetrics.Summary s;
    try (Segmenter seg = NeuroSeg.segmenter().model(onnx).device(device).build()) {
      s = SegmentationMetrics.evaluate(seg, test);
    }
    out.printf(Locale.ROOT, "run %s: best_epoch=%d val_dice=%.4f test_dice=%.4f "
        + "test_hd95=%.3f minutes=%.1f onnx=%s%n", name, r.bestEpoch(), r.validationDice(),
        s.meanDice(), s.meanHd95Voxels(), (System.nanoTime() - t0) / 60e9, onnx);
    String strategy = pretrained == null || a.inputDepth() == 1 ? "/"
        : inflation == Inflation.AVERAGE ? "Average" : "Center";
    return new Row(model, pretrained != null, strategy, a.inputDepth(), s.meanDice(),
        s.meanHd95Voxels());
  }

  /**
   * A {@code W x H x D} box of a labelled volume centred on the foreground voxel of its ground
   * truth nearest the foreground's centroid (clamped to the volume; smaller volumes are kept
   * whole along that axis).
   */
  static LabeledVolume crop(LabeledVolume v, long[] size) {
    long[] dims = v.image().dimensions();
    double[] sum = new double[3];
    long count = 0;
    Cursor<? extends RealType<?>> c = Views.flatIterable(v.mask()).localizingCursor();
    while (c.hasNext()) {
      if (c.next().getRealDouble() != 0) {
        for (int d = 0; d < 3; d++) {
          sum[d] += c.getLongPosition(d);
        }
        count++;
      }
    }
    // the foreground voxel nearest the centroid (a branched tree's centroid may lie in the
    // background, and a box around it hold no neurite)
    long[] centre = {dims[0] / 2, dims[1] / 2, dims[2] / 2};
    double best = Double.POSITIVE_INFINITY;
    c.reset();
    while (count > 0 && c.hasNext()) {
      if (c.next().getRealDouble() != 0) {
        double dist = 0;
        for (int d = 0; d < 3; d++) {
          double t = c.getLongPosition(d) - sum[d] / count;
          dist += t * t;
        }
        if (dist < best) {
          best = dist;
          c.localize(centre);
        }
      }
    }
    long[] min = new long[3];
    long[] max = new long[3];
    for (int d = 0; d < 3; d++) {
      long s = Math.min(size[d], dims[d]);
      min[d] = Math.max(0, Math.min(dims[d] - s, centre[d] - s / 2));
      max[d] = min[d] + s - 1;
    }
    RandomAccessibleInterval<? extends RealType<?>> image =
        Views.zeroMin(Views.interval(v.image().image(), min, max));
    RandomAccessibleInterval<? extends RealType<?>> mask =
        Views.zeroMin(Views.interval(v.mask(), min, max));
    Volume cropped = new Volume(image, v.image().voxelSize(), v.name(), v.image().metadata());
    return new LabeledVolume(cropped, mask, v.name());
  }

  private static List<String> names(@Nullable String csv) {
    return csv == null || csv.isBlank() ? List.of()
        : Arrays.stream(csv.split(",")).map(String::strip).toList();
  }

  private static List<String> names(List<LabeledVolume> vs) {
    return vs.stream().map(LabeledVolume::name).toList();
  }
}
