package io.github.neuroseg.benchmarks;

import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.Volumes;
import io.github.neuroseg.volume.VoxelSize;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Volume I/O throughput on a 16-bit {@code 512 x 512 x slices} volume: writing and reading an
 * uncompressed TIFF stack and a {@code .v3draw} file, and reading an LZW-compressed TIFF stack
 * written by the JDK's TIFF writer. Each number is the median of the rounds, in MB/s of voxel
 * data (2 bytes per voxel), through the page cache of a temporary folder.
 *
 * <p>Usage: {@code VolumeIoBenchmark [slices] [rounds]} (defaults 128, 5). Ends with {@code
 * BENCH io tiff_write_mb_s=<x> tiff_read_mb_s=<x> v3draw_write_mb_s=<x> v3draw_read_mb_s=<x>
 * lzw_read_mb_s=<x> mb=<x>}.
 */
public final class VolumeIoBenchmark {
  private VolumeIoBenchmark() {}

  /**
   * Runs the benchmark.
   *
   * @param args optional slices and rounds
   * @throws IOException when the temporary folder cannot be used
   */
  public static void main(String[] args) throws IOException {
    int slices = args.length > 0 ? Integer.parseInt(args[0]) : 128;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int w = 512;
    int h = 512;
    short[] data = new short[w * h * slices];
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < data.length; i++) {
      // smooth-ish content with noise, so the LZW file is not trivially small
      data[i] = (short) (((i % w) * 3 + (i / w % h) * 5) / 4 + r.nextInt(64));
    }
    Volume v = Volume.ofUnsignedShorts(data, w, h, slices, VoxelSize.microns(0.3, 0.3, 1));
    double mb = data.length * 2 / 1e6;
    Path dir = Files.createTempDirectory("neuroseg-io-bench");
    try {
      Path tif = dir.resolve("v.tif");
      Path raw = dir.resolve("v.v3draw");
      Path lzw = dir.resolve("lzw.tif");
      writeLzw(data, w, h, slices, lzw);
      double[][] t = new double[5][rounds];
      for (int k = 0; k < rounds; k++) {
        t[0][k] = seconds(() -> Volumes.write(v, tif));
        t[1][k] = seconds(() -> Volumes.read(tif));
        t[2][k] = seconds(() -> Volumes.write(v, raw));
        t[3][k] = seconds(() -> Volumes.read(raw));
        t[4][k] = seconds(() -> Volumes.read(lzw));
      }
      String[] names = {"tiff_write", "tiff_read", "v3draw_write", "v3draw_read", "lzw_read"};
      StringBuilder bench = new StringBuilder("BENCH io");
      for (int i = 0; i < names.length; i++) {
        double rate = mb / median(t[i]);
        System.out.printf(Locale.ROOT, "%-13s %8.1f MB/s  (rounds: %s s)%n", names[i], rate,
            Arrays.toString(Arrays.stream(t[i]).map(x -> Math.round(x * 1000) / 1000.0)
                .toArray()));
        bench.append(String.format(Locale.ROOT, " %s_mb_s=%.1f", names[i], rate));
      }
      System.out.printf(Locale.ROOT, "volume %dx%dx%d 16-bit (%.1f MB), LZW file %.1f MB%n", w,
          h, slices, mb, Files.size(lzw) / 1e6);
      bench.append(String.format(Locale.ROOT, " mb=%.1f", mb));
      System.out.println(bench);
    } finally {
      try (var files = Files.list(dir)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  private static double seconds(Runnable r) {
    long t0 = System.nanoTime();
    r.run();
    return (System.nanoTime() - t0) / 1e9;
  }

  private static double median(double[] a) {
    double[] s = a.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static void writeLzw(short[] data, int w, int h, int d, Path file) throws IOException {
    ImageWriter writer = null;
    for (var it = ImageIO.getImageWritersByFormatName("tiff"); it.hasNext(); ) {
      ImageWriter candidate = it.next();
      if (candidate.getClass().getName().startsWith("com.sun.imageio")) {
        writer = candidate;
      }
    }
    if (writer == null) {
      throw new IOException("the JDK's TIFF writer is missing");
    }
    try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
      writer.setOutput(out);
      ImageWriteParam p = writer.getDefaultWriteParam();
      p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      p.setCompressionType("LZW");
      writer.prepareWriteSequence(null);
      for (int z = 0; z < d; z++) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
        WritableRaster raster = img.getRaster();
        int[] plane = new int[w * h];
        for (int i = 0; i < plane.length; i++) {
          plane[i] = data[z * w * h + i] & 0xffff;
        }
        raster.setSamples(0, 0, w, h, 0, plane);
        writer.writeToSequence(new IIOImage(img, null, null), p);
      }
      writer.endWriteSequence();
    } finally {
      writer.dispose();
    }
  }
}
