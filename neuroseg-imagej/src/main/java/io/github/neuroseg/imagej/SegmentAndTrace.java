package io.github.neuroseg.imagej;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.WindowManager;
import ij.plugin.PlugIn;
import io.github.neuroseg.Device;
import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.onnx.BioImageIo;
import io.github.neuroseg.NeuroSegException;
import io.github.neuroseg.ProgressListener;
import io.github.neuroseg.pipeline.Pipeline;
import io.github.neuroseg.segmentation.PostProcessing;
import io.github.neuroseg.segmentation.Segmentation;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.segmentation.SegmenterBuilder;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.tracing.TraceInput;
import io.github.neuroseg.volume.Volume;
import java.awt.GraphicsEnvironment;
import java.nio.file.Path;
import java.util.Locale;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import org.jspecify.annotations.Nullable;

/**
 * The ImageJ command {@code Plugins > Neuroseg > Segment and Trace}: segments the current image
 * (one channel and time point of a grey 8-, 16- or 32-bit stack) with a neuroseg model, shows
 * the mask as a new 8-bit image (255 = neuron) and optionally the probability map as a 32-bit
 * image, both calibrated like the input, and traces the mask into an SWC file in the
 * calibration's physical units.
 *
 * <p>Registered by the {@code plugins.config} at the root of the jar. Its dialog options are
 * macro-recordable; a macro runs it with
 *
 * <pre>{@code
 * run("Segment and Trace", "model=bundled device=cpu tile=[] threshold=[] swc=[/data/neuron 1.swc] trace");
 * }</pre>
 *
 * <p>where {@code model} is {@code bundled} or an ONNX file, {@code device} is {@code cpu},
 * {@code cuda} or {@code cuda:N}, {@code tile} ({@code WxH}) and {@code threshold} are blank for
 * the model's own, {@code low} (the hysteresis threshold, or {@code off}) and {@code minimum}
 * (the smallest component kept, in voxels) are blank for {@link PostProcessing#DEFAULT}, and the
 * bare words {@code probability} and {@code trace} tick the probability
 * map and tracing. Progress is shown in ImageJ's status and progress bars. Errors are shown with
 * {@code IJ.error}, which also aborts a running macro.
 */
public final class SegmentAndTrace implements PlugIn {
  /** The command's name in ImageJ's menus and macros. */
  public static final String COMMAND = "Segment and Trace";

  private @Nullable Result lastResult;

  /** Called by ImageJ. */
  public SegmentAndTrace() {}

  /**
   * What one run produced.
   *
   * @param mask the 8-bit mask, 255 in the post-processed mask (by default {@link
   *     PostProcessing#DEFAULT}; exactly where the probability is {@code >= threshold} with the
   *     low threshold off and minimum object 0), else 0
   * @param probabilities the 32-bit probability map, or {@code null} when not asked for
   * @param threshold the threshold that made the mask
   * @param device the device the model ran on (the CPU when the one asked for could not be used)
   * @param tree the traced reconstruction in physical units, or {@code null} without tracing
   * @param swc the SWC file written, or {@code null} without tracing
   */
  public record Result(ImagePlus mask, @Nullable ImagePlus probabilities, double threshold,
      Device device, @Nullable NeuronTree tree, @Nullable Path swc) {}

  /** Runs the command on the current image; {@code arg} is ignored. */
  @Override
  public void run(String arg) {
    ImagePlus imp = WindowManager.getCurrentImage();
    if (imp == null) {
      IJ.noImage();
      return;
    }
    try {
      Settings settings = Settings.ask(imp);
      if (settings == null) {
        return;
      }
      Result r = segmentAndTrace(imp, settings, new StatusProgress());
      lastResult = r;
      show(r);
      String summary = summary(imp, r);
      IJ.log(summary);
      IJ.showStatus(summary);
    } catch (NeuroSegException e) {
      IJ.showStatus("");
      IJ.error(COMMAND, e.getMessage());
    } catch (OutOfMemoryError e) {
      IJ.outOfMemory(COMMAND);
    } finally {
      IJ.showProgress(1.0);
    }
  }

  /**
   * What the last {@link #run(String)} of this instance produced ({@code IJ.runPlugIn} returns
   * the instance), or {@code null} when it failed or was cancelled.
   */
  public @Nullable Result lastResult() {
    return lastResult;
  }

