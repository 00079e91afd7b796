package io.github.neuroseg.swc;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The unit of an SWC file's coordinates, as its header states it. SWC has no unit field, but
 * headers often say it in a comment: {@code # unit: um}, {@code # units = micron}, SNT's {@code
 * # All positions and radii in microns}, {@code # coordinates in voxels}, or the voxel-size line
 * that neuroseg's tracer writes ({@code # APP2-style trace, voxel size 0.5 x 0.5 x 2.0 micron},
 * whose coordinates are in that unit).
 */
public enum CoordinateUnit {
  /** Voxel (pixel) coordinates of an image. */
  VOXEL("voxel"),
  /** Nanometres. */
  NANOMETER("nm"),
  /** Micrometres. */
  MICRON("micron"),
  /** Millimetres. */
  MILLIMETER("mm");

  private final String label;

  CoordinateUnit(String label) {
    this.label = label;
  }

  /** A short name: {@code voxel}, {@code nm}, {@code micron} or {@code mm}. */
  public String label() {
    return label;
  }

  @Override
  public String toString() {
    return label;
  }

  private static final String WORD = "([\\p{L}]+)";
  private static final List<Pattern> STATEMENTS = List.of(
      // "unit: um", "units = micron", "Unit um", "units are microns"
      Pattern.compile("\\bunits?\\b\\s*(?:[:=]|\\bare\\b|\\bis\\b|\\bin\\b)?\\s*" + WORD),
      // "All positions and radii in microns", "coordinates in voxels", "positions are in um"
      Pattern.compile("\\b(?:positions?|coordinates?|coords?)\\b[^#]*?\\bin\\s+" + WORD),
      // neuroseg's tracer: "voxel size 0.5 x 0.5 x 2.0 micron"
      Pattern.compile("\\bvoxel size\\s+[-+0-9.eE]+\\s*x\\s*[-+0-9.eE]+\\s*x\\s*[-+0-9.eE]+\\s+"
          + WORD));

  /**
   * The unit a unit word names: {@code micron(s)}, {@code micrometer(s)}, {@code um}, {@code
   * µm}; {@code nm}, {@code nanometer(s)}; {@code mm}, {@code millimeter(s)}; {@code voxel(s)},
   * {@code pixel(s)}, {@code px} (either spelling of -meter/-metre, any case); {@code null} for
   * anything else.
   */
  public static @Nullable CoordinateUnit parse(String word) {
    String w = word.strip().toLowerCase(Locale.ROOT).replace('\u03bc', '\u00b5')
        .replace("metre", "meter");
    return switch (w) {
      case "micron", "microns", "micrometer", "micrometers", "um", "\u00b5m" -> MICRON;
      case "nm", "nanometer", "nanometers" -> NANOMETER;
      case "mm", "millimeter", "millimeters" -> MILLIMETER;
      case "voxel", "voxels", "pixel", "pixels", "px", "vx" -> VOXEL;
      default -> null;
    };
  }

  /**
   * The unit that a tree's header comments state, or {@code null} when they state none or
   * statements disagree.
   */
  public static @Nullable CoordinateUnit declaredBy(NeuronTree tree) {
    return declaredBy(tree.comments());
  }

  /**
   * The unit that header comment lines (without the leading {@code #}) state, or {@code null}
   * when they state none or statements disagree.
   */
  public static @Nullable CoordinateUnit declaredBy(List<String> comments) {
    CoordinateUnit found = null;
    for (String line : comments) {
      String text = line.toLowerCase(Locale.ROOT);
      for (Pattern p : STATEMENTS) {
        Matcher m = p.matcher(text);
        while (m.find()) {
          CoordinateUnit u = parse(m.group(1));
          if (u == null) {
            continue;
          }
          if (found != null && found != u) {
            return null;
          }
          found = u;
        }
      }
    }
    return found;
  }
}
