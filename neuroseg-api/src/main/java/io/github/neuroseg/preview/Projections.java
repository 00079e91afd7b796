package io.github.neuroseg.preview;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.NeuroSegIOException;
import io.github.neuroseg.files.AtomicWrite;
import io.github.neuroseg.internal.Checks;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.volume.Volume;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;
import org.jspecify.annotations.Nullable;

/**
 * Maximum-intensity projections (MIP) of a volume along z (an {@link Plane#XY} picture) and along
 * y (an {@link Plane#XZ} picture), with a segmentation mask laid over them in a semi-transparent
 * colour and a neuron tree drawn as lines between each node and its parent. Pure
 * {@code java.awt.image} and ImageIO, so it runs headless.
 *
 * <p>Pixel rules, exactly: the projected intensity {@code v} becomes the gray level
 * {@code round(255 * clamp((v - lo) / (hi - lo), 0, 1))}, with {@code lo, hi} the minimum and
 * maximum of that projection unless {@link Builder#intensityRange} fixes them (gray 0 when
 * {@code hi == lo}). A pixel whose ray crosses any mask voxel (value != 0) becomes
 * {@code round((1 - a) * gray + a * colour)} per channel with {@code a} the mask opacity. Tree
 * nodes are mapped to voxels (physical coordinates divided by the voxel size, unless
 * {@link Builder#treeInVoxels}), rounded, and joined by 1-pixel Bresenham lines in the tree
 * colour. In XZ pictures every slice is repeated {@code max(1, round(zSize / xSize))} times so
 * the picture has roughly the physical aspect ratio (unless {@link Builder#physicalAspect} is
 * off). With {@link Builder#zoom} every pixel becomes a square block. Instances are immutable and
 * thread-safe.
 */
public final class Projections {

  /** Which projection. */
  public enum Plane {
    /** Maximum along z: a {@code width x height} picture. */
    XY,
    /** Maximum along y: a {@code width x depth} picture (z downwards). */
    XZ
  }

  private final Color maskColor;
  private final double maskOpacity;
  private final Color treeColor;
  private final boolean physicalAspect;
  private final boolean treeInVoxels;
  private final double lo;
  private final double hi;
  private final int zoom;

  private Projections(Builder b) {
    this.maskColor = b.maskColor;
    this.maskOpacity = b.maskOpacity;
    this.treeColor = b.treeColor;
    this.physicalAspect = b.physicalAspect;
    this.treeInVoxels = b.treeInVoxels;
    this.lo = b.lo;
    this.hi = b.hi;
    this.zoom = b.zoom;
  }

  /**
   * A builder with the defaults: mask magenta at opacity 0.4, tree yellow, physical aspect on,
   * tree in physical units, intensity range from each projection.
   *
   * @return a new builder
   */
  public static Builder newBuilder() {
    return new Builder();
  }

  /**
   * Renders one projection.
   *
   * @param volume the image
   * @param mask a mask of the same size to overlay, or {@code null}
   * @param tree a tree to draw (physical units of the volume's voxel size unless configured
   *     otherwise), or {@code null}
   * @param plane which projection
   * @return an RGB picture
   * @throws InvalidInputException when the mask's size differs from the volume's
   */
  public BufferedImage render(Volume volume,
      @Nullable RandomAccessibleInterval<? extends RealType<?>> mask,
      @Nullable NeuronTree tree, Plane plane) {
    int w = Math.toIntExact(volume.width());
    int h = Math.toIntExact(volume.height());
    int d = Math.toIntExact(volume.depth());
    if (mask != null && !Arrays.equals(mask.dimensionsAsLongArray(), volume.dimensions())) {
      throw new InvalidInputException("the mask must have the volume's size "
          + Arrays.toString(volume.dimensions()) + ", got "
          + Arrays.toString(mask.dimensionsAsLongArray()));
    }
    boolean xy = plane == Plane.XY;
    int rows = xy ? h : d;
    int repeat = xy ? 1 : zRepeat(volume);
    double[] max = new double[w * rows];
    Arrays.fill(max, Double.NEGATIVE_INFINITY);
    Cursor<? extends RealType<?>> c = Views.flatIterable(volume.image()).cursor();
    for (int z = 0; z < d; z++) {
      for (int y = 0; y < h; y++) {
        int base = (xy ? y : z) * w;
        for (int x = 0; x < w; x++) {
          double v = c.next().getRealDouble();
          if (v > max[base + x]) {
            max[base + x] = v;
          }
        }
      }
    }
    boolean[] covered = new boolean[w * rows];
    if (mask != null) {
      Cursor<? extends RealType<?>> m = Views.flatIterable(Views.zeroMin(mask)).cursor();
      for (int z = 0; z < d; z++) {
        for (int y = 0; y < h; y++) {
          int base = (xy ? y : z) * w;
          for (int x = 0; x < w; x++) {
            if (m.next().getRealDouble() != 0) {
              covered[base + x] = true;
            }
          }
        }
      }
    }
    double low = lo;
    double high = hi;
    if (Double.isNaN(low)) {
      low = Double.POSITIVE_INFINITY;
      high = Double.NEGATIVE_INFINITY;
      for (double v : max) {
        if (v < low) {
          low = v;
        }
        if (v > high) {
          high = v;
        }
      }
    }
    BufferedImage img = new BufferedImage(w, rows * repeat, BufferedImage.TYPE_INT_RGB);
    for (int r = 0; r < rows; r++) {
      for (int x = 0; x < w; x++) {
        int g = gray(max[r * w + x], low, high);
        int rgb;
        if (covered[r * w + x]) {
          rgb = blend(g, maskColor.getRed()) << 16 | blend(g, maskColor.getGreen()) << 8
              | blend(g, maskColor.getBlue());
        } else {
          rgb = g << 16 | g << 8 | g;
        }
        for (int k = 0; k < repeat; k++) {
          img.setRGB(x, r * repeat + k, rgb);
        }
      }
    }
    if (tree != null && !tree.isEmpty()) {
      drawTree(img, tree, volume, xy, repeat);
    }
    return zoom == 1 ? img : enlarge(img, zoom);
  }

