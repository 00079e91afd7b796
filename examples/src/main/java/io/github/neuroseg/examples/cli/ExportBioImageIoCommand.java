package io.github.neuroseg.examples.cli;

import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.onnx.BioImageIo;
import io.github.neuroseg.segmentation.ModelSource;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Writes a model as a bioimage.io model package. */
@Command(
    name = "export-bioimageio",
    mixinStandardHelpOptions = true,
    description = {
      "Write a model (the bundled one unless --model) as a bioimage.io model package: rdf.yaml"
          + " (format " + BioImageIo.FORMAT_VERSION + "), the ONNX weights, test tensors (.npy),"
          + " sample tensors (TIFF) and README.md.",
      "The package is read back wherever --model is accepted."
    })
final class ExportBioImageIoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model",
      description = "ONNX model in neuroseg's format (default: the bundled model)")
  @Nullable Path model;

  @Option(names = "--output", required = true, description = "the package folder (created)")
  Path output;

  @Option(names = "--name", description = "the package's name (default: the model file's)")
  @Nullable String name;

  @Option(names = "--author", description = "an author's name; repeat for several"
      + " (default: neuroseg developers)")
  @Nullable List<String> authors;

  @Option(names = "--license", defaultValue = "Apache-2.0",
      description = "SPDX licence identifier of the model (default ${DEFAULT-VALUE})")
  String license;

  @Option(names = "--seed", defaultValue = "1",
      description = "seed of the synthetic neuron the test tensors are cut from"
          + " (default ${DEFAULT-VALUE})")
  long seed;

  @Override
  public Integer call() {
    BioImageIo.Options options = Usage.option(spec, "--name, --author, --license",
        () -> new BioImageIo.Options(name,
            authors == null || authors.isEmpty() ? List.of("neuroseg developers") : authors,
            license, seed, Instant.now()));
    new Outputs(spec).input("--model", model).folder("--output", output);
    ModelSource source = model == null ? NeuroSeg.bundledModel() : ModelSource.file(model);
    Path rdf = BioImageIo.export(source, output, options);
    spec.commandLine().getOut().println("wrote " + rdf);
    return 0;
  }
}
