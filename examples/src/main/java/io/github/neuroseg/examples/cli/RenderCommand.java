package io.github.neuroseg.examples.cli;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.files.AtomicWrite;
import io.github.neuroseg.metrics.ContrastToNoise;
import io.github.neuroseg.metrics.SegmentationMetrics;
import io.github.neuroseg.preview.Projections;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.synth.GroundTruth;
import io.github.neuroseg.synth.NeuronGenerator;
import io.github.neuroseg.synth.NeuronRenderer;
import io.github.neuroseg.synth.RenderedNeuron;
import io.github.neuroseg.synth.TreeFitting;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.Volumes;
import io.github.neuroseg.volume.VoxelSize;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Renders a synthetic neuron (from an SWC file or a generated tree) and writes the image, its
 * exact ground-truth mask, the tree and a metrics report.
 */
@Command(
    name = "render",
    mixinStandardHelpOptions = true,
    description = {
      "Render a synthetic light-microscopy neuron volume with its exact ground truth.",
      "Writes image.tif (16-bit), mask.tif (8-bit 0/1), neuron.swc, projection-xy.png,"
          + " projection-xz.png (maximum-intensity projections with mask and tree) and"
          + " metrics.txt into --output."
    })
final class RenderCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--output", required = true, description = "output directory (created)")
  Path output;

  @Option(names = "--swc", description = "render this reconstruction (fitted into the volume) "
      + "instead of a generated neuron")
  @Nullable Path swc;

  @Option(names = "--size", defaultValue = "192x192x48",
      description = "volume size WxHxD in voxels (default ${DEFAULT-VALUE})")
  String size;

  @Option(names = "--voxel-size", defaultValue = "1,1,1",
      description = "voxel size x,y,z in microns (default ${DEFAULT-VALUE})")
  String voxelSize;

  @Option(names = "--seed", defaultValue = "1", description = "random seed (default ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--distractors", defaultValue = "4",
      description = "bright blobs that are not neuron (default ${DEFAULT-VALUE})")
  int distractors;

  @Override
  public Integer call() {
    long[] dims = Usage.option(spec, "--size", () -> parseDims(size, 3, "size"));
    VoxelSize vs = Usage.option(spec, "--voxel-size", () -> parseVoxelSize(voxelSize));
    NeuronRenderer renderer = Usage.option(spec, "--distractors",
        () -> NeuronRenderer.newBuilder().seed(seed).distractors(distractors).build());
    new Outputs(spec).input("--swc", swc).folder("--output", output)
        .volume("--output", output.resolve("image.tif"))
        .volume("--output", output.resolve("mask.tif"))
        .swc("--output", output.resolve("neuron.swc"))
        .png("--output", output.resolve("projection-xy.png"))
        .png("--output", output.resolve("projection-xz.png"))
        .text("--output", output.resolve("metrics.txt"));
    NeuronTree tree;
    if (swc != null) {
      tree = TreeFitting.fit(Swc.read(swc), dims, vs, 4);
    } else {
      // the generator works in voxels; the renderer takes physical units
      tree = NeuronGenerator.newBuilder()
          .bounds(dims[0], dims[1], dims[2])
          .seed(seed)
          .build()
          .generate()
          .toPhysical(vs);
    }
    RenderedNeuron n = renderer.render(tree, dims, vs);
    Path imagePath = output.resolve("image.tif");
    Path maskPath = output.resolve("mask.tif");
    Path swcPath = output.resolve("neuron.swc");
    Path xyPath = output.resolve("projection-xy.png");
    Path xzPath = output.resolve("projection-xz.png");
    // Check what is written: the SWC text read back re-renders to the same mask.
    NeuronTree back = Swc.parse(Swc.format(n.tree()), swcPath.toString());
    double dice = SegmentationMetrics.dice(n.mask(), GroundTruth.render(back, dims, vs));
    Map<String, String> report = imageReport(n, dice);
    StringBuilder text = new StringBuilder();
    report.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    // every file new, or (on a failure) every one as it was
    try (AtomicWrite.Batch outputs = AtomicWrite.batch()) {
      Volumes.writeTiff(n.image(), imagePath);
      Volumes.writeTiff(new Volume(n.mask(), vs, "mask", Map.of()), maskPath);
      Swc.write(n.tree(), swcPath);
      // enlarge small volumes so the pictures are comfortable to look at
      Projections.newBuilder().zoom(Projections.readableZoom(n.image())).build()
          .writePngs(n.image(), n.mask(), n.tree(), xyPath, xzPath);
      AtomicWrite.write(output.resolve("metrics.txt"), temp -> Files.writeString(temp, text));
      outputs.commit();
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(text);
    out.println("wrote " + imagePath + ", " + maskPath + ", " + swcPath + ", " + xyPath + ", "
        + xzPath + ", " + output.resolve("metrics.txt"));
    return 0;
  }

  private static Map<String, String> imageReport(RenderedNeuron n, double dice) {
    ContrastToNoise c = ContrastToNoise.measure(n.image().image(), n.mask());
    long fg = c.foregroundVoxels();
    long bg = c.backgroundVoxels();
    Map<String, String> r = new LinkedHashMap<>();
    long[] d = n.image().dimensions();
    r.put("size", d[0] + "x" + d[1] + "x" + d[2]);
    VoxelSize vs = n.image().voxelSize();
    r.put("voxel_size", fmt(vs.x()) + "," + fmt(vs.y()) + "," + fmt(vs.z()) + " " + vs.unit());
    r.put("nodes", Integer.toString(n.tree().size()));
    r.put("path_length", fmt(n.tree().pathLength()));
    r.put("foreground_voxels", Long.toString(fg));
    r.put("foreground_fraction", fmt((double) fg / (fg + bg)));
    r.put("foreground_mean", fmt(c.foregroundMean()));
    r.put("background_mean", fmt(c.backgroundMean()));
    r.put("background_std", fmt(c.backgroundStd()));
    r.put("contrast_to_noise", fmt(c.ratio()));
    r.put("swc_roundtrip_mask_dice", fmt(dice));
    return r;
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  /** Parses {@code n} positive integers separated by {@code x}, e.g. {@code 192x192x48}. */
  static long[] parseDims(String text, int n, String what) {
    String[] p = text.toLowerCase(Locale.ROOT).split("x", -1);
    if (p.length == n) {
      try {
        long[] d = new long[n];
        boolean positive = true;
        for (int i = 0; i < n; i++) {
          d[i] = Long.parseLong(p[i].trim());
          positive &= d[i] > 0;
        }
        if (positive) {
          return d;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    String shape = n == 2 ? "WxH" : "WxHxD";
    throw new InvalidInputException(
        what + " must be " + shape + " with positive integers, got '" + text + "'");
  }

  static VoxelSize parseVoxelSize(String text) {
    String[] p = text.split(",");
    try {
      if (p.length == 3) {
        return VoxelSize.microns(Double.parseDouble(p[0].trim()), Double.parseDouble(p[1].trim()),
            Double.parseDouble(p[2].trim()));
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidInputException("voxel size must be x,y,z numbers, got '" + text + "'");
  }
}
