package io.github.neuroseg.examples.cli;

import io.github.neuroseg.train.PretrainedCheckpoints;
import io.github.neuroseg.training.TrainerBuilder;
import io.github.neuroseg.training.VitArchitecture;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Prints what a pretrained checkpoint holds ({@link PretrainedCheckpoints#inspect(Path, String)})
 * and, given a block size, the 3D network that inflates it.
 */
@Command(
    name = "checkpoint-info",
    mixinStandardHelpOptions = true,
    description = "Describe a pretrained 2D ViT checkpoint (DINO, DINOv2, timm, Hugging Face;"
        + " .pth, .bin or .safetensors): the distribution, the architecture (width, blocks,"
        + " heads, patch, position grid, LayerScale, registers), the key mapping applied and"
        + " what is ignored. Nothing in the file is executed.")
final class CheckpointInfoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--pretrained", required = true, description = "the checkpoint file")
  Path pretrained;

  @Option(names = "--part", defaultValue = TrainerBuilder.DEFAULT_PRETRAINED_PART,
      description = "network of a DINO training checkpoint: teacher or student (default "
          + "${DEFAULT-VALUE})")
  String part;

  @Option(names = "--heads", description = "attention heads, when the file does not tell them")
  @Nullable Integer heads;

  @Option(names = "--depth", defaultValue = "5",
      description = "slices per block of the 3D network to size (default ${DEFAULT-VALUE})")
  int depth;

  @Option(names = "--tile", description = "block side in pixels of the 3D network to size (a "
      + "multiple of the patch; default 4 patches)")
  @Nullable Integer tile;

  @Override
  public Integer call() {
    PretrainedCheckpoints.Report r = PretrainedCheckpoints.inspect(pretrained, part);
    var out = spec.commandLine().getOut();
    out.print(r.text());
    int side = tile != null ? tile : 4 * r.patch();
    if (heads != null || r.heads() > 0) {
      VitArchitecture a = Usage.option(spec, "--heads, --depth, --tile",
          () -> heads != null ? r.architecture(heads, depth, side, side)
              : r.architecture(depth, side, side));
      out.println("3D network: " + a);
    } else {
      out.println("3D network: give --heads (the file does not tell them)");
    }
    return 0;
  }
}
