package io.github.neuroseg.benchmarks;

import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.model.VitOnnxWriter;
import io.github.neuroseg.model.VitWeights;
import io.github.neuroseg.segmentation.ModelSource;
import io.github.neuroseg.segmentation.Segmentation;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.segmentation.SegmenterConfig;
import io.github.neuroseg.spark.BlockSegmentationJob;
import io.github.neuroseg.spark.SparkMain;
import io.github.neuroseg.training.VitArchitecture;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.Volumes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import net.imglib2.Cursor;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The block segmentation job against one JVM: generates a {@code W x H x D} 16-bit OME-Zarr
 * volume ({@code SparkMain generate}), segments it with the model of {@code
 * scripts/bench-inference} (ViT-Tiny-sized: E = 192, 4 blocks, patch 16, input depth 5, tile 96 x
 * 96; random weights) by {@link
 * BlockSegmentationJob} on Spark {@code local[1]} and {@code local[2]} (one ONNX Runtime thread
 * per task, so a task is a core), then with {@link Segmenter#segment} in this JVM (ONNX Runtime's
 * default threads), and checks that the Spark masks equal {@code segment()}'s.
 *
 * <p>Usage: {@code SparkBenchmark [W H D] [dir]}, default 1024 1024 256 and a temporary folder
 * (deleted afterwards). Ends with {@code BENCH spark voxels=<n> local1_voxels_s=<x>
 * local2_voxels_s=<x> scaling=<x> segment_voxels_s=<x> identical=<true|false>}.
 */
public final class SparkBenchmark {
  private SparkBenchmark() {}

  /**
   * Runs the benchmark.
   *
   * @param args see the class description
   * @throws IOException when the folder cannot be used
   */
  public static void main(String[] args) throws IOException {
    long w = args.length > 2 ? Long.parseLong(args[0]) : 1024;
    long h = args.length > 2 ? Long.parseLong(args[1]) : 1024;
    long d = args.length > 2 ? Long.parseLong(args[2]) : 256;
    int k = args.length > 2 ? 3 : 0;
    Path dir = args.length > k ? Path.of(args[k]) : Files.createTempDirectory("bench-spark");
    boolean temporary = args.length <= k;
    try {
      Path in = dir.resolve("volume.zarr");
      if (SparkMain.run(new String[] {"generate", "--output", in.toString(), "--size",
          w + "," + h + "," + d, "--neurons", "12"}, System.err, System.err) != 0) {
        throw new IllegalStateException("generating the volume failed");
      }
      // the model of scripts/bench-inference: ViT-Tiny-sized, random weights
      VitArchitecture arch = new VitArchitecture(192, 4, 3, 16, 5, 96, 96);
      byte[] model = VitOnnxWriter.write(arch, VitWeights.random(arch, 1, 0.02),
          Map.of("normalization", "percentile:0.5,99.5", "threshold", "0.5"));
      SegmenterConfig spark = NeuroSeg.segmenter().model(ModelSource.bytes("vit-tiny", model))
          .threads(1).config();
      double[] rate = new double[2];
      for (int cores = 1; cores <= 2; cores++) {
        SparkConf conf = new SparkConf().setMaster("local[" + cores + "]")
            .setAppName("bench-spark").set("spark.ui.enabled", "false");
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
          BlockSegmentationJob.Result r = BlockSegmentationJob.newBuilder().input(in)
              .mask(dir.resolve("mask-" + cores + ".zarr")).segmenter(spark).build().run(sc);
          rate[cores - 1] = r.voxels() / r.seconds();
          System.err.printf(Locale.ROOT, "local[%d]: %d blocks, %.1f s, %.0f voxels/s%n", cores,
              r.blocks(), r.seconds(), rate[cores - 1]);
        }
      }
      Volume volume = Volumes.read(in);
      long start = System.nanoTime();
      Segmentation s;
      try (Segmenter seg = NeuroSeg.segmenter().model(ModelSource.bytes("vit-tiny", model))
          .build()) {
        s = seg.segment(volume);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long voxels = w * h * d;
      System.err.printf(Locale.ROOT, "segment(): %.1f s%n", seconds);
      boolean identical = true;
      for (int cores = 1; cores <= 2; cores++) {
        Cursor<? extends RealType<?>> a = Views.flatIterable(s.mask()).cursor();
        Cursor<? extends RealType<?>> b = Views.flatIterable(
            Volumes.read(dir.resolve("mask-" + cores + ".zarr")).image()).cursor();
        while (a.hasNext() && identical) {
          identical = a.next().getRealDouble() == b.next().getRealDouble();
        }
      }
      System.out.printf(Locale.ROOT, "BENCH spark voxels=%d local1_voxels_s=%.0f "
          + "local2_voxels_s=%.0f scaling=%.2f segment_voxels_s=%.0f identical=%b%n", voxels,
          rate[0], rate[1], rate[1] / rate[0], voxels / seconds, identical);
    } finally {
      if (temporary) {
        try (Stream<Path> files = Files.walk(dir)) {
          for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(p);
          }
        }
      }
    }
  }
}
