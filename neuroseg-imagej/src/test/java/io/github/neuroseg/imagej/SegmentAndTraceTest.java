package io.github.neuroseg.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.measure.Calibration;
import ij.process.ColorProcessor;
import io.github.neuroseg.Device;
import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.metrics.ReconstructionMetrics;
import io.github.neuroseg.onnx.BioImageIo;
import io.github.neuroseg.metrics.SegmentationMetrics;
import io.github.neuroseg.segmentation.PostProcessing;
import io.github.neuroseg.segmentation.Segmentation;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.synth.RenderedNeuron;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import net.imglib2.RandomAccess;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command run through ImageJ's macro machinery, headless, on a rendered neuron: the options
 * a macro passes (as the recorder writes them) in, a calibrated mask image and an SWC file out.
 */
class SegmentAndTraceTest {
  private static final long SEED = 424242L;
  private static RenderedNeuron neuron;

  @TempDir Path tmp;

  @BeforeAll
  static void render() {
    System.setProperty("java.awt.headless", "true");
    neuron = Neurons.render(SEED);
  }

  @Test
  void recordedMacroGivesACalibratedMaskAndAnSwcNearTheNeuron() throws Exception {
    ImagePlus imp = Neurons.imagePlus(neuron, "neuron.tif");
    Path dir = Files.createDirectories(tmp.resolve("out dir"));
    Path swc = dir.resolve("neuron 1.swc");
    String options = "model=bundled device=cpu tile=[] threshold=[] swc=[" + swc
        + "] probability trace";
    long start = System.nanoTime();
    SegmentAndTrace plugin = (SegmentAndTrace) ImageJMacro.run(imp, SegmentAndTrace.COMMAND,
        options);
    double seconds = (System.nanoTime() - start) / 1e9;
    SegmentAndTrace.Result r = plugin.lastResult();
    assertNotNull(r, "no result; ImageJ's last error: " + IJ.getErrorMessage());

    ImagePlus mask = r.mask();
    assertEquals("neuron-mask", mask.getTitle());
    assertEquals(8, mask.getBitDepth());
    assertEquals(Neurons.WIDTH, mask.getWidth());
    assertEquals(Neurons.HEIGHT, mask.getHeight());
    assertEquals(Neurons.DEPTH, mask.getNSlices());
    assertEquals(1, mask.getNChannels());
    assertCalibration(imp.getCalibration(), mask.getCalibration());

    // the same segmentation as the library's on the same voxels, shown as 0/255
    Segmentation expected;
    try (Segmenter s = NeuroSeg.segmenter().model(NeuroSeg.bundledModel()).build()) {
      expected = s.segment(neuron.image());
    }
    assertEquals(expected.threshold(), r.threshold(), 0.0);
    assertEquals(Device.cpu(), r.device());
    // blank post-processing fields: the library's default, as neuroseg run applies it
    RandomAccess<UnsignedByteType> em = PostProcessing.DEFAULT.apply(expected).randomAccess();
    long foreground = 0;
    for (int z = 0; z < Neurons.DEPTH; z++) {
      byte[] m = (byte[]) mask.getStack().getPixels(z + 1);
      for (int y = 0; y < Neurons.HEIGHT; y++) {
        for (int x = 0; x < Neurons.WIDTH; x++) {
          int v = m[y * Neurons.WIDTH + x] & 0xff;
          em.setPosition(new long[] {x, y, z});
          assertEquals(em.get().get() != 0 ? 255 : 0, v, "mask at " + x + "," + y + "," + z);
          foreground += v == 255 ? 1 : 0;
        }
      }
    }
    double dice = SegmentationMetrics.dice(expected.mask(), neuron.mask());
    // a sanity bound: the model's accuracy is BundledModelTest's business
    assertTrue(dice > 0.5, "Dice against the rendered truth " + dice);
    assertTrue(foreground > 100, "foreground voxels " + foreground);

    ImagePlus p = r.probabilities();
    assertNotNull(p);
    assertEquals("neuron-probabilities", p.getTitle());
    assertEquals(32, p.getBitDepth());
    assertEquals(Neurons.DEPTH, p.getNSlices());
    assertCalibration(imp.getCalibration(), p.getCalibration());
    for (int z = 1; z <= Neurons.DEPTH; z++) {
      float[] pr = (float[]) p.getStack().getPixels(z);
      byte[] m = (byte[]) mask.getStack().getPixels(z);
      for (int i = 0; i < pr.length; i++) {
        assertTrue(pr[i] >= 0 && pr[i] <= 1, "probability " + pr[i]);
        if (PostProcessing.DEFAULT.minComponentVoxels() <= 1) {
          // hysteresis only adds voxels to the thresholded mask
          assertTrue(pr[i] < (float) r.threshold() || m[i] != 0, "slice " + z + " voxel " + i);
        }
        assertTrue(m[i] == 0 || pr[i] >= (float) Math.min(r.threshold(),
            PostProcessing.DEFAULT.lowThreshold()), "slice " + z + " voxel " + i);
      }
    }

    // the SWC: written where the options said, in microns, along the rendered neuron
    assertEquals(swc, r.swc());
    assertTrue(Files.isRegularFile(swc), swc + " written");
    NeuronTree traced = Swc.read(swc);
    assertEquals(r.tree(), traced);
    assertTrue(traced.size() >= 10, "nodes " + traced.size());
    for (SwcNode n : traced.nodes()) {
      assertTrue(n.x() >= 0 && n.x() <= (Neurons.WIDTH - 1) * Neurons.VOXEL.x()
          && n.y() >= 0 && n.y() <= (Neurons.HEIGHT - 1) * Neurons.VOXEL.y()
          && n.z() >= 0 && n.z() <= (Neurons.DEPTH - 1) * Neurons.VOXEL.z(),
          "node inside the stack in microns: " + n);
    }
    double[] d = ReconstructionMetrics.nodeDistances(traced, neuron.tree());
    Arrays.sort(d);
    double median = d[d.length / 2];
    double p90 = d[(int) (0.9 * (d.length - 1))];
    // 2 voxels along z (the coarsest axis) is 2.4 microns
    assertTrue(median <= 2 * Neurons.VOXEL.z() && p90 <= 4 * Neurons.VOXEL.z(),
        "distance to the rendered tree: median " + median + ", 90th percentile " + p90
            + " microns");
    System.out.printf("Segment and Trace on %dx%dx%d: %.2f s, Dice %.3f, %d nodes, node distance"
            + " median %.3f p90 %.3f microns%n", Neurons.WIDTH, Neurons.HEIGHT, Neurons.DEPTH,
        seconds, dice, traced.size(), median, p90);
  }

