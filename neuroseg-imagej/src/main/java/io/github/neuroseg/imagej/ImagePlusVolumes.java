package io.github.neuroseg.imagej;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.VoxelSize;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.img.basictypeaccess.array.ShortArray;
import net.imglib2.img.planar.PlanarImg;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.util.Fraction;

/**
 * Conversions between ImageJ 1.x images and neuroseg volumes.
 *
 * <p>{@link #toVolume(ImagePlus)} wraps the slices of one channel and time point of a grey 8-,
 * 16- or 32-bit stack as an imglib2 planar image without copying them (a virtual stack reads
 * each slice once), and keeps the calibration as the {@link VoxelSize}. The output images copy
 * the source's whole {@link Calibration} (voxel size, unit, origin), so they overlay the input in
 * ImageJ.
 */
public final class ImagePlusVolumes {
  private ImagePlusVolumes() {}

  /**
   * The current channel and time point of {@code imp} as a volume {@code x, y, z}, sharing the
   * pixel arrays of its stack, with the calibration as voxel size.
   *
   * @throws InvalidInputException for RGB or indexed-colour images, and for a calibration with
   *     a non-positive voxel size or different units per axis
   */
  public static Volume toVolume(ImagePlus imp) {
    int type = imp.getType();
    switch (type) {
      case ImagePlus.GRAY8, ImagePlus.GRAY16, ImagePlus.GRAY32 -> { }
      case ImagePlus.COLOR_RGB -> throw new InvalidInputException("'" + imp.getTitle()
          + "' is an RGB image; neuroseg segments grey 8-, 16- or 32-bit stacks: split the"
          + " colours (Image > Color > Split Channels) or convert it (Image > Type > 8-bit)");
      case ImagePlus.COLOR_256 -> throw new InvalidInputException("'" + imp.getTitle()
          + "' is an 8-bit indexed-colour image, whose values are palette entries, not"
          + " intensities; convert it first (Image > Type > RGB Color, then 8-bit)");
      default -> throw new InvalidInputException("'" + imp.getTitle()
          + "' has ImageJ image type " + type + "; expected 8-, 16- or 32-bit grey");
    }
    VoxelSize voxelSize = voxelSize(imp.getCalibration());
    int w = imp.getWidth();
    int h = imp.getHeight();
    int depth = imp.getNSlices();
    int c = imp.getC();
    int t = imp.getT();
    ImageStack stack = imp.getStack();
    List<Object> planes = new ArrayList<>(depth);
    for (int z = 1; z <= depth; z++) {
      planes.add(stack.getPixels(imp.getStackIndex(c, z, t)));
    }
    long[] dims = {w, h, depth};
    RandomAccessibleInterval<? extends RealType<?>> image = switch (type) {
      case ImagePlus.GRAY8 -> unsignedBytes(planes, dims);
      case ImagePlus.GRAY16 -> unsignedShorts(planes, dims);
      default -> floats(planes, dims);
    };
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("imagej.title", imp.getTitle());
    if (imp.getNChannels() > 1) {
      metadata.put("imagej.channel", Integer.toString(c));
    }
    if (imp.getNFrames() > 1) {
      metadata.put("imagej.frame", Integer.toString(t));
    }
    return new Volume(image, voxelSize, imp.getTitle(), metadata);
  }

  /**
   * The voxel size of an ImageJ calibration: {@code pixelWidth}, {@code pixelHeight}, {@code
   * pixelDepth} in its unit, where every spelling of micrometre ({@code µm}, {@code um}, {@code
   * micron}) becomes {@code micron} and ImageJ's uncalibrated {@code pixel} becomes {@code voxel}.
   *
   * @throws InvalidInputException for a size that is not finite and positive, or for different
   *     units along x, y and z
   */
  public static VoxelSize voxelSize(Calibration cal) {
    String unit = cal.getUnit();
    if (!unit.equals(cal.getYUnit()) || !unit.equals(cal.getZUnit())) {
      throw new InvalidInputException("the calibration has different units along x, y and z ("
          + unit + ", " + cal.getYUnit() + ", " + cal.getZUnit() + "); set one unit in"
          + " Image > Properties");
    }
    double x = cal.pixelWidth;
    double y = cal.pixelHeight;
    double z = cal.pixelDepth;
    if (!(x > 0 && y > 0 && z > 0) || Double.isInfinite(x) || Double.isInfinite(y)
        || Double.isInfinite(z)) {
      throw new InvalidInputException("the calibration's voxel size must be finite and > 0,"
          + " got " + x + " x " + y + " x " + z + " " + unit + "; fix it in Image > Properties");
    }
    return new VoxelSize(x, y, z, normalUnit(unit));
  }

