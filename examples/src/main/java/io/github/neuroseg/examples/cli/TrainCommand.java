package io.github.neuroseg.examples.cli;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.NeuroSegIOException;
import io.github.neuroseg.metrics.SegmentationMetrics;
import io.github.neuroseg.train.DataSplit;
import io.github.neuroseg.train.Evaluation;
import io.github.neuroseg.training.LabeledVolume;
import io.github.neuroseg.train.OnnxExport;
import io.github.neuroseg.train.SyntheticData;
import io.github.neuroseg.train.Trainer;
import io.github.neuroseg.train.TrainingResult;
import io.github.neuroseg.train.VitConfig;
import io.github.neuroseg.train.VitModel;
import io.github.neuroseg.training.Inflation;
import io.github.neuroseg.volume.Volumes;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Trains a 3D ViT and exports it as an ONNX model in neuroseg's format. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Train a 3D ViT on labelled volumes and export it to ONNX (CPU, PyTorch through DJL,"
          + " offline).",
      "Data: --pairs DIR (each image.tif with an image.swc of the same name, SWC coordinates in"
          + " the image's physical units) and/or --synthetic DIR (every *.swc rendered into a"
          + " synthetic volume) plus --generated N generated neurons.",
      "The data is split into training, validation and test by --seed; the last line is"
          + " TRAIN val_dice=<x> test_dice=<x|na> threshold=<x> epochs=<n> model=<file>."
    })
