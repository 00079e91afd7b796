package io.github.neuroseg.benchmarks;

import io.github.neuroseg.NeuroSegException;
import io.github.neuroseg.metrics.ContrastToNoise;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.synth.NeuronRenderer;
import io.github.neuroseg.synth.RenderedNeuron;
import io.github.neuroseg.synth.TreeFitting;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.Volumes;
import io.github.neuroseg.volume.VoxelSize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Supplier;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import org.jspecify.annotations.Nullable;

/**
 * The cases of the real-data benchmark: DIADEM stacks with their gold standards, two other real
 * stacks with reconstructions, and real reconstructions rendered at set contrast-to-noise
 * ratios. Every reference is in voxel coordinates of its volume.
 */
final class RealCases {
  /** DIADEM stack names and the xy shift (voxels) that aligns each gold standard (data README). */
  static final String[] DIADEM = {"OP_1", "OP_2", "OP_3", "OP_4", "OP_5", "OP_6"};

  private static final double[][] DIADEM_SHIFT = {
    {0, 0}, {-1.5, -2}, {0, 0}, {0, 0}, {-2, 0.5}, {-1.5, -1.5}
  };

  /** Reconstructions rendered at {@link #CNRS}: several origins and shapes. */
  static final String[] RENDERED = {
    "AA0001.swc", "21dpi_contra_infra_01.CNG.swc", "original_vr_neuron.swc", "test_upload_1.swc"
  };

  /** Target contrast-to-noise ratios of the rendered cases. */
  static final double[] CNRS = {1.5, 3, 6};

  /** Longest in-plane side of a rendered volume, voxels. */
  static final int RENDER_SIDE = 160;

  /** Relative tolerance of the calibrated contrast-to-noise ratio. */
  static final double CNR_TOLERANCE = 0.01;

  private static final double MARGIN = 4;

  private static final long MIN_DEPTH = 24;

  /**
   * Voxel size of the rendered volumes: slices three in-plane voxels apart, as in confocal
   * stacks such as DIADEM's (z step 3.03 times the pixel size).
   */
  static final VoxelSize VOXEL_SIZE = new VoxelSize(1, 1, 3, "voxel");

  private static final long MAX_DEPTH = 48;

  /** Radius clamp of fitted reconstructions, voxels (as the bundled model's training data). */
  private static final double MIN_RADIUS = 0.5;

  private static final double MAX_RADIUS = 3;

  private RealCases() {}

  /**
   * One benchmark case.
   *
   * @param name the name in the table ({@code OP_1}, {@code crop1}, {@code AA0001@cnr3})
   * @param source what a model's data split names it by: the stack or the reconstruction's stem
   * @param volume the image
   * @param reference the reference reconstruction in voxel coordinates of {@code volume}
   * @param truthMask the exact foreground, for rendered cases; otherwise {@code null}
   * @param boxed whether precision is also reported inside the reference's box (a gold standard
   *     that covers one arbor of the stack)
   * @param note how the case was made, for the log
   */
  record Case(String name, String source, Volume volume, NeuronTree reference,
      @Nullable RandomAccessibleInterval<? extends RealType<?>> truthMask, boolean boxed,
      String note) {}

  /** A case not built yet, so that only one volume is held at a time. */
  record Pending(String name, String source, Supplier<Case> load) {}

