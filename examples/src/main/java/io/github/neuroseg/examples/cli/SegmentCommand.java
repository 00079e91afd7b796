package io.github.neuroseg.examples.cli;

import io.github.neuroseg.files.AtomicWrite;
import io.github.neuroseg.segmentation.PostProcessing;
import io.github.neuroseg.segmentation.Segmentation;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.segmentation.SegmenterBuilder;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.Volumes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Segments a volume with an ONNX model and writes the mask (and optionally probabilities). */
@Command(
    name = "segment",
    mixinStandardHelpOptions = true,
    description = "Segment a 3D TIFF (or .v3draw) stack: writes a 0/1 mask and, on request, the"
        + " 32-bit probabilities.")
final class SegmentCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--input", required = true, description = "the volume (TIFF or .v3draw)")
  Path input;

  @Option(names = "--output", required = true, description = "the mask to write (TIFF)")
  Path output;

  @Option(names = "--probabilities", description = "also write probabilities here (TIFF)")
  @Nullable Path probabilities;

  @Mixin SegmentationOptions model = new SegmentationOptions();

  @Mixin PostProcessingOptions post = new PostProcessingOptions();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PostProcessing pp = post.postProcessing(spec);
    SegmenterBuilder b = model.builder(spec, new ConsoleProgress(spec.commandLine().getErr()));
    new Outputs(spec).input("--input", input).input("--model", model.model)
        .volume("--output", output).volume("--probabilities", probabilities);
    try (Segmenter segmenter = model.build(spec, b)) {
      Volume volume = Volumes.read(input);
      Segmentation s = segmenter.segment(volume);
      // both files new, or (on a failure) both as they were
      try (AtomicWrite.Batch outputs = AtomicWrite.batch()) {
        Volumes.write(pp.equals(PostProcessing.NONE) ? s.maskVolume()
            : new Volume(pp.apply(s), s.voxelSize(), "mask", Map.of()), output);
        if (probabilities != null) {
          Volumes.write(s.probabilityVolume(), probabilities);
        }
        outputs.commit();
      }
      out.println("wrote " + output + (probabilities == null ? "" : ", " + probabilities)
          + " (threshold " + s.threshold() + ")");
    }
    return 0;
  }
}