  @Test
  void uncheckedBoxesAreAbsentWordsFieldsOverrideTheModelAndCudaFallsBack() throws Exception {
    ImagePlus imp = Neurons.imagePlus(neuron, "plain");
    Path swc = tmp.resolve("never.swc");
    SegmentAndTrace plugin = (SegmentAndTrace) ImageJMacro.run(imp, SegmentAndTrace.COMMAND,
        "model=[bundled] device=cuda:0 tile=32x32 threshold=0.8 swc=" + swc);
    SegmentAndTrace.Result r = plugin.lastResult();
    assertNotNull(r, "no result; ImageJ's last error: " + IJ.getErrorMessage());
    assertEquals(0.8, r.threshold(), 0.0);
    // the CPU build of ONNX Runtime: CUDA falls back to the CPU, said in the Log window
    assertEquals(Device.cpu(), r.device());
    assertNull(r.probabilities());
    assertNull(r.tree());
    assertNull(r.swc());
    assertFalse(Files.exists(swc), "no tracing, no SWC");
    assertEquals("plain-mask", r.mask().getTitle());
  }

  @Test
  void postProcessingFieldsGiveTheLibrarysMasks() throws Exception {
    ImagePlus imp = Neurons.imagePlus(neuron, "neuron");
    Segmentation expected;
    try (Segmenter s = NeuroSeg.segmenter().model(NeuroSeg.bundledModel()).build()) {
      expected = s.segment(neuron.image());
    }
    for (PostProcessing post : new PostProcessing[] {PostProcessing.NONE,
        new PostProcessing(0.3, 5)}) {
      String low = post.lowThreshold() >= 1 ? "off" : Double.toString(post.lowThreshold());
      SegmentAndTrace.Result r = ((SegmentAndTrace) ImageJMacro.run(imp,
          SegmentAndTrace.COMMAND, "model=bundled low=" + low + " minimum="
              + post.minComponentVoxels() + " swc=" + tmp.resolve("x.swc"))).lastResult();
      assertNotNull(r, "no result; ImageJ's last error: " + IJ.getErrorMessage());
      RandomAccess<UnsignedByteType> em = post.apply(expected).randomAccess();
      for (int z = 0; z < Neurons.DEPTH; z++) {
        byte[] m = (byte[]) r.mask().getStack().getPixels(z + 1);
        for (int y = 0; y < Neurons.HEIGHT; y++) {
          for (int x = 0; x < Neurons.WIDTH; x++) {
            em.setPosition(new long[] {x, y, z});
            assertEquals(em.get().get() != 0 ? 255 : 0, m[y * Neurons.WIDTH + x] & 0xff,
                post + " at " + x + "," + y + "," + z);
          }
        }
      }
    }
  }

