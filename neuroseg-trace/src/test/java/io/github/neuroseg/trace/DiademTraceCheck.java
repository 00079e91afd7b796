package io.github.neuroseg.trace;

import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.metrics.ReconstructionMetrics;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.tracing.TraceInput;
import io.github.neuroseg.tracing.TracerBuilder;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.Volumes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import net.imglib2.Cursor;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.view.Views;

/**
 * The tracer on thresholded DIADEM stacks, scored against the gold standards in voxel units:
 * trees, tips, node precision/recall/F1 at 2 voxels. Not a test (it needs the shared data and
 * takes a minute); run it with the test class path:
 *
 * <pre>
 * java -cp neuroseg-trace/target/test-classes:neuroseg-trace/target/classes:CP \
 *   io.github.neuroseg.trace.DiademTraceCheck [dataDir] [outDir]
 * </pre>
 *
 * <p>Tracer settings can be overridden with {@code -Dtrace.<setter>=<value>} for the numeric
 * setters; {@code -Dcheck.stacks=OP_1,OP_4} and {@code -Dcheck.methods=gauss} restrict the
 * run. The two masks are the real-data benchmark's threshold baselines: {@code v > mean +
 * 0.5 std}, and a Gaussian of sigma 1 voxel then {@code > mean + 3 std}; the tracer gets the mask
 * and the stack's intensities, as the benchmark gives them.
 */
final class DiademTraceCheck {
  private static final String[] NAMES = {"OP_1", "OP_2", "OP_3", "OP_4", "OP_5", "OP_6"};
  /** xy shift of each gold standard (the data README). */
  private static final double[][] SHIFT = {{0, 0}, {-1.5, -2}, {0, 0}, {0, 0}, {-2, 0.5},
    {-1.5, -1.5}};

  private DiademTraceCheck() {}

  public static void main(String[] args) throws Exception {
    Path data = Path.of(args.length > 0 ? args[0] : "../shared/data").resolve("diadem");
    Path out = args.length > 1 ? Path.of(args[1]) : null;
    if (out != null) {
      Files.createDirectories(out);
    }
    TracerBuilder b = NeuroSeg.tracer();
    for (String key : System.getProperties().stringPropertyNames()) {
      if (key.startsWith("trace.")) {
        String setter = key.substring("trace.".length());
        String value = System.getProperty(key);
        var method = Arrays.stream(TracerBuilder.class.getMethods())
            .filter(m -> m.getName().equals(setter) && m.getParameterCount() == 1)
            .findFirst().orElseThrow(() -> new IllegalArgumentException("no setter " + setter));
        Class<?> t = method.getParameterTypes()[0];
        Object arg = t == int.class ? (Object) Integer.parseInt(value)
            : t == boolean.class ? (Object) Boolean.parseBoolean(value)
            : (Object) Double.parseDouble(value);
        method.invoke(b, arg);
      }
    }
    var tracer = b.build();
    System.out.println("tracer: " + tracer.config());
    System.out.printf(Locale.ROOT, "| %-5s | %-10s | %5s | %5s | %6s | %6s | %6s | %6s |%n",
        "stack", "method", "trees", "tips", "P", "R", "F1", "time s");
    double[] sumF1 = new double[2];
    int[] sumTrees = new int[2];
    int[] sumTips = new int[2];
    String stacks = System.getProperty("check.stacks", String.join(",", NAMES));
    String methods = System.getProperty("check.methods", "mean,gauss");
    for (int s = 0; s < NAMES.length; s++) {
      Path tif = data.resolve(NAMES[s] + ".tif");
      if (!Arrays.asList(stacks.split(",")).contains(NAMES[s])) {
        continue;
      }
      if (!Files.exists(tif)) {
        System.out.println("skip " + tif);
        continue;
      }
      Volume v = Volumes.read(tif);
      NeuronTree ref = Swc.read(data.resolve(NAMES[s] + ".swc"))
          .translate(SHIFT[s][0], SHIFT[s][1], 0);
      System.out.printf(Locale.ROOT, "| %-5s | %-10s | %5d | %5d | %6s | %6s | %6s | %6s |%n",
          NAMES[s], "reference", ref.roots().size(), ref.leaves().size(), "", "", "", "");
      float[] vox = voxels(v);
      long[] dims = v.dimensions();
      for (int m = 0; m < 2; m++) {
        if (!methods.contains(m == 0 ? "mean" : "gauss")) {
          continue;
        }
        float[] src = vox;
        double k = 0.5;
        if (m == 1) {
          src = vox.clone();
          gaussian(src, (int) dims[0], (int) dims[1], (int) dims[2], 1.0);
          k = 3;
        }
        ArrayImg<UnsignedByteType, ByteArray> mask = above(src, k, dims);
        long t0 = System.nanoTime();
        NeuronTree traced = tracer.trace(
            TraceInput.of(mask, v.voxelSize()).withIntensities(v.image()));
        double sec = (System.nanoTime() - t0) / 1e9;
        NeuronTree pred = traced.toVoxels(v.voxelSize());
        ReconstructionMetrics.Scores sc = ReconstructionMetrics.compare(ref, pred);
        String method = m == 0 ? "mean+0.5sd" : "gauss+3sd";
        System.out.printf(Locale.ROOT,
            "| %-5s | %-10s | %5d | %5d | %6.3f | %6.3f | %6.3f | %6.2f |%n", NAMES[s], method,
            pred.roots().size(), pred.leaves().size(), sc.precision(), sc.recall(), sc.f1(), sec);
        sumF1[m] += sc.f1();
        sumTrees[m] += pred.roots().size();
        sumTips[m] += pred.leaves().size();
        if (out != null) {
          Swc.write(pred, out.resolve(NAMES[s] + "." + (m == 0 ? "mean" : "gauss") + ".swc"));
        }
      }
    }
    for (int m = 0; m < 2; m++) {
      System.out.printf(Locale.ROOT, "TOTAL %s trees=%d tips=%d mean_f1=%.4f%n",
          m == 0 ? "mean+0.5sd" : "gauss+3sd", sumTrees[m], sumTips[m], sumF1[m] / NAMES.length);
    }
  }