  /**
   * The cases found under {@code data} (its {@code diadem/}, {@code stacks/} and {@code swc/}
   * folders), in table order; each missing file is reported to {@code skipped} and its case left
   * out.
   */
  static List<Pending> all(Path data, Consumer<String> skipped) {
    List<Pending> out = new ArrayList<>();
    for (int i = 0; i < DIADEM.length; i++) {
      String name = DIADEM[i];
      Path tif = data.resolve("diadem").resolve(name + ".tif");
      Path swc = data.resolve("diadem").resolve(name + ".swc");
      if (present(skipped, name, tif, swc)) {
        double[] shift = DIADEM_SHIFT[i];
        out.add(new Pending(name, name, () -> diadem(name, tif, swc, shift)));
      }
    }
    Path stacks = data.resolve("stacks");
    for (String[] s : new String[][] {{"test.small", "test.small.swc"},
        {"crop1", "crop1_app2.swc"}}) {
      Path tif = stacks.resolve(s[0] + ".tif");
      Path swc = stacks.resolve(s[1]);
      if (present(skipped, s[0], tif, swc)) {
        String note = s[0].equals("crop1") ? "reference: APP2's output"
            : "reference: the stack's reconstruction";
        out.add(new Pending(s[0], s[0], () -> stack(s[0], tif, swc, note)));
      }
    }
    for (int k = 0; k < RENDERED.length; k++) {
      Path swc = data.resolve("swc").resolve(RENDERED[k]);
      String stem = RENDERED[k].replaceFirst("\\.swc$", "");
      if (!present(skipped, stem + "@cnr*", swc)) {
        continue;
      }
      NeuronTree raw;
      try {
        raw = Swc.read(swc);
      } catch (NeuroSegException e) {
        skipped.accept(stem + ": cannot be read (" + e.getMessage() + "), not rendered");
        continue;
      }
      long seed = 1000 + k;
      for (double cnr : CNRS) {
        String name = stem + "@cnr" + fmtCnr(cnr);
        out.add(new Pending(name, stem, () -> rendered(name, stem, raw, cnr, seed)));
      }
    }
    return out;
  }

  private static boolean present(Consumer<String> skipped, String name, Path... files) {
    for (Path f : files) {
      if (!Files.isRegularFile(f)) {
        skipped.accept(name + ": " + f + " is missing, case skipped");
        return false;
      }
    }
    return true;
  }

  static String fmtCnr(double cnr) {
    return cnr == Math.rint(cnr) ? Long.toString((long) cnr) : Double.toString(cnr);
  }

  /**
   * A DIADEM stack: read with its ImageJ voxel size (z 3.03 times xy); the gold standard is in
   * voxels already and is moved by the stack's xy shift.
   */
  static Case diadem(String name, Path tif, Path swc, double[] shift) {
    Volume v = Volumes.read(tif);
    NeuronTree ref = Swc.read(swc).translate(shift[0], shift[1], 0);
    return new Case(name, name, v, ref, null, true, String.format(Locale.ROOT,
        "gold standard shifted by (%s, %s)", shift[0], shift[1]));
  }

  /** A stack whose reconstruction counts y from the bottom: {@code y' = height - 1 - y}. */
  /**
   * A real stack with its reconstruction as written: both stacks are stored bottom to top (TIFF
   * orientation 4), which the reader turns upright, so the trees need no flip.
   */
  static Case stack(String name, Path tif, Path swc, String note) {
    Volume v = Volumes.read(tif);
    return new Case(name, name, v, Swc.read(swc), null, false, note);
  }

  /**
   * A reconstruction fitted into a volume and rendered with blur, shot and read noise, gaps,
   * varicosities, distractors and a structured background, the neuron's brightness calibrated
   * so that the image's contrast-to-noise ratio is {@code cnr}.
   */
  static Case rendered(String name, String source, NeuronTree raw, double cnr, long seed) {
    return rendered(name, source, raw, cnr, seed, RENDER_SIDE);
  }

  /** As {@link #rendered(String, String, NeuronTree, double, long)} in a volume of another side. */
  static Case rendered(String name, String source, NeuronTree raw, double cnr, long seed,
      int side) {
    long[] dims = dimsFor(raw, side);
    NeuronTree tree = TreeFitting.fit(raw, dims, VOXEL_SIZE, MARGIN, MIN_RADIUS, MAX_RADIUS);
    Calibrated c = calibrate(tree, dims, cnr, seed);
    return new Case(name, source, c.neuron().image(), tree.toVoxels(VOXEL_SIZE),
        c.neuron().mask(), false,
        String.format(Locale.ROOT, "rendered %dx%dx%d, foreground %.1f, measured CNR %.3f"
            + " (target %s)", dims[0], dims[1], dims[2], c.foreground(), c.cnr(), fmtCnr(cnr)));
  }