  @Test
  void aBioImageIoPackageServesAsTheModel() throws Exception {
    Path pkg = tmp.resolve("bioimage.io package");
    BioImageIo.export(NeuroSeg.bundledModel(), pkg, BioImageIo.Options.defaults());
    ImagePlus imp = Neurons.imagePlus(neuron, "neuron");
    SegmentAndTrace.Result fromPackage = ((SegmentAndTrace) ImageJMacro.run(imp,
        SegmentAndTrace.COMMAND, "model=[" + pkg + "] device=cpu tile=[] threshold=[] swc="
            + tmp.resolve("p.swc"))).lastResult();
    assertNotNull(fromPackage, "no result; ImageJ's last error: " + IJ.getErrorMessage());
    SegmentAndTrace.Result fromModel = ((SegmentAndTrace) ImageJMacro.run(imp,
        SegmentAndTrace.COMMAND, "model=[bundled] device=cpu tile=[] threshold=[] swc="
            + tmp.resolve("m.swc"))).lastResult();
    assertNotNull(fromModel, "no result; ImageJ's last error: " + IJ.getErrorMessage());
    assertEquals(fromModel.threshold(), fromPackage.threshold(), 0.0);
    int n = fromModel.mask().getStackSize();
    assertEquals(n, fromPackage.mask().getStackSize());
    for (int z = 1; z <= n; z++) {
      assertTrue(Arrays.equals((byte[]) fromModel.mask().getStack().getPixels(z),
          (byte[]) fromPackage.mask().getStack().getPixels(z)), "slice " + z);
    }
  }

  @Test
  void badInputIsReportedAsAnImageJErrorAndWritesNothing() throws Exception {
    Path swc = tmp.resolve("bad.swc");
    IJ.getErrorMessage();
    ImagePlus rgb = new ImagePlus("colour", new ColorProcessor(16, 16));
    assertFails(rgb, "swc=" + swc + " trace", "RGB");
    ImagePlus imp = Neurons.imagePlus(neuron, "neuron");
    assertFails(imp, "threshold=1.5 swc=" + swc + " trace", "threshold");
    assertFails(imp, "tile=big swc=" + swc + " trace", "tile");
    assertFails(imp, "device=tpu swc=" + swc + " trace", "device");
    assertFails(imp, "low=2 swc=" + swc + " trace", "low threshold");
    assertFails(imp, "minimum=-3 swc=" + swc + " trace", "minimum object");
    // the bundled model has a fixed input size
    assertFails(imp, "tile=24x24 swc=" + swc + " trace", "32 x 32");
    Path missing = tmp.resolve("no such model.onnx");
    assertFails(imp, "model=[" + missing + "] swc=" + swc + " trace", missing.toString());
    assertFalse(Files.exists(swc), "nothing written");
  }

  private static void assertFails(ImagePlus imp, String options, String mentioned) {
    SegmentAndTrace plugin = (SegmentAndTrace) ImageJMacro.run(imp, SegmentAndTrace.COMMAND,
        options);
    assertNull(plugin.lastResult(), options);
    String error = IJ.getErrorMessage();
    assertNotNull(error, "an ImageJ error for " + options);
    assertTrue(error.contains(mentioned), "'" + error + "' mentions " + mentioned);
  }

  private static void assertCalibration(Calibration expected, Calibration got) {
    assertEquals(expected.pixelWidth, got.pixelWidth, 0.0);
    assertEquals(expected.pixelHeight, got.pixelHeight, 0.0);
    assertEquals(expected.pixelDepth, got.pixelDepth, 0.0);
    assertEquals(expected.getUnit(), got.getUnit());
  }
}
