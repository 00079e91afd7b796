package io.github.neuroseg.examples.cli;

import io.github.neuroseg.pipeline.Pipeline;
import io.github.neuroseg.pipeline.Reconstruction;
import io.github.neuroseg.preview.Projections;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.Volumes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Segments a volume and traces the result: volume in, SWC (and mask, pictures) out. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Segment a 3D stack and trace it into an SWC reconstruction (physical units).")
final class RunCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--input", required = true, description = "the volume (TIFF or .v3draw)")
  Path input;

  @Option(names = "--output", required = true, description = "the SWC file to write")
  Path output;

  @Option(names = "--mask", description = "also write the 0/1 mask here (TIFF)")
  @Nullable Path mask;

  @Option(names = "--probabilities", description = "also write probabilities here (TIFF)")
  @Nullable Path probabilities;

  @Option(names = "--pictures",
      description = "also write xy and xz maximum-intensity projections with the mask and the"
          + " reconstruction drawn over them, as PNG files with this path prefix")
  @Nullable Path pictures;

  @Mixin SegmentationOptions model = new SegmentationOptions();

  @Mixin TracingOptions tracing = new TracingOptions();

  @Mixin PostProcessingOptions post = new PostProcessingOptions();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Volume volume = Volumes.read(input);
    // without --probabilities no probability map is kept: the mask is segmented directly
    Reconstruction r = reconstruct(volume, model, tracing, post, new ConsoleProgress(
        spec.commandLine().getErr()), probabilities != null);
    Swc.write(r.tree(), output);
    if (mask != null) {
      Volumes.write(r.maskVolume(), mask);
    }
    if (probabilities != null) {
      Volumes.write(r.segmentation().probabilityVolume(), probabilities);
    }
    if (pictures != null) {
      writePictures(volume, r, pictures);
    }
    out.println("wrote " + output + " (" + r.tree().size() + " nodes, " + r.tree().roots().size()
        + " trees)" + (mask == null ? "" : ", " + mask));
    return 0;
  }

  /** The library's pipeline with the command's model and tracing options. */
  static Reconstruction reconstruct(Volume volume, SegmentationOptions model,
      TracingOptions tracing, PostProcessingOptions post, ConsoleProgress progress) {
    return reconstruct(volume, model, tracing, post, progress, true);
  }

  /** As above, keeping the probability map or not ({@link Pipeline#withProbabilities}). */
  static Reconstruction reconstruct(Volume volume, SegmentationOptions model,
      TracingOptions tracing, PostProcessingOptions post, ConsoleProgress progress,
      boolean probabilities) {
    try (Segmenter segmenter = model.builder(progress).build()) {
      return Pipeline.of(segmenter, tracing.tracer()).withPostProcessing(post.postProcessing())
          .withProbabilities(probabilities).run(volume);
    }
  }

  /** Writes {@code <prefix>-xy.png} and {@code <prefix>-xz.png}: the image with mask and tree. */
  static void writePictures(Volume volume, Reconstruction r, Path prefix) {
    String name = prefix.getFileName().toString();
    Projections.newBuilder().build().writePngs(volume, r.maskVolume().image(),
        r.tree(), prefix.resolveSibling(name + "-xy.png"), prefix.resolveSibling(name + "-xz.png"));
  }
}
