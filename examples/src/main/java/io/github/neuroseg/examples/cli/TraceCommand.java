package io.github.neuroseg.examples.cli;

import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.tracing.TraceInput;
import io.github.neuroseg.tracing.Tracer;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.Volumes;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Traces a mask or probability map into an SWC reconstruction. */
@Command(
    name = "trace",
    mixinStandardHelpOptions = true,
    description = "Trace a mask (or probability map) into an SWC reconstruction in the"
        + " volume's physical units.")
final class TraceCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--mask", required = true, description = "mask or probabilities (TIFF)")
  Path mask;

  @Option(names = "--intensities", description = "the original image, same size (optional)")
  @Nullable Path intensities;

  @Option(names = "--output", required = true, description = "the SWC file to write")
  Path output;

  @Option(names = "--threshold", defaultValue = "0.5",
      description = "foreground where the value is >= this (default ${DEFAULT-VALUE})")
  double threshold;

  @Mixin TracingOptions tracing = new TracingOptions();

  @Override
  public Integer call() {
    Tracer tracer = tracing.tracer(spec, threshold);
    new Outputs(spec).input("--mask", mask).input("--intensities", intensities)
        .swc("--output", output);
    Volume m = Volumes.read(mask);
    TraceInput in = TraceInput.of(m.image(), m.voxelSize());
    if (intensities != null) {
      // TraceInput rejects intensities of another size with a clear message
      Volume image = Volumes.read(intensities);
      in = in.withIntensities(image.image());
    }
    NeuronTree tree = tracer.trace(in);
    Swc.write(tree, output);
    spec.commandLine().getOut().println("wrote " + output + " (" + tree.size() + " nodes, "
        + tree.roots().size() + " trees)");
    return 0;
  }
}