final class TrainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--output", required = true, description = "the ONNX model to write")
  Path output;

  @Option(names = "--pairs", description = "folder of image + SWC pairs")
  @Nullable Path pairs;

  @Option(names = "--synthetic", description = "folder of SWC files to render")
  @Nullable Path synthetic;

  @Option(names = "--generated", defaultValue = "0",
      description = "generated neurons to render (default ${DEFAULT-VALUE})")
  int generated;

  @Option(names = "--size", defaultValue = "96x96x24",
      description = "size of rendered volumes WxHxD (default ${DEFAULT-VALUE})")
  String size;

  @Option(names = "--embed", defaultValue = "64", description = "embedding width (default 64)")
  int embed;

  @Option(names = "--layers", defaultValue = "4", description = "transformer blocks (default 4)")
  int layers;

  @Option(names = "--heads", defaultValue = "4", description = "attention heads (default 4)")
  int heads;

  @Option(names = "--patch", defaultValue = "8", description = "patch size (default 8)")
  int patch;

  @Option(names = "--tile", defaultValue = "32", description = "square tile size (default 32)")
  int tile;

  @Option(names = "--depth", defaultValue = "5", description = "slices per block, odd (default 5)")
  int depth;

  @Option(names = "--pretrained",
      description = "2D checkpoint (.safetensors or .pth, DINO/timm names) to inflate; --embed,"
          + " --layers, --heads and --patch must match it (a mismatch names the tensor)")
  @Nullable Path pretrained;

  @Option(names = "--inflation", defaultValue = "AVERAGE",
      description = "AVERAGE or CENTER (default ${DEFAULT-VALUE})")
  Inflation inflation;

  @Option(names = "--epochs", defaultValue = "8", description = "epochs (default 8)")
  int epochs;

  @Option(names = "--steps", defaultValue = "40", description = "steps per epoch (default 40)")
  int steps;

  @Option(names = "--batch", defaultValue = "8", description = "blocks per step (default 8)")
  int batch;

  @Option(names = "--lr", defaultValue = "1e-3", description = "peak learning rate (default 1e-3)")
  double lr;

  @Option(names = "--patience", defaultValue = "4",
      description = "stop after this many epochs without improvement (default 4)")
  int patience;

  @Option(names = "--validation", defaultValue = "0.2",
      description = "fraction of volumes for validation (default 0.2)")
  double validation;

  @Option(names = "--test", defaultValue = "0.2",
      description = "fraction of volumes held out for the test Dice (default 0.2)")
  double test;

  @Option(names = "--checkpoints",
      description = "folder for best/last checkpoints (resumable with --resume)")
  @Nullable Path checkpoints;

  @Option(names = "--resume", description = "continue from the last checkpoint in --checkpoints")
  boolean resume;

  @Option(names = "--seed", defaultValue = "1", description = "random seed (default 1)")
  long seed;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (resume && checkpoints == null) {
      throw new InvalidInputException("--resume needs --checkpoints DIR");
    }
    List<LabeledVolume> volumes = new ArrayList<>();
    if (pairs != null) {
      volumes.addAll(readPairs(pairs));
    }
    if (synthetic != null || generated > 0) {
      List<Path> swcs = synthetic == null ? List.of() : list(synthetic, ".swc");
      volumes.addAll(SyntheticData.render(swcs, generated, RenderCommand.parseDims(size, 3,
          "size"), seed, (f, e) -> err.println("skipping " + f + ": " + e.getMessage())));
    }
    if (volumes.isEmpty()) {
      throw new InvalidInputException(
          "no training data: give --pairs DIR, --synthetic DIR or --generated N");
    }
    DataSplit split = DataSplit.of(volumes, validation, test, seed);
    out.printf(Locale.ROOT, "data: %d volumes (training %d, validation %d, test %d)%n",
        volumes.size(), split.training().size(), split.validation().size(), split.test().size());
    VitConfig config = new VitConfig(embed, layers, heads, patch, depth, tile, tile);
    ConsoleProgress progress = new ConsoleProgress(err);
    TrainingResult r = Trainer.newBuilder()
        .model(config)
        .trainingData(split.training())
        .validationData(split.validation())
        .pretrained(pretrained)
        .inflation(inflation)
        .epochs(epochs)
        .stepsPerEpoch(steps)
        .batchSize(batch)
        .learningRate(lr)
        .patience(patience)
        .seed(seed)
        .checkpointDirectory(checkpoints)
        .resume(resume)
        .listener(progress)
        .build()
        .train();
    // the model records how it was made: the provenance of training plus this command line
    Map<String, String> metadata = new LinkedHashMap<>(r.provenance());
    metadata.put("training_command",
        "neuroseg " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
    OnnxExport.write(r.config(), r.weights(), metadata, output);
    String testDice = "na";
    if (!split.test().isEmpty()) {
      try (VitModel m = r.toModel()) {
        SegmentationMetrics.Summary s = Evaluation.evaluate(m, split.test(), r.threshold());
        testDice = String.format(Locale.ROOT, "%.4f", s.meanDice());
      }
    }
    out.printf(Locale.ROOT, "TRAIN val_dice=%.4f test_dice=%s threshold=%.2f epochs=%d"
        + " model=%s%n", r.validationDice(), testDice, r.threshold(), r.bestEpoch(), output);
    return 0;
  }

  private static List<LabeledVolume> readPairs(Path dir) {
    List<LabeledVolume> v = new ArrayList<>();
    for (Path swc : list(dir, ".swc")) {
      String base = swc.getFileName().toString().replaceFirst("\\.swc$", "");
      Path image = Stream.of(".tif", ".tiff", ".v3draw")
          .map(ext -> swc.resolveSibling(base + ext))
          .filter(Files::isRegularFile)
          .findFirst()
          .orElseThrow(() -> new InvalidInputException("no image for " + swc
              + ": expected " + base + ".tif, .tiff or .v3draw beside it"));
      v.add(LabeledVolume.of(Volumes.read(image), swc));
    }
    if (v.isEmpty()) {
      throw new InvalidInputException("no SWC files in " + dir);
    }
    return v;
  }

  private static List<Path> list(Path dir, String extension) {
    if (!Files.isDirectory(dir)) {
      throw new InvalidInputException("not a folder: " + dir);
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT)
          .endsWith(extension)).sorted().toList();
    } catch (IOException e) {
      throw new NeuroSegIOException("cannot list " + dir + ": " + e, e);
    }
  }
}
