package io.github.neuroseg.volume;

import io.github.neuroseg.volume.TiffStructure.Page;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The voxel size of a TIFF stack, from the first of the places it can be: an ImageJ description
 * (with the resolution tags), an OME-XML description, resolution tags in centimetres, or else
 * {@link VoxelSize#UNIT}; and the normalisation of unit names that all of them share (every
 * spelling of micrometre becomes {@code micron}). Apart from the reader because the order of
 * preference is a rule of its own, documented in docs/io.md.
 */
final class TiffCalibration {
  private static final Logger LOG = LoggerFactory.getLogger(TiffCalibration.class);

  private TiffCalibration() {}

  /** The voxel size of a stack whose first page is {@code first}; never fails. */
  static VoxelSize voxelSize(Page first, @Nullable String description, String source) {
    double xres = first.doubleOr(TiffStructure.X_RESOLUTION, 0);
    double yres = first.doubleOr(TiffStructure.Y_RESOLUTION, xres);
    double x = xres > 0 ? 1 / xres : 1;
    double y = yres > 0 ? 1 / yres : x;
    long resUnit = first.longOr(TiffStructure.RESOLUTION_UNIT, 2);
    try {
      if (description != null && ImageJMetadata.isImageJ(description)) {
        return ImageJMetadata.voxelSize(description, x, y, resUnit);
      }
      if (description != null && OmeMetadata.isOme(description)) {
        return OmeMetadata.voxelSize(description);
      }
    } catch (RuntimeException e) {
      LOG.warn("{}: ignoring unreadable calibration in the image description: {}", source,
          e.toString());
      return VoxelSize.UNIT;
    }
    if (resUnit == 3 && xres > 0) {
      return calibrated(x, y, 1, "cm"); // a plain TIFF in centimetres: x/y only
    }
    return VoxelSize.UNIT;
  }

  /**
   * A voxel size with its unit normalised: micrometre spellings become {@code micron}; cm, mm
   * and inch are converted to microns; pixel, voxel or nothing become {@code voxel}; other units
   * (nm, m, ...) stay as they are. Sizes that are not finite and positive give {@link
   * VoxelSize#UNIT}.
   */
  static VoxelSize calibrated(double x, double y, double z, String unit) {
    String u = unit.trim();
    String l = u.toLowerCase(Locale.ROOT);
    double f = 1;
    switch (l) {
      case "micron", "microns", "um", "\u00b5m", "\u03bcm", "\\u00b5m", "micrometer",
          "micrometre" -> u = "micron";
      case "pixel", "pixels", "", "voxel" -> u = "voxel";
      case "cm" -> {
        u = "micron";
        f = 1e4;
      }
      case "mm" -> {
        u = "micron";
        f = 1e3;
      }
      case "inch" -> {
        u = "micron";
        f = 25400;
      }
      default -> {
        // keep other units (nm, m, ...) as they are
      }
    }
    if (!(x > 0) || !(y > 0) || !(z > 0) || Double.isInfinite(x * y * z * f)) {
      return VoxelSize.UNIT;
    }
    return new VoxelSize(x * f, y * f, z * f, u);
  }
}