  static float[] voxels(Volume v) {
    float[] out = new float[Math.toIntExact(v.width() * v.height() * v.depth())];
    Cursor<? extends RealType<?>> c = Views.flatIterable(v.image()).cursor();
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) c.next().getRealDouble();
    }
    return out;
  }

  /** Foreground where the value exceeds mean + k population standard deviations. */
  static ArrayImg<UnsignedByteType, ByteArray> above(float[] v, double k, long[] dims) {
    double sum = 0;
    for (float x : v) {
      sum += x;
    }
    double mean = sum / v.length;
    double sq = 0;
    for (float x : v) {
      sq += (x - mean) * (x - mean);
    }
    double t = mean + k * Math.sqrt(sq / v.length);
    byte[] m = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      m[i] = (byte) (v[i] > t ? 1 : 0);
    }
    return ArrayImgs.unsignedBytes(m, dims);
  }

  /** Separable Gaussian (same sigma in voxels on every axis, 4 sigma taps, edges repeated). */
  static void gaussian(float[] data, int nx, int ny, int nz, double sigma) {
    int half = (int) Math.ceil(4 * sigma);
    double[] w = new double[2 * half + 1];
    double norm = 0;
    for (int i = 0; i < w.length; i++) {
      double d = i - half;
      w[i] = Math.exp(-d * d / (2 * sigma * sigma));
      norm += w[i];
    }
    int[] size = {nx, ny, nz};
    int[] step = {1, nx, nx * ny};
    for (int axis = 0; axis < 3; axis++) {
      int len = size[axis];
      double[] line = new double[len];
      int st = step[axis];
      for (int base = 0; base < data.length; base++) {
        // visit each line once, from its first voxel
        if ((base / st) % len != 0) {
          continue;
        }
        for (int q = 0; q < len; q++) {
          line[q] = data[base + q * st];
        }
        for (int q = 0; q < len; q++) {
          double acc = 0;
          for (int r = -half; r <= half; r++) {
            acc += w[r + half] * line[Math.max(0, Math.min(len - 1, q + r))];
          }
          data[base + q * st] = (float) (acc / norm);
        }
      }
    }
  }
}
