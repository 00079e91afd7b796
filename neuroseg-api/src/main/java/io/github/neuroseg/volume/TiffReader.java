package io.github.neuroseg.volume;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.internal.Checks;
import io.github.neuroseg.volume.ImageJMetadata.Layout;
import io.github.neuroseg.volume.TiffStructure.Page;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.imglib2.img.basictypeaccess.array.ArrayDataAccess;
import net.imglib2.img.planar.PlanarImg;
import net.imglib2.type.numeric.RealType;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a multi-page TIFF stack into a volume: decides which pages are slices (full-resolution
 * pages, in ImageJ's hyperstack order), checks that they agree and that their data fits in the
 * file before the voxel arrays are allocated, and then has each page read by {@link TiffStrips}
 * or, for what that does not decode, by {@link TwelveMonkeysTiff}. The container is parsed by
 * {@link TiffStructure}, the voxel size found by {@link TiffCalibration}.
 */
final class TiffReader {
  private static final Logger LOG = LoggerFactory.getLogger(TiffReader.class);

  private TiffReader() {}

  static Volume read(Path path) {
    return VolumeFile.read(path, f -> read(f, TiffStructure.parse(f)));
  }

  private static Volume read(VolumeFile f, TiffStructure s) throws IOException {
    String source = f.source;
    // reduced-resolution images (thumbnails, pyramids) are not slices
    List<Integer> full = new ArrayList<>();
    for (int i = 0; i < s.pages.size(); i++) {
      if ((s.pages.get(i).longOr(TiffStructure.NEW_SUBFILE_TYPE, 0) & 1) == 0) {
        full.add(i);
      }
    }
    if (full.isEmpty()) {
      throw FormatException.atOffset(source, s.pages.get(0).offset(),
          "the file holds only reduced-resolution images");
    }
    Page first = s.pages.get(full.get(0));
    int width = dimension(first, TiffStructure.IMAGE_WIDTH, source);
    int height = dimension(first, TiffStructure.IMAGE_LENGTH, source);
    SampleKind kind = kindOf(first, source);
    String description = first.text(TiffStructure.IMAGE_DESCRIPTION);

    Layout layout = layout(description, full.size(), source, first);
    Map<String, String> meta = f.metadata("tiff");
    if (description != null && !description.isBlank()) {
      meta.put("tiff.description", description);
    }
    if (layout.channels() > 1 || layout.frames() > 1) {
      LOG.warn("{}: hyperstack with {} channels and {} frames; reading channel 1, frame 1",
          source, layout.channels(), layout.frames());
      meta.put("channels", Integer.toString(layout.channels()));
      meta.put("frames", Integer.toString(layout.frames()));
    }
    int depth = layout.slices();
    int orientation = orientation(first, source);
    if (orientation != 1) {
      meta.put("tiff.orientation", Integer.toString(orientation));
    }
    checkBeforeAllocating(f, s, full, first, layout, width, height, kind);
    PlanarImg<? extends RealType<?>, ?> img = f.allocate(width, height, depth, kind);
    try (TwelveMonkeysTiff fallback = new TwelveMonkeysTiff(f.path)) {
      for (int z = 0; z < depth; z++) {
        int pageNo = z * layout.channels(); // ImageJ order: channel fastest, then slice, frame
        Object plane = ((ArrayDataAccess<?>) img.getPlane(z)).getCurrentStorageArray();
        if (pageNo >= full.size()) {
          // ImageJ writes stacks over 4 GiB with one IFD and all slices contiguous after it
          TiffStrips.readContiguous(f, s.order, first, pageNo, width, height, kind, plane);
          orient(plane, width, height, orientation);
          continue;
        }
        Page page = s.pages.get(full.get(pageNo));
        checkSame(page, pageNo, width, height, kind, source);
        if (orientation(page, source) != orientation) {
          throw FormatException.atOffset(source, page.offset(), "page " + pageNo + " has"
              + " orientation " + orientation(page, source) + " but page 0 has " + orientation
              + "; a stack needs pages of one orientation");
        }
        if (TiffStrips.isPlain(page, kind)) {
          TiffStrips.readPlain(f, s.order, page, pageNo, width, height, kind, plane);
        } else if (!TiffStrips.isOwnCompressed(page, kind)
            || !TiffStrips.readCompressed(f, s.order, page, pageNo, width, height, kind,
                plane)) {
          TiffStrips.checkChunks(f, page, pageNo, kind, new HashMap<>());
          fallback.decode(full.get(pageNo), page, pageNo, width, height, kind, plane, source);
        }
        orient(plane, width, height, orientation);
      }
    }
    return new Volume(img, TiffCalibration.voxelSize(first, description, source),
        f.volumeName(), meta);
  }

  /**
   * Every page that will be read is consistent, its data lies inside the file, and the pages
   * together claim no more data than the file holds for them: checked before the voxel arrays
   * are allocated, so corrupt size fields, or many pages pointing at the same strips, fail with
   * a message instead of exhausting memory.
   */
  private static void checkBeforeAllocating(VolumeFile f, TiffStructure s, List<Integer> full,
      Page first, Layout layout, int width, int height, SampleKind kind) {
    long pageBytes = Checks.product(width, height, kind.bytes);
    if (Checks.product(width, height) > Checks.MAX_ARRAY_LENGTH) {
      throw FormatException.atOffset(f.source, first.offset(), "pages of " + width + " x "
          + height + " pixels are too large (at most 2^31 - 9 pixels per slice)");
    }
    long plainPages = 0;
    long compressedPages = 0;
    long maxExpansion = 1;
    // the bytes of distinct strips: pages sharing strips hold no more data than one of them
    Map<Long, Long> plainStrips = new HashMap<>();
    Map<Long, Long> compressedStrips = new HashMap<>();
    for (int z = 0; z < layout.slices(); z++) {
      int pageNo = z * layout.channels();
      if (pageNo >= full.size()) {
        TiffStrips.checkContiguous(f, first, layout.slices() * layout.channels(), pageBytes);
        break;
      }
      Page page = s.pages.get(full.get(pageNo));
      checkSame(page, pageNo, width, height, kind, f.source);
      if (TiffStrips.isPlain(page, kind)) {
        TiffStrips.checkPlain(f, page, pageNo, width, height, kind, plainStrips);
        plainPages++;
      } else {
        TiffStrips.checkChunks(f, page, pageNo, kind, compressedStrips);
        compressedPages++;
        maxExpansion = Math.max(maxExpansion, TiffStrips.maxExpansion(page));
      }
    }
    String pages = " pages of " + width + " x " + height + " " + kind.describe() + " voxels";
    f.checkClaim(first.offset(), plainPages + " uncompressed" + pages,
        Checks.product(plainPages, pageBytes), sum(plainStrips), 1);
    f.checkClaim(first.offset(), compressedPages + " compressed" + pages,
        Checks.product(compressedPages, pageBytes), sum(compressedStrips), maxExpansion);
  }

  private static long sum(Map<Long, Long> strips) {
    long n = 0;
    for (long b : strips.values()) {
      n = n > Long.MAX_VALUE - b ? Long.MAX_VALUE : n + b;
    }
    return n;
  }

  /** The stack's layout: an ImageJ hyperstack's, or every page a slice (OME: checked first). */
  private static Layout layout(@Nullable String description, int pages, String source,
      Page first) {
    if (description != null && ImageJMetadata.isImageJ(description)) {
      return ImageJMetadata.layout(description, pages,
          first.longOr(TiffStructure.COMPRESSION, 1) != 1, source, first.offset());
    }
    if (description != null && OmeMetadata.isOme(description)) {
      OmeMetadata.checkZStack(description, pages, source, first.offset());
    }
    return Layout.plain(pages);
  }

  /**
   * The page's Orientation tag: 1 (rows top to bottom, columns left to right, the default) to 4
   * are read; 5 to 8 (rows stored as columns) and invalid values are refused.
   */
  private static int orientation(Page page, String source) {
    long o = page.longOr(TiffStructure.ORIENTATION, 1);
    if (o >= 1 && o <= 4) {
      return (int) o;
    }
    if (o >= 5 && o <= 8) {
      throw FormatException.atOffset(source, page.offset(), "orientation " + o + " (the"
          + " stored rows are the image's columns, i.e. the image is rotated or transposed)"
          + " is not supported; save the stack without rotation (orientation 1)");
    }
    throw FormatException.atOffset(source, page.offset(), "invalid orientation " + o
        + " (TIFF orientations are 1 to 8)");
  }

  /**
   * Puts a decoded plane upright: orientation 2 stores columns right to left, 3 both reversed,
   * 4 rows bottom to top (as some tools write them), so that voxel (0, 0) is the top-left one a
   * viewer shows.
   */
  static void orient(Object plane, int width, int height, int orientation) {
    boolean flipX = orientation == 2 || orientation == 3;
    boolean flipY = orientation == 3 || orientation == 4;
    if (flipY) {
      Object row = java.lang.reflect.Array.newInstance(plane.getClass().getComponentType(),
          width);
      for (int top = 0, bottom = height - 1; top < bottom; top++, bottom--) {
        System.arraycopy(plane, top * width, row, 0, width);
        System.arraycopy(plane, bottom * width, plane, top * width, width);
        System.arraycopy(row, 0, plane, bottom * width, width);
      }
    }
    if (flipX) {
      for (int y = 0; y < height; y++) {
        reverse(plane, y * width, y * width + width - 1);
      }
    }
  }

  private static void reverse(Object plane, int i, int j) {
    if (plane instanceof byte[] a) {
      for (; i < j; i++, j--) {
        byte t = a[i];
        a[i] = a[j];
        a[j] = t;
      }
    } else if (plane instanceof short[] a) {
      for (; i < j; i++, j--) {
        short t = a[i];
        a[i] = a[j];
        a[j] = t;
      }
    } else if (plane instanceof int[] a) {
      for (; i < j; i++, j--) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
      }
    } else if (plane instanceof float[] a) {
      for (; i < j; i++, j--) {
        float t = a[i];
        a[i] = a[j];
        a[j] = t;
      }
    } else if (plane instanceof double[] a) {
      for (; i < j; i++, j--) {
        double t = a[i];
        a[i] = a[j];
        a[j] = t;
      }
    } else {
      throw new IllegalStateException("no plane of " + plane.getClass());
    }
  }

  private static int dimension(Page page, int tag, String source) {
    long v = page.longOr(tag, -1);
    if (v <= 0 || v > Integer.MAX_VALUE) {
      throw FormatException.atOffset(source, page.offset(), (tag == TiffStructure.IMAGE_WIDTH
          ? "image width" : "image length") + " missing or invalid: " + v);
    }
    return (int) v;
  }

  private static SampleKind kindOf(Page page, String source) {
    long spp = page.longOr(TiffStructure.SAMPLES_PER_PIXEL, 1);
    if (spp != 1) {
      throw FormatException.atOffset(source, page.offset(), "expected one sample per pixel"
          + " (a grayscale stack), got " + spp + " (colour?); save a single-channel 8-bit,"
          + " 16-bit or 32-bit stack");
    }
    long bps = page.longOr(TiffStructure.BITS_PER_SAMPLE, 1);
    long format = page.longOr(TiffStructure.SAMPLE_FORMAT, 1);
    SampleKind k = null;
    if (format == 1 || format == 4) {
      k = bps == 8 ? SampleKind.U8 : bps == 16 ? SampleKind.U16 : bps == 32 ? SampleKind.U32
          : null;
      if (bps < 8 && bps >= 1) {
        k = SampleKind.U8; // bilevel and 2/4-bit images widen to bytes
      }
    } else if (format == 2) {
      k = bps == 8 ? SampleKind.S8 : bps == 16 ? SampleKind.S16 : bps == 32 ? SampleKind.S32
          : null;
    } else if (format == 3) {
      k = bps == 32 ? SampleKind.F32 : bps == 64 ? SampleKind.F64 : null;
    }
    if (k == null) {
      throw FormatException.atOffset(source, page.offset(), "unsupported sample type: " + bps
          + " bits, sample format " + format + " (expected 8/16/32-bit integers or 32/64-bit"
          + " floats)");
    }
    return k;
  }

  private static void checkSame(Page page, int pageNo, int width, int height, SampleKind kind,
      String source) {
    int w = dimension(page, TiffStructure.IMAGE_WIDTH, source);
    int h = dimension(page, TiffStructure.IMAGE_LENGTH, source);
    SampleKind k = kindOf(page, source);
    if (w != width || h != height || k != kind) {
      throw FormatException.atOffset(source, page.offset(), "page " + pageNo + " is " + w + "x"
          + h + " " + k.describe() + " but page 0 is " + width + "x" + height + " "
          + kind.describe() + "; a stack needs equal pages");
    }
  }
}
