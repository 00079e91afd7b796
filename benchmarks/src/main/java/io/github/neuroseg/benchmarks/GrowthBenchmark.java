package io.github.neuroseg.benchmarks;

import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.pipeline.Pipeline;
import io.github.neuroseg.pipeline.Reconstruction;
import io.github.neuroseg.segmentation.PostProcessing;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.synth.GroundTruth;
import io.github.neuroseg.synth.NeuronGenerator;
import io.github.neuroseg.synth.NeuronRenderer;
import io.github.neuroseg.synth.RenderedNeuron;
import io.github.neuroseg.tracing.TraceInput;
import io.github.neuroseg.tracing.Tracer;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.Volumes;
import io.github.neuroseg.volume.VoxelSize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.type.numeric.integer.UnsignedByteType;

/**
 * How cost grows with the volume: {@code scripts/bench-growth} runs each step in a fresh JVM so
 * that the peak resident memory ({@code VmHWM}) is that step's alone.
 *
 * <ul>
 *   <li>{@code render DIR WxHxD}: a synthetic neuron (16-bit) written to {@code DIR/image.tif}.
 *   <li>{@code run FILE}: what {@code neuroseg run} does without {@code --probabilities}: read,
 *       segment with the bundled model into the levels the default post-processing reads
 *       ({@link Segmenter#segmentLevels}) and post-process them into the mask, trace with the
 *       intensities; prints {@code GROWTH ...} with the times (segment including the
 *       post-processing), the peak resident memory and the input's size.
 *   <li>{@code trace-scaling}: the mask of a neuron rendered in 256 x 256 x 256 traced as it is
 *       and embedded in a 1024 x 1024 x 256 volume of background (the same foreground, 16 times
 *       the voxels), best of five each; prints {@code BENCH trace_scaling ratio=...}.
 * </ul>
 */
public final class GrowthBenchmark {
  private GrowthBenchmark() {}

  /** See the class description. */
  public static void main(String[] args) throws IOException {
    switch (args.length > 0 ? args[0] : "") {
      case "render" -> render(Path.of(args[1]), args[2]);
      case "run" -> run(Path.of(args[1]));
      case "trace-scaling" -> traceScaling();
      default -> throw new IllegalArgumentException(
          "usage: GrowthBenchmark render DIR WxHxD | run FILE | trace-scaling");
    }
  }

  private static void render(Path dir, String size) throws IOException {
    String[] p = size.split("x");
    long[] dims = {Long.parseLong(p[0]), Long.parseLong(p[1]), Long.parseLong(p[2])};
    NeuronTree tree = NeuronGenerator.newBuilder().bounds(dims[0], dims[1], dims[2]).seed(3)
        .build().generate();
    RenderedNeuron r = NeuronRenderer.newBuilder().seed(3).build().render(tree, dims,
        VoxelSize.UNIT);
    Files.createDirectories(dir);
    Volumes.write(r.image(), dir.resolve("image.tif"));
  }

  private static void run(Path file) {
    long t0 = System.nanoTime();
    Volume volume = Volumes.read(file);
    long t1 = System.nanoTime();
    Tracer tracer = NeuroSeg.tracer().build();
    Reconstruction r;
    long t2;
    long t3;
    try (Segmenter seg = NeuroSeg.segmenter().model(NeuroSeg.bundledModel()).build()) {
      // what run does by default: the levels the default hysteresis reads, then its mask
      PostProcessing post = PostProcessing.DEFAULT;
      double t = seg.config().threshold();
      var mask = post.applyToLevels(seg.segmentLevels(volume, post.low(t), t));
      t2 = System.nanoTime();
      var s = new io.github.neuroseg.segmentation.Segmentation(
          net.imglib2.converter.Converters.convert(mask, (in, out) -> out.setReal(in.get()),
              new net.imglib2.type.numeric.real.FloatType()), seg.config().threshold(),
          volume.voxelSize());
      r = new Reconstruction(s, mask, tracer.trace(Pipeline.traceInput(mask, s, volume)));
      t3 = System.nanoTime();
    }
    long voxels = volume.width() * volume.height() * volume.depth();
    double inputMib = Files.exists(file) ? sizeMib(file) : Double.NaN;
    double peak = peakResidentMib();
    System.out.printf(Locale.ROOT, "GROWTH size=%dx%dx%d voxels=%d input_mib=%.1f read_s=%.2f "
        + "segment_s=%.2f trace_s=%.3f peak_rss_mib=%.0f peak_over_input=%.2f nodes=%d%n",
        volume.width(), volume.height(), volume.depth(), voxels, inputMib, (t1 - t0) / 1e9,
        (t2 - t1) / 1e9, (t3 - t2) / 1e9, peak, peak / inputMib, r.tree().size());
  }

