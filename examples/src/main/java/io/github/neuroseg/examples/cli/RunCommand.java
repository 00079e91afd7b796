package io.github.neuroseg.examples.cli;

import io.github.neuroseg.files.AtomicWrite;
import io.github.neuroseg.pipeline.Pipeline;
import io.github.neuroseg.pipeline.Reconstruction;
import io.github.neuroseg.preview.Projections;
import io.github.neuroseg.segmentation.PostProcessing;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.segmentation.SegmenterBuilder;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.tracing.Tracer;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.Volumes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
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
    PostProcessing pp = post.postProcessing(spec);
    Tracer tracer = tracing.tracer(spec);
    SegmenterBuilder b = model.builder(spec, new ConsoleProgress(spec.commandLine().getErr()));
    new Outputs(spec).input("--input", input).input("--model", model.model)
        .swc("--output", output).volume("--mask", mask)
        .volume("--probabilities", probabilities)
        .png("--pictures", pictures == null ? null : picture(pictures, "xy"))
        .png("--pictures", pictures == null ? null : picture(pictures, "xz"));
    Reconstruction r;
    Volume volume;
    try (Segmenter segmenter = model.build(spec, b)) {
      volume = Volumes.read(input);
      // without --probabilities no probability map is kept: the mask is segmented directly
      r = Pipeline.of(segmenter, tracer).withPostProcessing(pp)
          .withProbabilities(probabilities != null).run(volume);
    }
    // every file new, or (on a failure) every one as it was
    List<Path> written;
    try (AtomicWrite.Batch outputs = AtomicWrite.batch()) {
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
      written = outputs.targets();
      outputs.commit();
    }
    out.println("wrote " + output + " (" + r.tree().size() + " nodes, " + r.tree().roots().size()
        + " trees)" + written.stream().skip(1).map(p -> ", " + p).collect(Collectors.joining()));
    return 0;
  }

  /** Writes {@code <prefix>-xy.png} and {@code <prefix>-xz.png}: the image with mask and tree. */
  static void writePictures(Volume volume, Reconstruction r, Path prefix) {
    // enlarge small volumes so the pictures are comfortable to look at
    Projections.newBuilder().zoom(Projections.readableZoom(volume)).build().writePngs(volume,
        r.maskVolume().image(), r.tree(), picture(prefix, "xy"), picture(prefix, "xz"));
  }

  /** {@code <prefix>-<plane>.png}. */
  static Path picture(Path prefix, String plane) {
    Path name = prefix.getFileName();
    return prefix.resolveSibling((name == null ? "" : name.toString()) + "-" + plane + ".png");
  }
}
