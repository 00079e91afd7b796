package io.github.neuroseg.volume;

import io.github.neuroseg.FormatException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * ImageJ's image description, the {@code key=value} lines after {@code ImageJ=} in a TIFF's first
 * page: reading a hyperstack's layout and the calibration from it, and writing it for the stacks
 * neuroseg saves. It is a small format of its own inside TIFF, which Fiji and tifffile read, so it
 * lives apart from the page reading and writing.
 */
final class ImageJMetadata {
  private ImageJMetadata() {}

  /**
   * How ImageJ orders a stack's pages: channel fastest, then slice, then frame.
   *
   * @param channels channels per slice (>= 1)
   * @param slices slices along z (>= 1)
   * @param frames time points (>= 1)
   */
  record Layout(int channels, int slices, int frames) {
    /** A plain stack: every page is a slice. */
    static Layout plain(int pages) {
      return new Layout(1, pages, 1);
    }
  }

  /** Whether a description is ImageJ's. */
  static boolean isImageJ(@Nullable String description) {
    return description != null && description.startsWith("ImageJ=");
  }

  /** The description's {@code key=value} lines, keys and values trimmed; other lines ignored. */
  static Map<String, String> properties(String description) {
    Map<String, String> p = new LinkedHashMap<>();
    for (String line : description.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        p.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
      }
    }
    return p;
  }

  /**
   * The stack layout an ImageJ description announces, checked against the pages the file holds.
   *
   * @param pages the full-resolution pages in the file
   * @param compressed whether the first page is compressed (then every slice needs its own page)
   * @param offset the first page's offset, for messages
   * @throws FormatException when the description announces more images than the file can hold
   */
  static Layout layout(String description, int pages, boolean compressed, String source,
      long offset) {
    Map<String, String> p = properties(description);
    int images = intProperty(p, "images", pages);
    int channels = intProperty(p, "channels", 1);
    int frames = intProperty(p, "frames", 1);
    int slices = intProperty(p, "slices", Math.max(1, images / Math.max(1, channels * frames)));
    if (channels < 1 || frames < 1 || slices < 1
        || (long) channels * slices * frames > Math.max(images, pages)) {
      throw FormatException.atOffset(source, offset, "ImageJ description says "
          + channels + " channels x " + slices + " slices x " + frames + " frames but the file"
          + " holds " + Math.max(images, pages) + " images");
    }
    if (pages < (long) channels * slices * frames && compressed) {
      throw FormatException.atOffset(source, offset, "ImageJ description says "
          + images + " images but the file has " + pages + " compressed pages");
    }
    return new Layout(channels, slices, frames);
  }

  /**
   * The voxel size of an ImageJ stack: x and y from the resolution tags (as {@code 1 / tag}), z
   * from {@code spacing}, the unit from {@code unit} (or centimetres when the TIFF resolution
   * unit says so, else pixels).
   *
   * @param x the x size from the resolution tag (1 without one)
   * @param y the y size from the resolution tag
   * @param resolutionUnit the TIFF ResolutionUnit (3 = centimetre)
   * @throws NumberFormatException when {@code spacing} is not a number
   */
  static VoxelSize voxelSize(String description, double x, double y, long resolutionUnit) {
    Map<String, String> p = properties(description);
    String unit = p.get("unit");
    if (unit == null) {
      unit = resolutionUnit == 3 ? "cm" : "pixel";
    }
    double z = p.containsKey("spacing") ? Double.parseDouble(p.get("spacing")) : 1;
    return TiffCalibration.calibrated(x, y, Math.abs(z) > 0 ? Math.abs(z) : 1, unit);
  }

  /**
   * The description neuroseg writes: {@code images}, {@code slices}, {@code unit} (micron in
   * ImageJ's own escaped spelling, voxel as {@code pixel}), {@code spacing}, {@code loop} and,
   * for 16-bit and float stacks with a known finite range, {@code min}/{@code max}, which ImageJ
   * uses as the display range.
   *
   * @param min the smallest voxel value, or NaN when unknown
   * @param max the largest voxel value, or NaN when unknown
   */
  static String description(VoxelSize vs, int depth, SampleKind kind, double min, double max) {
    StringBuilder sb = new StringBuilder("ImageJ=1.11a\n");
    if (depth > 1) {
      sb.append("images=").append(depth).append('\n');
      sb.append("slices=").append(depth).append('\n');
    }
    // ImageJ's own spelling: µm escaped to ASCII, which ImageJ reads back as µm
    String unit = switch (vs.unit()) {
      case "voxel" -> "pixel";
      case "micron" -> "\\u00B5m";
      default -> vs.unit();
    };
    sb.append("unit=").append(unit).append('\n');
    if (depth > 1 || vs.z() != 1) {
      sb.append("spacing=").append(repr(vs.z())).append('\n');
    }
    sb.append("loop=false\n");
    if (kind != SampleKind.U8 && min <= max && !Double.isInfinite(min)
        && !Double.isInfinite(max)) {
      // NaN bounds (unknown range) fail the first test and are left out
      sb.append("min=").append(repr(min)).append('\n');
      sb.append("max=").append(repr(max)).append('\n');
    }
    return sb.toString();
  }

  private static int intProperty(Map<String, String> p, String key, int fallback) {
    String v = p.get(key);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static String repr(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