  private static double sizeMib(Path f) {
    try {
      return Files.size(f) / (1024.0 * 1024.0);
    } catch (IOException e) {
      return Double.NaN;
    }
  }

  /** {@code VmHWM} of {@code /proc/self/status}: the peak resident memory, MiB (Linux). */
  static double peakResidentMib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return Double.NaN;
  }

  private static void traceScaling() {
    int s = 256;
    NeuronTree t = NeuronGenerator.newBuilder().bounds(s, s, s).seed(3).neuriteRadius(3)
        .neurites(6, 8).build().generate();
    ArrayImg<UnsignedByteType, ByteArray> small = GroundTruth.render(t, new long[] {s, s, s},
        VoxelSize.UNIT);
    byte[] m = small.update(null).getCurrentStorageArray();
    int w = 1024;
    int h = 1024;
    byte[] big = new byte[w * h * s];
    for (int z = 0; z < s; z++) {
      for (int y = 0; y < s; y++) {
        System.arraycopy(m, (z * s + y) * s, big, (z * h + y) * w, s);
      }
    }
    ArrayImg<UnsignedByteType, ByteArray> large = ArrayImgs.unsignedBytes(big, w, h, s);
    long fg = 0;
    for (byte b : m) {
      fg += b != 0 ? 1 : 0;
    }
    Tracer tracer = NeuroSeg.tracer().build();
    double bestSmall = Double.POSITIVE_INFINITY;
    double bestLarge = Double.POSITIVE_INFINITY;
    double cpuSmall = Double.POSITIVE_INFINITY;
    double cpuLarge = Double.POSITIVE_INFINITY;
    int nodes = 0;
    for (int i = 0; i < 6; i++) {
      double c0 = cpuSeconds();
      long t0 = System.nanoTime();
      NeuronTree a = tracer.trace(TraceInput.of(small, VoxelSize.UNIT));
      long t1 = System.nanoTime();
      double c1 = cpuSeconds();
      NeuronTree b = tracer.trace(TraceInput.of(large, VoxelSize.UNIT));
      long t2 = System.nanoTime();
      double c2 = cpuSeconds();
      if (!a.nodes().equals(b.nodes())) {
        throw new IllegalStateException("the embedded neuron traced differently");
      }
      nodes = a.size();
      if (i > 0) { // the first round warms up
        bestSmall = Math.min(bestSmall, (t1 - t0) / 1e9);
        bestLarge = Math.min(bestLarge, (t2 - t1) / 1e9);
        cpuSmall = Math.min(cpuSmall, c1 - c0);
        cpuLarge = Math.min(cpuLarge, c2 - c1);
      }
    }
    System.out.printf(Locale.ROOT, "trace of %d foreground voxels (%d nodes): 256x256x256 %.3f s "
        + "(%.3f CPU s), the same in 1024x1024x256 %.3f s (%.3f CPU s)%n", fg, nodes, bestSmall,
        cpuSmall, bestLarge, cpuLarge);
    System.out.printf(Locale.ROOT, "BENCH trace_scaling ratio=%.2f cpu_ratio=%.2f goal=2%n",
        bestLarge / bestSmall, cpuLarge / cpuSmall);
  }

  private static double cpuSeconds() {
    java.lang.management.OperatingSystemMXBean os =
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun
        ? sun.getProcessCpuTime() / 1e9 : Double.NaN;
  }
}