  static String normalUnit(String unit) {
    String u = unit.trim();
    return switch (u.toLowerCase(Locale.ROOT)) {
      case "\u00b5m", "\u03bcm", "um", "micron", "microns", "micrometer", "micrometre",
          "micrometers", "micrometres" -> "micron";
      case "", "pixel", "pixels", "voxel", "voxels" -> "voxel";
      default -> u;
    };
  }

  /**
   * A new 32-bit stack of {@code width x height x depth} zeros and a float view of it (no copy):
   * what is written into the view is in the stack.
   */
  static PlanarImg<FloatType, FloatArray> newFloatStack(ImageStack out, int width, int height,
      int depth) {
    List<Object> planes = new ArrayList<>(depth);
    for (int z = 0; z < depth; z++) {
      float[] plane = new float[width * height];
      out.addSlice(null, new FloatProcessor(width, height, plane));
      planes.add(plane);
    }
    return floats(planes, new long[] {width, height, depth});
  }

  /**
   * The 8-bit mask of probabilities {@code >= threshold}: 255 for foreground, 0 elsewhere (so
   * ImageJ shows it and its binary commands accept it), with {@code calibration} copied.
   */
  static ImagePlus maskImage(String title, ImageStack probabilities, double threshold,
      Calibration calibration) {
    int w = probabilities.getWidth();
    int h = probabilities.getHeight();
    int depth = probabilities.getSize();
    // the same comparison as Segmentation.mask(), in float
    float t = (float) threshold;
    ImageStack mask = new ImageStack(w, h);
    for (int z = 1; z <= depth; z++) {
      float[] p = (float[]) probabilities.getPixels(z);
      byte[] m = new byte[p.length];
      for (int i = 0; i < p.length; i++) {
        if (p[i] >= t) {
          m[i] = (byte) 255;
        }
      }
      mask.addSlice(null, new ByteProcessor(w, h, m));
    }
    return calibrated(new ImagePlus(title, mask), depth, calibration);
  }

  /** A 0/255 8-bit stack of a 0/1 mask (x fastest, then y, then z), with the calibration. */
  static ImagePlus maskImage(String title, ArrayImg<UnsignedByteType, ByteArray> mask01,
      Calibration calibration) {
    int w = (int) mask01.dimension(0);
    int h = (int) mask01.dimension(1);
    int depth = (int) mask01.dimension(2);
    byte[] all = mask01.update(null).getCurrentStorageArray();
    ImageStack mask = new ImageStack(w, h);
    for (int z = 0; z < depth; z++) {
      byte[] m = new byte[w * h];
      for (int i = 0; i < m.length; i++) {
        if (all[z * m.length + i] != 0) {
          m[i] = (byte) 255;
        }
      }
      mask.addSlice(null, new ByteProcessor(w, h, m));
    }
    return calibrated(new ImagePlus(title, mask), depth, calibration);
  }

  /** A 32-bit image of the probabilities, display range 0..1, with the calibration copied. */
  static ImagePlus probabilityImage(String title, ImageStack probabilities,
      Calibration calibration) {
    ImagePlus imp = calibrated(new ImagePlus(title, probabilities), probabilities.getSize(),
        calibration);
    imp.setDisplayRange(0, 1);
    return imp;
  }

  private static ImagePlus calibrated(ImagePlus imp, int depth, Calibration calibration) {
    imp.setDimensions(1, depth, 1);
    imp.setCalibration(calibration.copy());
    return imp;
  }

  private static PlanarImg<UnsignedByteType, ByteArray> unsignedBytes(List<Object> planes,
      long[] dims) {
    List<ByteArray> a = new ArrayList<>(planes.size());
    for (Object p : planes) {
      a.add(new ByteArray((byte[]) p));
    }
    PlanarImg<UnsignedByteType, ByteArray> img = new PlanarImg<>(a, dims, new Fraction());
    img.setLinkedType(new UnsignedByteType(img));
    return img;
  }

  private static PlanarImg<UnsignedShortType, ShortArray> unsignedShorts(List<Object> planes,
      long[] dims) {
    List<ShortArray> a = new ArrayList<>(planes.size());
    for (Object p : planes) {
      a.add(new ShortArray((short[]) p));
    }
    PlanarImg<UnsignedShortType, ShortArray> img = new PlanarImg<>(a, dims, new Fraction());
    img.setLinkedType(new UnsignedShortType(img));
    return img;
  }

  private static PlanarImg<FloatType, FloatArray> floats(List<Object> planes, long[] dims) {
    List<FloatArray> a = new ArrayList<>(planes.size());
    for (Object p : planes) {
      a.add(new FloatArray((float[]) p));
    }
    PlanarImg<FloatType, FloatArray> img = new PlanarImg<>(a, dims, new Fraction());
    img.setLinkedType(new FloatType(img));
    return img;
  }
}