  static Result segmentAndTrace(ImagePlus imp, Settings settings, ProgressListener progress) {
    Volume volume = ImagePlusVolumes.toVolume(imp);
    Path model = settings.model();
    SegmenterBuilder b = model == null ? NeuroSeg.segmenter().model(NeuroSeg.bundledModel())
        : BioImageIo.isPackage(model) ? BioImageIo.segmenter(model)
        : NeuroSeg.segmenter().model(model);
    b.device(settings.device()).onProgress(progress);
    Settings.Tile tile = settings.tile();
    if (tile != null) {
      b.tile(tile.width(), tile.height());
    }
    Double threshold = settings.threshold();
    if (threshold != null) {
      b.threshold(threshold);
    }
    int w = imp.getWidth();
    int h = imp.getHeight();
    int depth = imp.getNSlices();
    // the segmenter writes straight into the pixel arrays of the probability stack
    ImageStack probabilities = new ImageStack(w, h);
    Segmentation s;
    Device device;
    try (Segmenter segmenter = b.build()) {
      device = segmenter.config().device();
      if (!device.equals(settings.device())) {
        // the library's warning goes to SLF4J, which ImageJ does not show
        IJ.log(COMMAND + ": " + settings.device() + " cannot be used, running on " + device
            + " (a GPU needs the onnxruntime_gpu jar: docs/imagej.md)");
      }
      IJ.showStatus(COMMAND + ": segmenting " + imp.getTitle() + " on " + device);
      s = segmenter.segmentInto(volume,
          ImagePlusVolumes.newFloatStack(probabilities, w, h, depth));
    }
    String title = titleBase(imp.getTitle());
    // the mask neuroseg run writes and traces, post-processed the same way by default
    PostProcessing post = settings.post();
    @Nullable ArrayImg<UnsignedByteType, ByteArray> cleaned = post.equals(PostProcessing.NONE) ? null
        : post.apply(s);
    ImagePlus mask = cleaned == null
        ? ImagePlusVolumes.maskImage(title + "-mask", probabilities, s.threshold(),
            imp.getCalibration())
        : ImagePlusVolumes.maskImage(title + "-mask", cleaned, imp.getCalibration());
    ImagePlus probabilityImage = settings.probabilities()
        ? ImagePlusVolumes.probabilityImage(title + "-probabilities", probabilities,
            imp.getCalibration())
        : null;
    NeuronTree tree = null;
    Path swc = null;
    if (settings.trace()) {
      IJ.showStatus(COMMAND + ": tracing " + imp.getTitle());
      tree = NeuroSeg.tracer().build().trace(cleaned == null ? TraceInput.of(s, volume)
          : Pipeline.traceInput(cleaned, s, volume));
      swc = settings.swc();
      Swc.write(tree, swc);
    }
    return new Result(mask, probabilityImage, s.threshold(), device, tree, swc);
  }

  /**
   * Shows the outputs, mask last so that it is the current image. Without a display a macro
   * still gets them as its batch-mode images; a plain call shows nothing.
   */
  private static void show(Result r) {
    if (GraphicsEnvironment.isHeadless() && !IJ.isMacro()) {
      return;
    }
    if (r.probabilities() != null) {
      r.probabilities().show();
    }
    r.mask().show();
  }

  private static String summary(ImagePlus imp, Result r) {
    StringBuilder sb = new StringBuilder(COMMAND).append(": '").append(imp.getTitle())
        .append("' ").append(imp.getWidth()).append('x').append(imp.getHeight()).append('x')
        .append(imp.getNSlices()).append(" on ").append(r.device())
        .append(String.format(Locale.ROOT, ", threshold %.3f, mask '", r.threshold()))
        .append(r.mask().getTitle()).append('\'');
    NeuronTree tree = r.tree();
    if (tree != null) {
      sb.append(", ").append(tree.size()).append(" nodes in ").append(tree.roots().size())
          .append(tree.roots().size() == 1 ? " tree" : " trees").append(" written to ")
          .append(r.swc());
    }
    return sb.toString();
  }

  /** The title without a file extension. */
  static String titleBase(String title) {
    int dot = title.lastIndexOf('.');
    return dot > 0 && title.length() - dot <= 7 ? title.substring(0, dot) : title;
  }
}