  /** The width pictures of small volumes are enlarged to, about: {@value} pixels. */
  public static final int READABLE_WIDTH = 512;

  /**
   * The enlargement ({@link Builder#zoom}) that makes the pictures of a volume comfortable to
   * look at: about {@link #READABLE_WIDTH} pixels across its larger side, 1 (no enlargement)
   * for volumes that large or larger, at most 8.
   *
   * @param volume the volume to be pictured
   * @return the zoom factor, 1 to 8
   */
  public static int readableZoom(Volume volume) {
    long[] d = volume.dimensions();
    return (int) Math.max(1, Math.min(8, READABLE_WIDTH / Math.max(1, Math.max(d[0], d[1]))));
  }

  /** Nearest-neighbour enlargement: every pixel becomes a {@code k x k} block. */
  private static BufferedImage enlarge(BufferedImage img, int k) {
    int w = img.getWidth();
    int h = img.getHeight();
    BufferedImage big = new BufferedImage(w * k, h * k, BufferedImage.TYPE_INT_RGB);
    int[] row = new int[w * k];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        Arrays.fill(row, x * k, x * k + k, img.getRGB(x, y));
      }
      for (int j = 0; j < k; j++) {
        big.setRGB(0, y * k + j, w * k, 1, row, 0, w * k);
      }
    }
    return big;
  }

  /**
   * Renders both projections and writes them as PNG files (atomically).
   *
   * @param volume the image
   * @param mask a mask to overlay, or {@code null}
   * @param tree a tree to draw, or {@code null}
   * @param xyFile where the XY picture goes
   * @param xzFile where the XZ picture goes
   * @throws NeuroSegIOException when a file cannot be written
   */
  public void writePngs(Volume volume,
      @Nullable RandomAccessibleInterval<? extends RealType<?>> mask,
      @Nullable NeuronTree tree, Path xyFile, Path xzFile) {
    writePng(render(volume, mask, tree, Plane.XY), xyFile);
    writePng(render(volume, mask, tree, Plane.XZ), xzFile);
  }

  /**
   * Writes a picture as PNG, atomically.
   *
   * @param image the picture
   * @param file the PNG file
   * @throws NeuroSegIOException when the file cannot be written
   */
  public static void writePng(BufferedImage image, Path file) {
    AtomicWrite.write(file, temp -> {
      if (!ImageIO.write(image, "png", temp.toFile())) {
        throw new IOException("no PNG writer available");
      }
    });
  }

  private int zRepeat(Volume volume) {
    if (!physicalAspect) {
      return 1;
    }
    return (int) Math.max(1, Math.min(64,
        Math.round(volume.voxelSize().z() / volume.voxelSize().x())));
  }

  private static int gray(double v, double low, double high) {
    if (!(high > low)) {
      return 0;
    }
    double t = (v - low) / (high - low);
    if (!(t > 0)) {
      return 0; // NaN included
    }
    return (int) Math.round(255 * Math.min(1, t));
  }

  private int blend(int gray, int colour) {
    return (int) Math.round((1 - maskOpacity) * gray + maskOpacity * colour);
  }

  private void drawTree(BufferedImage img, NeuronTree tree, Volume volume, boolean xy,
      int repeat) {
    NeuronTree t = treeInVoxels ? tree : tree.toVoxels(volume.voxelSize());
    int rgb = treeColor.getRGB() & 0xffffff;
    for (SwcNode n : t.nodes()) {
      int[] a = pixel(n, xy, repeat);
      SwcNode p = t.parentOf(n);
      int[] b = p == null ? a : pixel(p, xy, repeat);
      line(img, a[0], a[1], b[0], b[1], rgb);
    }
  }

  private static int[] pixel(SwcNode n, boolean xy, int repeat) {
    long col = Math.round(n.x());
    // in XZ pictures slice z covers rows z*repeat .. z*repeat+repeat-1: use the middle one
    long row = xy ? Math.round(n.y()) : Math.round(n.z()) * repeat + repeat / 2;
    return new int[] {(int) Math.max(Integer.MIN_VALUE / 4, Math.min(Integer.MAX_VALUE / 4, col)),
        (int) Math.max(Integer.MIN_VALUE / 4, Math.min(Integer.MAX_VALUE / 4, row))};
  }

  /** Bresenham's line, clipped to the picture pixel by pixel. */
  private static void line(BufferedImage img, int x0, int y0, int x1, int y1, int rgb) {
    int dx = Math.abs(x1 - x0);
    int dy = -Math.abs(y1 - y0);
    int sx = x0 < x1 ? 1 : -1;
    int sy = y0 < y1 ? 1 : -1;
    int err = dx + dy;
    int x = x0;
    int y = y0;
    int steps = 0;
    while (steps++ <= 1 << 16) {
      if (x >= 0 && y >= 0 && x < img.getWidth() && y < img.getHeight()) {
        img.setRGB(x, y, rgb);
      }
      if (x == x1 && y == y1) {
        return;
      }
      int e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y += sy;
      }
    }
  }

  /** Configures {@link Projections}. */
  public static final class Builder {
    private Color maskColor = new Color(255, 0, 255);
    private double maskOpacity = 0.4;
    private Color treeColor = new Color(255, 255, 0);
    private boolean physicalAspect = true;
    private boolean treeInVoxels = false;
    private double lo = Double.NaN;
    private double hi = Double.NaN;
    private int zoom = 1;

    private Builder() {}

    /**
     * Enlarges pictures by an integer factor (nearest neighbour; default 1), so small volumes
     * are visible; tree lines grow with the pixels.
     *
     * @param factor 1 to 64
     * @return this builder
     * @throws InvalidInputException when outside 1..64
     */
    public Builder zoom(int factor) {
      if (factor < 1 || factor > 64) {
        throw new InvalidInputException("zoom must be 1..64, got " + factor);
      }
      this.zoom = factor;
      return this;
    }

    /**
     * Colour of the mask overlay (default magenta).
     *
     * @param value the colour
     * @return this builder
     */
    public Builder maskColor(Color value) {
      this.maskColor = value;
      return this;
    }

    /**
     * Opacity of the mask overlay in {@code [0, 1]} (default 0.4).
     *
     * @param value the opacity
     * @return this builder
     * @throws InvalidInputException when outside {@code [0, 1]}
     */
    public Builder maskOpacity(double value) {
      this.maskOpacity = Checks.inRange("mask opacity", value, 0, 1);
      return this;
    }

    /**
     * Colour of the tree lines (default yellow).
     *
     * @param value the colour
     * @return this builder
     */
    public Builder treeColor(Color value) {
      this.treeColor = value;
      return this;
    }

    /**
     * Whether XZ pictures repeat slices to show the physical aspect ratio (default true).
     *
     * @param value on or off
     * @return this builder
     */
    public Builder physicalAspect(boolean value) {
      this.physicalAspect = value;
      return this;
    }

    /**
     * Whether tree coordinates are voxel indices already (default false: physical units).
     *
     * @param value true for voxel coordinates
     * @return this builder
     */
    public Builder treeInVoxels(boolean value) {
      this.treeInVoxels = value;
      return this;
    }

    /**
     * A fixed intensity range mapped to black..white instead of each projection's min..max.
     *
     * @param low the intensity shown black
     * @param high the intensity shown white (greater than {@code low})
     * @return this builder
     * @throws InvalidInputException when {@code high <= low} or either is not finite
     */
    public Builder intensityRange(double low, double high) {
      if (!(high > low) || Double.isInfinite(low) || Double.isInfinite(high)) {
        throw new InvalidInputException("intensity range needs finite low < high, got " + low
            + " .. " + high);
      }
      this.lo = low;
      this.hi = high;
      return this;
    }

    /**
     * The configured projections.
     *
     * @return an immutable, thread-safe instance
     */
    public Projections build() {
      return new Projections(this);
    }
  }
}