  /** The renderer of the rendered cases at a given neuron brightness. */
  static NeuronRenderer renderer(double foreground, long seed) {
    // a microscope-like image: background 200 counts with shot and read noise, a PSF of sigma 1
    // voxel in x, y and z (3 pixels: the axial blur is three times the lateral), gaps and
    // varicosities (renderer defaults), bright blobs that are not neuron, and an uneven
    // background: a smooth field of 25 counts and ramps of 40 counts in x and -60 in z
    return NeuronRenderer.newBuilder().seed(seed).background(200).foreground(foreground)
        .psfSigmaXy(1).psfSigmaZ(1).distractors(6).backgroundVariation(25)
        .backgroundCorrelation(12)
        .backgroundGradient(40, 0, -60).build();
  }

  /**
   * A rendered neuron, its brightness and the contrast-to-noise ratio it measured.
   *
   * @param neuron the rendering
   * @param foreground the renderer's foreground level that gave it
   * @param cnr its measured contrast-to-noise ratio
   */
  record Calibrated(RenderedNeuron neuron, double foreground, double cnr) {}

  /**
   * Finds the foreground level whose rendering has the target ratio (within {@link
   * #CNR_TOLERANCE}): a proportional first step, then secant steps on the measured ratio, which
   * grows smoothly with the level (the seed fixes the noise, the field and the blobs). Returns
   * the closest rendering found.
   */
  static Calibrated calibrate(NeuronTree tree, long[] dims, double target, long seed) {
    double f0 = 100;
    Calibrated best = measure(tree, dims, f0, seed);
    Calibrated prev = best;
    double f = f0 * target / best.cnr();
    for (int iter = 0; iter < 10 && Math.abs(best.cnr() / target - 1) > CNR_TOLERANCE; iter++) {
      Calibrated cur = measure(tree, dims, f, seed);
      if (Math.abs(cur.cnr() - target) < Math.abs(best.cnr() - target)) {
        best = cur;
      }
      double slope = (cur.cnr() - prev.cnr()) / (cur.foreground() - prev.foreground());
      double next = slope > 0 && Double.isFinite(slope)
          ? cur.foreground() + (target - cur.cnr()) / slope
          : cur.foreground() * target / cur.cnr();
      prev = cur;
      f = Math.max(1, next);
    }
    return best;
  }

  private static Calibrated measure(NeuronTree tree, long[] dims, double foreground, long seed) {
    RenderedNeuron n = renderer(foreground, seed).render(tree, dims, VOXEL_SIZE);
    return new Calibrated(n, foreground,
        ContrastToNoise.measure(n.image().image(), n.mask()).ratio());
  }

  /**
   * A volume of {@link #VOXEL_SIZE} voxels that holds the tree with the margin at one scale for
   * all axes: the longest in-plane side is {@code side} unless the tree is deep, when the depth
   * is capped at {@link #MAX_DEPTH} slices and the tree is smaller; at least {@link #MIN_DEPTH}
   * slices.
   */
  static long[] dimsFor(NeuronTree tree, int side) {
    double[] b = tree.boundingBox();
    double ex = b[3] - b[0];
    double ey = b[4] - b[1];
    double ez = b[5] - b[2];
    double extent = Math.max(ex, ey);
    // in-plane voxels per unit of the tree
    double scale = extent > 0 ? (side - 1 - 2 * MARGIN) / extent : 1;
    double vz = VOXEL_SIZE.z() / VOXEL_SIZE.x();
    if (ez * scale / vz > MAX_DEPTH - 1 - 2 * MARGIN) {
      scale = (MAX_DEPTH - 1 - 2 * MARGIN) * vz / ez;
    }
    long w = Math.max(16, Math.round(ex * scale + 1 + 2 * MARGIN));
    long h = Math.max(16, Math.round(ey * scale + 1 + 2 * MARGIN));
    long d = Math.max(MIN_DEPTH, Math.round(ez * scale / vz + 1 + 2 * MARGIN));
    return new long[] {w, h, d};
  }
}
