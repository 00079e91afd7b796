package io.github.neuroseg.volume;

import io.github.neuroseg.FormatException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OME-XML image description of an OME-TIFF, as far as a z-stack reader needs it: the
 * channel and time-point counts (several of either are refused, since the pages would not be
 * slices) and the physical voxel size. A sibling of {@link ImageJMetadata}: the other
 * description a microscopy TIFF carries.
 */
final class OmeMetadata {
  private static final Logger LOG = LoggerFactory.getLogger(OmeMetadata.class);

  private static final Pattern SIZE = Pattern.compile("PhysicalSize([XYZ])=\"([^\"]+)\"");
  private static final Pattern UNIT = Pattern.compile("PhysicalSize([XYZ])Unit=\"([^\"]+)\"");

  private OmeMetadata() {}

  /** Whether a description is OME-XML. */
  static boolean isOme(@Nullable String description) {
    return description != null && description.contains("<OME");
  }

  /**
   * Checks that the file is a single-channel z-stack; a {@code SizeZ} other than the page count
   * is logged, and the pages are read.
   *
   * @throws FormatException for several channels or time points
   */
  static void checkZStack(String description, int pages, String source, long offset) {
    int c = count(description, "SizeC");
    int t = count(description, "SizeT");
    int z = count(description, "SizeZ");
    if (c * t > 1) {
      throw FormatException.atOffset(source, offset, "OME-TIFF with " + c
          + " channels and " + t + " time points; only single-channel z-stacks are read"
          + " (export one channel as a plain TIFF stack)");
    }
    if (z > 0 && z != pages) {
      LOG.warn("{}: OME metadata says SizeZ={} but the file has {} pages; reading the pages",
          source, z, pages);
    }
  }

  /**
   * {@code PhysicalSizeX/Y/Z} (1 where missing) in the unit of the first {@code
   * PhysicalSize*Unit} (micron where none is given).
   *
   * @throws NumberFormatException when a size is not a number
   */
  static VoxelSize voxelSize(String description) {
    double[] s = {1, 1, 1};
    Matcher m = SIZE.matcher(description);
    while (m.find()) {
      s[m.group(1).charAt(0) - 'X'] = Double.parseDouble(m.group(2));
    }
    Matcher u = UNIT.matcher(description);
    String unit = u.find() ? u.group(2) : "micron";
    return TiffCalibration.calibrated(s[0], s[1], s[2], unit);
  }

  private static int count(String xml, String attr) {
    Matcher m = Pattern.compile("\\b" + attr + "=\"(\\d+)\"").matcher(xml);
    return m.find() ? Integer.parseInt(m.group(1)) : 1;
  }
}
