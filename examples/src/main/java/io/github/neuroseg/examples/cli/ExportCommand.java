package io.github.neuroseg.examples.cli;

import io.github.neuroseg.model.ModelContract;
import io.github.neuroseg.train.OnnxExport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Exports a training checkpoint as an ONNX model. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = "Export a training checkpoint (best.safetensors from train --checkpoints) as an"
        + " ONNX model in neuroseg's format, with its metadata and provenance.")
final class ExportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--checkpoint", required = true, description = "best.safetensors")
  Path checkpoint;

  @Option(names = "--output", required = true, description = "the ONNX model to write")
  Path output;

  @Option(names = "--int8", description = "quantise the transformer's linear layers to int8"
      + " (dynamic quantisation: smaller, faster on CPUs with int8 dot products; measure its"
      + " accuracy on your data, e.g. with evaluate)")
  boolean int8;

  @Override
  public Integer call() {
    new Outputs(spec).input("--checkpoint", checkpoint).model("--output", output);
    OnnxExport.writeCheckpoint(checkpoint, output,
        int8 ? ModelContract.Precision.INT8 : ModelContract.Precision.FLOAT32);
    spec.commandLine().getOut().println("wrote " + output);
    return 0;
  }
}
