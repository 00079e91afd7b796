package io.github.neuroseg.imagej;

import ij.ImagePlus;
import ij.Macro;
import ij.gui.GenericDialog;
import ij.io.FileInfo;
import io.github.neuroseg.Device;
import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.segmentation.PostProcessing;
import java.awt.HeadlessException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The options of {@link SegmentAndTrace}, from its dialog or from macro options.
 *
 * @param model the ONNX model file or bioimage.io package, or {@code null} for the bundled
 *     model
 * @param device where to run
 * @param tile tile width and height in voxels, or {@code null} for the model's
 * @param threshold mask threshold in [0, 1], or {@code null} for the model's
 * @param post the mask's post-processing (hysteresis, speckle removal)
 * @param probabilities whether to output the probability map too
 * @param trace whether to trace the mask into an SWC file
 * @param swc where the SWC file goes
 */
record Settings(@Nullable Path model, Device device, @Nullable Tile tile,
    @Nullable Double threshold, PostProcessing post, boolean probabilities, boolean trace,
    Path swc) {

  /** The dialog's labels; the first word of each, in lower case, is its macro key. */
  static final String MODEL = "Model";
  static final String DEVICE = "Device";
  static final String TILE = "Tile";
  static final String THRESHOLD = "Threshold";
  static final String LOW = "Low threshold";
  static final String MINIMUM = "Minimum object (voxels)";
  static final String PROBABILITY = "Probability map";
  static final String TRACE = "Trace";
  static final String SWC = "SWC file";

  /** The model field's value that selects the bundled model. */
  static final String BUNDLED = "bundled";

  private static final Pattern TILE_PATTERN = Pattern.compile("\\s*(\\d+)\\s*[xX]\\s*(\\d+)\\s*");

  /**
   * A tile size.
   *
   * @param width voxels along x
   * @param height voxels along y
   */
  record Tile(int width, int height) {}

  /** Where fields come from: the dialog, macro options, or the defaults. */
  interface Source {
    String string(String label, String defaultValue);

    boolean flag(String label, boolean defaultValue);
  }

  /**
   * Asks for the settings: the dialog, which reads the macro options itself when a macro runs
   * the command (and records them when the recorder is on); without a display, where no dialog
   * can be built, the macro options directly, or the defaults when there are none.
   *
   * @return the settings, or {@code null} when the dialog was cancelled
   * @throws InvalidInputException for a value that cannot be used
   */
  static @Nullable Settings ask(ImagePlus imp) {
    String defaultSwc = defaultSwc(imp).toString();
    GenericDialog gd;
    try {
      gd = new GenericDialog(SegmentAndTrace.COMMAND);
    } catch (HeadlessException e) {
      String options = Macro.getOptions();
      if (options == null) {
        return read(new Source() {
          @Override
          public String string(String label, String defaultValue) {
            return defaultValue;
          }

          @Override
          public boolean flag(String label, boolean defaultValue) {
            return defaultValue;
          }
        }, defaultSwc);
      }
      MacroOptions macro = new MacroOptions(options);
      return read(new Source() {
        @Override
        public String string(String label, String defaultValue) {
          return macro.string(label, defaultValue);
        }

        @Override
        public boolean flag(String label, boolean defaultValue) {
          return macro.flag(label);
        }
      }, defaultSwc);
    }
    gd.addStringField(MODEL, BUNDLED, 30);
    gd.addStringField(DEVICE, "cpu", 10);
    gd.addStringField(TILE, "", 10);
    gd.addStringField(THRESHOLD, "", 10);
    gd.addStringField(LOW, "", 10);
    gd.addStringField(MINIMUM, "", 10);
    gd.addCheckbox(PROBABILITY, false);
    gd.addCheckbox(TRACE, true);
    gd.addStringField(SWC, defaultSwc, 40);
    gd.addMessage("Model: 'bundled', the path of an ONNX model or of a bioimage.io package."
        + " Device: cpu, cuda or cuda:N.\n"
        + "Tile (WxH voxels) and threshold (0 to 1): blank for the model's own.\n"
        + "Low threshold (hysteresis, 0 to 1, or off) and minimum object (voxels, 0 keeps all):"
        + " blank for neuroseg's defaults (" + describe(PostProcessing.DEFAULT) + ").");
    gd.showDialog();
    if (gd.wasCanceled()) {
      return null;
    }
    return read(new Source() {
      @Override
      public String string(String label, String defaultValue) {
        return gd.getNextString();
      }

      @Override
      public boolean flag(String label, boolean defaultValue) {
        return gd.getNextBoolean();
      }
    }, defaultSwc);
  }

  /**
   * Reads and checks the fields, strings in the dialog's order, then checkboxes in theirs.
   *
   * @throws InvalidInputException for a value that cannot be used
   */
  static Settings read(Source s, String defaultSwc) {
    String model = s.string(MODEL, BUNDLED);
    String device = s.string(DEVICE, "cpu");
    String tile = s.string(TILE, "");
    String threshold = s.string(THRESHOLD, "");
    String low = s.string(LOW, "");
    String minimum = s.string(MINIMUM, "");
    String swc = s.string(SWC, defaultSwc);
    boolean probabilities = s.flag(PROBABILITY, false);
    boolean trace = s.flag(TRACE, true);
    return new Settings(model(model), Device.parse(device), tile(tile), threshold(threshold),
        post(low, minimum), probabilities, trace, swc(swc.isBlank() ? defaultSwc : swc));
  }

  private static @Nullable Path model(String text) {
    String t = text.trim();
    if (t.isEmpty() || t.toLowerCase(Locale.ROOT).equals(BUNDLED)) {
      return null;
    }
    Path p = path(t, "model");
    if (!Files.exists(p)) {
      throw new InvalidInputException("model: expected '" + BUNDLED + "', an existing ONNX"
          + " file or a bioimage.io package (its folder or rdf.yaml), got '" + text
          + "' (no such file)");
    }
    return p;
  }

  private static @Nullable Tile tile(String text) {
    if (text.isBlank()) {
      return null;
    }
    Matcher m = TILE_PATTERN.matcher(text);
    if (m.matches()) {
      try {
        int w = Integer.parseInt(m.group(1));
        int h = Integer.parseInt(m.group(2));
        if (w > 0 && h > 0) {
          return new Tile(w, h);
        }
      } catch (NumberFormatException e) {
        // too large: reported below
      }
    }
    throw new InvalidInputException("tile: expected WxH in voxels such as 64x64, or blank for"
        + " the model's tile; got '" + text + "'");
  }

  private static @Nullable Double threshold(String text) {
    if (text.isBlank()) {
      return null;
    }
    double t;
    try {
      t = Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      t = Double.NaN;
    }
    if (!(t >= 0 && t <= 1)) {
      throw new InvalidInputException("threshold: expected a number from 0 to 1, or blank for"
          + " the model's threshold; got '" + text + "'");
    }
    return t;
  }

  private static PostProcessing post(String lowText, String minimumText) {
    PostProcessing d = PostProcessing.DEFAULT;
    double low = d.lowThreshold();
    String l = lowText.trim();
    if (l.equalsIgnoreCase("off")) {
      low = 1;
    } else if (!l.isEmpty()) {
      try {
        low = Double.parseDouble(l);
      } catch (NumberFormatException e) {
        low = Double.NaN;
      }
      if (!(low >= 0 && low <= 1)) {
        throw new InvalidInputException("low threshold: expected a number from 0 to 1, 'off',"
            + " or blank for the default; got '" + lowText + "'");
      }
    }
    int minimum = d.minComponentVoxels();
    String m = minimumText.trim();
    if (!m.isEmpty()) {
      try {
        minimum = Integer.parseInt(m);
      } catch (NumberFormatException e) {
        minimum = -1;
      }
      if (minimum < 0) {
        throw new InvalidInputException("minimum object: expected a whole number of voxels >= 0,"
            + " or blank for the default; got '" + minimumText + "'");
      }
    }
    return new PostProcessing(low, minimum);
  }

  /** A post-processing in the dialog's words. */
  static String describe(PostProcessing p) {
    return "low threshold " + (p.lowThreshold() >= 1 ? "off" : p.lowThreshold())
        + ", minimum object " + (p.minComponentVoxels() <= 1 ? "off"
        : p.minComponentVoxels() + " voxels");
  }

  private static Path swc(String text) {
    Path p = path(text.trim(), "SWC file");
    if (Files.isDirectory(p)) {
      throw new InvalidInputException("SWC file: expected a file name, got the folder '" + text
          + "'");
    }
    return p;
  }

  private static Path path(String text, String what) {
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      throw new InvalidInputException(what + ": '" + text + "' is not a valid path: "
          + e.getMessage(), e);
    }
  }

  /**
   * The default SWC file: the image's name with {@code .swc}, beside the file it was opened from
   * when that folder is writable, else in the temporary folder.
   */
  static Path defaultSwc(ImagePlus imp) {
    String name = baseName(imp.getTitle()) + ".swc";
    FileInfo fi = imp.getOriginalFileInfo();
    if (fi != null && fi.directory != null && !fi.directory.isBlank()) {
      try {
        Path dir = Path.of(fi.directory);
        if (Files.isDirectory(dir) && Files.isWritable(dir)) {
          return dir.resolve(name);
        }
      } catch (InvalidPathException e) {
        // fall back to the temporary folder
      }
    }
    return Path.of(System.getProperty("java.io.tmpdir")).resolve(name);
  }

  /** The title without its file extension, with characters unsafe in file names replaced. */
  static String baseName(String title) {
    String t = title.trim();
    int dot = t.lastIndexOf('.');
    if (dot > 0 && t.length() - dot <= 7) {
      t = t.substring(0, dot);
    }
    t = t.replaceAll("[^A-Za-z0-9._-]", "_");
    return t.isEmpty() ? "neuron" : t;
  }
}
