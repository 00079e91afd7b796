package io.github.neuroseg.examples.cli;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.NeuroSegException;
import io.github.neuroseg.NeuroSegIOException;
import io.github.neuroseg.model.ModelContract;
import io.github.neuroseg.training.DataSplit;
import io.github.neuroseg.training.Inflation;
import io.github.neuroseg.training.LabeledVolume;
import io.github.neuroseg.training.PairOptions;
import io.github.neuroseg.training.ChannelReduction;
import io.github.neuroseg.train.PretrainedCheckpoints;
import io.github.neuroseg.Device;
import io.github.neuroseg.training.SyntheticData;
import io.github.neuroseg.training.TrainedModel;
import io.github.neuroseg.training.TrainerBuilder;
import io.github.neuroseg.training.VitArchitecture;
import io.github.neuroseg.volume.Normalization;
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
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Trains a 3D ViT through {@code NeuroSeg.trainer()} and writes the ONNX model. Every training
 * option left out takes the library's default ({@link TrainerBuilder}, {@link
 * VitArchitecture#DEFAULT}): this command has no defaults of its own, only data options.
 */
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

  @Option(names = "--swc-units", defaultValue = "physical",
      description = "units of the --pairs SWC coordinates: physical (the image's voxel size) or"
          + " voxels (slice indices, as in tracings made on a stack); default ${DEFAULT-VALUE}")
  String swcUnits;

  @Option(names = "--align-swc", defaultValue = "0",
      description = "shift each --pairs SWC in x and y by up to this many voxels onto its"
          + " image's bright structure before rendering its mask (default 0: off)")
  double alignSwc;

  @Option(names = "--synthetic", split = ",",
      description = "SWC files to render, or folders whose *.swc files are rendered"
          + " (comma-separated or repeated)")
  @Nullable List<Path> synthetic;

  @Option(names = "--looks", defaultValue = "plain",
      description = "how --synthetic and --generated neurons are rendered: plain (one style) or"
          + " random (a random microscopy look per volume: contrast-to-noise 1-20, noisy or"
          + " pre-masked background, structured background, blobs, other fibres, dim branches,"
          + " z steps 1-3, 8/16-bit); default ${DEFAULT-VALUE}")
  String looks;

  @Option(names = "--generated", defaultValue = "0",
      description = "generated neurons to render (default ${DEFAULT-VALUE})")
  int generated;

  @Option(names = "--size", defaultValue = "96x96x24",
      description = "size of rendered volumes WxHxD (default ${DEFAULT-VALUE})")
  String size;

  @Option(names = "--embed",
      description = "embedding width (default " + VitArchitecture.DEFAULT_EMBED_DIM + ")")
  @Nullable Integer embed;

  @Option(names = "--layers",
      description = "transformer blocks (default " + VitArchitecture.DEFAULT_LAYERS + ")")
  @Nullable Integer layers;

  @Option(names = "--heads",
      description = "attention heads (default " + VitArchitecture.DEFAULT_HEADS + ")")
  @Nullable Integer heads;

  @Option(names = "--patch",
      description = "patch size (default " + VitArchitecture.DEFAULT_PATCH + ")")
  @Nullable Integer patch;

  @Option(names = "--tile",
      description = "square tile size (default " + VitArchitecture.DEFAULT_TILE + ")")
  @Nullable Integer tile;

  @Option(names = "--depth", description = "slices per block, odd (default "
      + VitArchitecture.DEFAULT_INPUT_DEPTH + ")")
  @Nullable Integer depth;

  @Option(names = "--head",
      description = "LINEAR (pixel shuffle) or CONV (convolutional decoder); default LINEAR")
  VitArchitecture.@Nullable Head head;

  @Option(names = "--pretrained",
      description = "2D checkpoint to inflate (DINO, DINOv2, timm or Hugging Face; .pth, .bin"
          + " or .safetensors; see checkpoint-info): its width, blocks, patch, LayerScale,"
          + " registers and, when it tells them, heads are the defaults of --embed, --layers,"
          + " --patch and --heads")
  @Nullable Path pretrained;

  @Option(names = "--part",
      description = "network of a DINO training checkpoint: teacher or student (default "
          + TrainerBuilder.DEFAULT_PRETRAINED_PART + ")")
  @Nullable String part;

  @Option(names = "--channel-reduction",
      description = "how the RGB patch kernel becomes grey: SUM or MEAN (default SUM)")
  @Nullable ChannelReduction channelReduction;

  @Option(names = "--device", defaultValue = "cpu",
      description = "cpu or cuda[:N] (needs PyTorch's CUDA native library for DJL; default "
          + "${DEFAULT-VALUE})")
  String device;

  @Option(names = "--inflation", description = "AVERAGE or CENTER (default AVERAGE)")
  @Nullable Inflation inflation;

  @Option(names = "--epochs",
      description = "epochs (default " + TrainerBuilder.DEFAULT_EPOCHS + ")")
  @Nullable Integer epochs;

  @Option(names = "--steps",
      description = "steps per epoch (default " + TrainerBuilder.DEFAULT_STEPS_PER_EPOCH + ")")
  @Nullable Integer steps;

  @Option(names = "--batch",
      description = "blocks per step (default " + TrainerBuilder.DEFAULT_BATCH_SIZE + ")")
  @Nullable Integer batch;

  @Option(names = "--lr",
      description = "peak learning rate (default " + TrainerBuilder.DEFAULT_LEARNING_RATE + ")")
  @Nullable Double lr;

  @Option(names = "--layer-decay",
      description = "layer-wise learning-rate decay of pretrained parameters, in (0, 1]"
          + " (default " + TrainerBuilder.DEFAULT_LAYER_DECAY + ")")
  @Nullable Double layerDecay;

  @Option(names = "--pretrained-lr-scale",
      description = "factor in [0, 1] on the learning rate of pretrained parameters (default "
          + TrainerBuilder.DEFAULT_PRETRAINED_LEARNING_RATE_SCALE + ")")
  @Nullable Double pretrainedLrScale;

  @Option(names = "--normalization",
      description = "intensity normalisation of training, recorded in the model, e.g."
          + " percentile:0.5,99.99 (default percentile:0.5,99.5)")
  @Nullable String normalization;

  @Option(names = "--gain-range",
      description = "brightness augmentation: blocks also scaled by a factor in [1/g, g],"
          + " g >= 1 (default " + TrainerBuilder.DEFAULT_GAIN_RANGE + ": off)")
  @Nullable Double gainRange;

  @Option(names = "--hard-negatives",
      description = "fraction of training blocks drawn as hard negatives (brightest background),"
          + " in [0, 1] (default " + TrainerBuilder.DEFAULT_HARD_NEGATIVE_FRACTION + ")")
  @Nullable Double hardNegatives;

  @Option(names = "--patience",
      description = "stop after this many epochs without improvement (default "
          + TrainerBuilder.DEFAULT_PATIENCE + ")")
  @Nullable Integer patience;

  @Option(names = "--validation", defaultValue = "0.2",
      description = "fraction of volumes for validation (default ${DEFAULT-VALUE})")
  double validation;

  @Option(names = "--test", defaultValue = "0.2",
      description = "fraction of volumes held out for the test Dice (default ${DEFAULT-VALUE})")
  double test;

  @Option(names = "--validation-cases", split = ",",
      description = "names of the volumes to validate on (e.g. OP_5 for OP_5.swc of --pairs);"
          + " with --test-cases, replaces the random split: every other volume trains")
  @Nullable List<String> validationCases;

  @Option(names = "--test-cases", split = ",",
      description = "names of the volumes held out for the test Dice (e.g. OP_6)")
  @Nullable List<String> testCases;

  @Option(names = "--data-note",
      description = "text added to the model's training_data metadata, e.g. the data's source"
          + " and citation")
  @Nullable String dataNote;

  @Option(names = "--checkpoints",
      description = "folder for best/last checkpoints (resumable with --resume)")
  @Nullable Path checkpoints;

  @Option(names = "--resume", description = "continue from the last checkpoint in --checkpoints")
  boolean resume;

  @Option(names = "--seed", defaultValue = "1",
      description = "seed of the data split, rendering and training (default ${DEFAULT-VALUE})")
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
      if (!swcUnits.equals("physical") && !swcUnits.equals("voxels")) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
            "--swc-units must be 'physical' or 'voxels', got '" + swcUnits + "'");
      }
      volumes.addAll(LabeledVolume.readPairs(pairs,
          new PairOptions(swcUnits.equals("voxels"), alignSwc)));
    }
    if (synthetic != null || generated > 0) {
      List<Path> swcs = new ArrayList<>();
      for (Path p : synthetic == null ? List.<Path>of() : synthetic) {
        swcs.addAll(Files.isRegularFile(p) ? List.of(p) : list(p, ".swc"));
      }
      long[] dims = RenderCommand.parseDims(size, 3, "size");
      BiConsumer<Path, NeuroSegException> skip =
          (f, e) -> err.println("skipping " + f + ": " + e.getMessage());
      switch (looks) {
        case "plain" -> volumes.addAll(SyntheticData.render(swcs, generated, dims, seed, skip));
        case "random" -> volumes.addAll(SyntheticData.randomized(swcs, generated, dims, seed,
            skip, (name, look) -> out.println("rendered " + name + ": " + look)));
        default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(),
            "--looks must be 'plain' or 'random', got '" + looks + "'");
      }
    }
    if (volumes.isEmpty()) {
      throw new InvalidInputException(
          "no training data: give --pairs DIR, --synthetic DIR or --generated N");
    }
    DataSplit split = validationCases == null && testCases == null
        ? DataSplit.of(volumes, validation, test, seed)
        : DataSplit.byName(volumes, validationCases == null ? List.of() : validationCases,
            testCases == null ? List.of() : testCases);
    out.printf(Locale.ROOT, "data: %d volumes (training %d, validation %d, test %d)%n",
        volumes.size(), split.training().size(), split.validation().size(), split.test().size());
    TrainerBuilder b = trainer(split);
    b.onProgress(new ConsoleProgress(err));
    TrainedModel m = b.build().train();
    m.writeTo(output);
    String testDice = m.metadata().get(ModelContract.TEST_DICE);
    out.printf(Locale.ROOT, "TRAIN val_dice=%.4f test_dice=%s threshold=%.2f epochs=%d"
        + " model=%s%n", m.validationDice(), testDice == null ? "na"
            : String.format(Locale.ROOT, "%.4f", Double.parseDouble(testDice)),
        m.threshold(), m.bestEpoch(), output);
    return 0;
  }

  /**
   * The library's trainer builder with the given options applied and everything else left at
   * the library's defaults; the model records this command line and the test split.
   */
  TrainerBuilder trainer(DataSplit split) {
    TrainerBuilder b = NeuroSeg.trainer()
        .trainingData(split.training())
        .validationData(split.validation())
        .testData(split.test())
        .seed(seed)
        .checkpointDirectory(checkpoints)
        .resume(resume)
        .pretrained(pretrained)
        .device(Device.parse(device));
    VitArchitecture a = VitArchitecture.DEFAULT;
    if (part != null) {
      b.pretrainedPart(part);
    }
    if (channelReduction != null) {
      b.channelReduction(channelReduction);
    }
    if (pretrained != null) {
      PretrainedCheckpoints.Report r = PretrainedCheckpoints.inspect(pretrained,
          part != null ? part : TrainerBuilder.DEFAULT_PRETRAINED_PART);
      int side = a.tileHeight() % r.patch() == 0 ? a.tileHeight() : 4 * r.patch();
      a = r.architecture(r.heads() > 0 ? r.heads() : or(heads, a.heads()), a.inputDepth(),
          side, side);
    }
    b.architecture(new VitArchitecture(or(embed, a.embedDim()), or(layers, a.layers()),
        or(heads, a.heads()), or(patch, a.patch()), or(depth, a.inputDepth()),
        or(tile, a.tileHeight()), or(tile, a.tileWidth()),
        head != null ? head : a.head(), a.layerScale(), a.registers()));
    if (inflation != null) {
      b.inflation(inflation);
    }
    if (epochs != null) {
      b.epochs(epochs);
    }
    if (steps != null) {
      b.stepsPerEpoch(steps);
    }
    if (batch != null) {
      b.batchSize(batch);
    }
    if (lr != null) {
      b.learningRate(lr);
    }
    if (layerDecay != null) {
      b.layerDecay(layerDecay);
    }
    if (pretrainedLrScale != null) {
      b.pretrainedLearningRateScale(pretrainedLrScale);
    }
    if (patience != null) {
      b.patience(patience);
    }
    if (hardNegatives != null) {
      b.hardNegativeFraction(hardNegatives);
    }
    if (gainRange != null) {
      b.gainRange(gainRange);
    }
    if (normalization != null) {
      b.normalization(Normalization.parse(normalization));
    }
    Map<String, String> provenance = new LinkedHashMap<>();
    provenance.put("training_command", "neuroseg " + spec.commandLine().getParseResult()
        .originalArgs().stream().map(TrainCommand::shellWord).collect(
            java.util.stream.Collectors.joining(" ")));
    provenance.put(ModelContract.TRAINING_DATA, dataDescription());
    return b.provenance(provenance);
  }

  /** An argument as a POSIX shell word, so that the recorded command can be run again. */
  static String shellWord(String arg) {
    return !arg.isEmpty() && arg.matches("[A-Za-z0-9_./:,=@%+-]+") ? arg
        : "'" + arg.replace("'", "'\\''") + "'";
  }

  /** Where the volumes came from, as the model's {@code training_data} records it. */
  private String dataDescription() {
    List<String> parts = new ArrayList<>();
    if (pairs != null) {
      parts.add("image/SWC pairs of " + pairs.getFileName() + " (SWC in " + swcUnits
          + (alignSwc > 0 ? ", aligned by up to " + alignSwc + " voxels" : "") + ")");
    }
    if (synthetic != null || generated > 0) {
      List<String> names = synthetic == null ? List.of()
          : synthetic.stream().map(p -> p.getFileName().toString()).toList();
      parts.add("synthetic " + size + " volumes (" + looks + " looks) rendered from "
          + (names.isEmpty() ? "" : String.join(" ", names) + " and ") + generated
          + " generated neurons, seed " + seed);
    }
    if (dataNote != null) {
      parts.add(dataNote);
    }
    return String.join("; ", parts);
  }

  private static int or(@Nullable Integer given, int fallback) {
    return given != null ? given : fallback;
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
