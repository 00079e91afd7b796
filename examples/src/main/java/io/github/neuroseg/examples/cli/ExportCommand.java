package io.github.neuroseg.examples.cli;

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

  @Override
  public Integer call() {
    new Outputs(spec).input("--checkpoint", checkpoint).model("--output", output);
    OnnxExport.writeCheckpoint(checkpoint, output);
    spec.commandLine().getOut().println("wrote " + output);
    return 0;
  }
}
