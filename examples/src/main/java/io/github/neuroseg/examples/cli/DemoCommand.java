package io.github.neuroseg.examples.cli;

import io.github.neuroseg.files.AtomicWrite;
import io.github.neuroseg.metrics.EvaluationReport;
import io.github.neuroseg.pipeline.Pipeline;
import io.github.neuroseg.pipeline.Reconstruction;
import io.github.neuroseg.preview.Projections;
import io.github.neuroseg.segmentation.PostProcessing;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.segmentation.SegmenterBuilder;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.synth.NeuronGenerator;
import io.github.neuroseg.synth.NeuronRenderer;
import io.github.neuroseg.synth.RenderedNeuron;
import io.github.neuroseg.tracing.Tracer;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.Volumes;
import io.github.neuroseg.volume.VoxelSize;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The whole pipeline on a synthetic neuron whose ground truth is known: render, segment with the
 * bundled model (or {@code --model}), trace, draw and score.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Render a synthetic neuron, segment it (bundled model unless --model), trace it and score"
          + " the result against the rendered ground truth.",
      "Writes into --output: image.tif, truth-mask.tif, truth.swc, mask.tif, neuron.swc,"
          + " result-xy.png, result-xz.png, truth-xy.png, truth-xz.png and metrics.txt; the last"
          + " line printed is EVAL dice=<x> hd95=<x> esa=<x> dsa=<x> pds=<x> f1=<x>."
    })
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--output", required = true, description = "output directory (created)")
  Path output;

  @Option(names = "--size", defaultValue = "128x128x32",
      description = "volume size WxHxD in voxels (default ${DEFAULT-VALUE})")
  String size;

  @Option(names = "--seed", defaultValue = "2026",
      description = "seed of the generated neuron (default ${DEFAULT-VALUE})")
  long seed;

  @Mixin SegmentationOptions model = new SegmentationOptions();

  @Mixin TracingOptions tracing = new TracingOptions();

  @Mixin PostProcessingOptions post = new PostProcessingOptions();

  @Override
  public Integer call() {
    long[] dims = Usage.option(spec, "--size", () -> RenderCommand.parseDims(size, 3, "size"));
    PostProcessing pp = post.postProcessing(spec);
    Tracer tracer = tracing.tracer(spec);
    SegmenterBuilder b = model.builder(spec, new ConsoleProgress(spec.commandLine().getErr()));
    Outputs outputs = new Outputs(spec).input("--model", model.model).folder("--output", output);
    for (String f : new String[] {"image.tif", "truth-mask.tif", "mask.tif"}) {
      outputs.volume("--output", output.resolve(f));
    }
    outputs.swc("--output", output.resolve("truth.swc")).swc("--output",
        output.resolve("neuron.swc")).text("--output", output.resolve("metrics.txt"));
    for (String f : new String[] {"result-xy.png", "result-xz.png", "truth-xy.png",
        "truth-xz.png"}) {
      outputs.png("--output", output.resolve(f));
    }
    VoxelSize vs = VoxelSize.UNIT;
    RenderedNeuron truth = NeuronRenderer.newBuilder().seed(seed).build().render(
        NeuronGenerator.newBuilder().bounds(dims[0], dims[1], dims[2]).seed(seed).build()
            .generate().toPhysical(vs), dims, vs);
    Volume truthMask = new Volume(truth.mask(), vs, "truth-mask", Map.of());
    Reconstruction r;
    try (Segmenter segmenter = model.build(spec, b)) {
      r = Pipeline.of(segmenter, tracer).withPostProcessing(pp).run(truth.image());
    }
    Volume mask = r.maskVolume();
    String text = EvaluationReport.compare(mask, truthMask, r.tree(), truth.tree(), 0.5, 2, 2)
        .text();
    // every file new, or (on a failure) every one as it was
    try (AtomicWrite.Batch files = AtomicWrite.batch()) {
      Volumes.write(truth.image(), output.resolve("image.tif"));
      Volumes.write(truthMask, output.resolve("truth-mask.tif"));
      Swc.write(truth.tree(), output.resolve("truth.swc"));
      Volumes.write(mask, output.resolve("mask.tif"));
      Swc.write(r.tree(), output.resolve("neuron.swc"));
      RunCommand.writePictures(truth.image(), r, output.resolve("result"));
      Projections.newBuilder().zoom(Projections.readableZoom(truth.image())).build()
          .writePngs(truth.image(), truth.mask(), truth.tree(), output.resolve("truth-xy.png"),
              output.resolve("truth-xz.png"));
      AtomicWrite.write(output.resolve("metrics.txt"), temp -> Files.writeString(temp, text));
      files.commit();
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("wrote " + output + ": image.tif, truth-mask.tif, truth.swc, mask.tif,"
        + " neuron.swc, result-xy.png, result-xz.png, truth-xy.png, truth-xz.png, metrics.txt");
    out.print(text);
    out.flush();
    return 0;
  }
}
