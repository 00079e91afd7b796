package io.github.neuroseg.volume;

import com.twelvemonkeys.imageio.plugins.tiff.TIFFImageReaderSpi;
import io.github.neuroseg.FormatException;
import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.NeuroSegIOException;
import io.github.neuroseg.files.AtomicWrite;
import io.github.neuroseg.volume.TiffStructure.Page;
import java.awt.image.Raster;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.basictypeaccess.array.ArrayDataAccess;
import net.imglib2.img.planar.PlanarImg;
import net.imglib2.img.planar.PlanarImgs;
import net.imglib2.type.BooleanType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Multi-page TIFF stacks. Reading: own structure parser (offsets checked, ImageJ/OME calibration),
 * uncompressed strips read directly, compressed pages (LZW, Deflate, PackBits, JPEG, predictors,
 * tiles) decoded by the TwelveMonkeys TIFF plugin. Writing: uncompressed, in ImageJ's layout
 * (pixel data of all slices contiguous, one IFD per slice, ImageJ description in the first IFD),
 * which ImageJ/Fiji and every baseline TIFF reader open with the right calibration.
 */
final class Tiff {
  private static final Logger LOG = LoggerFactory.getLogger(Tiff.class);

  /** The classic TIFF limit: offsets are 32-bit. */
  static final long MAX_CLASSIC_SIZE = 0xffffffffL;

  private Tiff() {}

  /** Sample types a stack can hold, with the imglib2 type each is read into. */
  enum Kind {
    U8(1), S8(1), U16(2), S16(2), U32(4), S32(4), F32(4), F64(8);

    final int bytes;

    Kind(int bytes) {
      this.bytes = bytes;
    }

    String describe() {
      return switch (this) {
        case U8 -> "8-bit unsigned";
        case S8 -> "8-bit signed";
        case U16 -> "16-bit unsigned";
        case S16 -> "16-bit signed";
        case U32 -> "32-bit unsigned";
        case S32 -> "32-bit signed";
        case F32 -> "32-bit float";
        case F64 -> "64-bit float";
      };
    }
  }

  // ------------------------------------------------------------------------------------ reading

  static Volume read(Path path) {
    String source = path.toString();
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      TiffStructure s = TiffStructure.parse(ch, source);
      return read(ch, path, s);
    } catch (NoSuchFileException e) {
      throw new NeuroSegIOException("cannot read " + path + ": no such file", e);
    } catch (IOException e) {
      throw new NeuroSegIOException("cannot read " + path + ": " + e, e);
    }
  }

  private static Volume read(FileChannel ch, Path path, TiffStructure s) throws IOException {
    String source = s.source;
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
    Kind kind = kindOf(first, source);
    String description = first.text(TiffStructure.IMAGE_DESCRIPTION);

    Layout layout = layout(description, full.size(), source, first);
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("source", path.toAbsolutePath().toString());
    meta.put("format", "tiff");
    if (description != null && !description.isBlank()) {
      meta.put("tiff.description", description);
    }
    if (layout.channels > 1 || layout.frames > 1) {
      LOG.warn("{}: hyperstack with {} channels and {} frames; reading channel 1, frame 1",
          source, layout.channels, layout.frames);
      meta.put("channels", Integer.toString(layout.channels));
      meta.put("frames", Integer.toString(layout.frames));
    }
    int depth = layout.slices;
    checkBeforeAllocating(s, full, first, layout, width, height, kind);
    PlanarImg<? extends RealType<?>, ?> img = create(kind, width, height, depth);
    ImageReader decoder = null;
    ImageInputStream iis = null;
    try {
      for (int z = 0; z < depth; z++) {
        int pageNo = z * layout.channels; // ImageJ order: channel fastest, then slice, then frame
        Object plane = ((ArrayDataAccess<?>) img.getPlane(z)).getCurrentStorageArray();
        if (pageNo >= full.size()) {
          // ImageJ writes stacks over 4 GiB with one IFD and all slices contiguous after it
          readContiguous(ch, s, first, pageNo, width, height, kind, plane);
          continue;
        }
        Page page = s.pages.get(full.get(pageNo));
        checkSame(page, pageNo, width, height, kind, source);
        if (isPlainStrips(page, kind)) {
          readStrips(ch, s, page, pageNo, width, height, kind, plane);
        } else if (isOwnCompressedStrips(page, kind)
            && readCompressedStrips(ch, s, page, pageNo, width, height, kind, plane)) {
          continue;
        } else {
          checkChunks(s, page, pageNo);
          if (decoder == null) {
            // ImageIO picks TwelveMonkeys' buffered file stream when it is on the class path
            iis = ImageIO.createImageInputStream(path.toFile());
            if (iis == null) {
              iis = new FileImageInputStream(path.toFile());
            }
            decoder = new TIFFImageReaderSpi().createReaderInstance(null);
            decoder.setInput(iis, false, true);
          }
          decode(decoder, full.get(pageNo), page, pageNo, width, height, kind, plane, source);
        }
      }
    } finally {
      if (decoder != null) {
        decoder.dispose();
      }
      if (iis != null) {
        iis.close();
      }
    }
    String name = path.getFileName() == null ? null : stripExtension(path.getFileName().toString());
    return new Volume(img, voxelSize(first, description, source), name, meta);
  }

  /**
   * Every page that will be read is consistent and its data lies inside the file, checked before
   * the voxel arrays are allocated, so a corrupt size field fails with a message instead of
   * exhausting memory.
   */
  private static void checkBeforeAllocating(TiffStructure s, List<Integer> full, Page first,
      Layout layout, int width, int height, Kind kind) {
    long pageBytes = (long) width * height * kind.bytes;
    if ((long) width * height > Integer.MAX_VALUE - 8) {
      throw FormatException.atOffset(s.source, first.offset(), "pages of " + width + " x "
          + height + " pixels are too large (at most 2^31 pixels per slice)");
    }
    long rowBytes = (long) width * kind.bytes;
    long compressedPages = 0;
    for (int z = 0; z < layout.slices; z++) {
      int pageNo = z * layout.channels;
      if (pageNo >= full.size()) {
        long[] offsets = first.longs(TiffStructure.STRIP_OFFSETS);
        long base = offsets.length == 0 ? 0 : offsets[0];
        if (offsets.length == 0 || base + (long) (layout.slices * layout.channels) * pageBytes
            > s.fileSize) {
          throw FormatException.atOffset(s.source, base, "the ImageJ stack of "
              + layout.slices * layout.channels + " images of " + pageBytes + " bytes does not"
              + " fit in the file (" + s.fileSize + " bytes); it is truncated");
        }
        break;
      }
      Page page = s.pages.get(full.get(pageNo));
      checkSame(page, pageNo, width, height, kind, s.source);
      if (isPlainStrips(page, kind)) {
        long[] offsets = page.longs(TiffStructure.STRIP_OFFSETS);
        long rps = Math.min(page.longOr(TiffStructure.ROWS_PER_STRIP, height), height);
        if (rps <= 0) {
          rps = height;
        }
        long row = 0;
        for (int i = 0; i < offsets.length && row < height; i++) {
          long rows = Math.min(rps, height - row);
          if (offsets[i] < 0 || offsets[i] + rows * rowBytes > s.fileSize) {
            throw FormatException.atOffset(s.source, offsets[i], "page " + pageNo + " strip " + i
                + " needs " + rows * rowBytes + " bytes but the file ends at byte " + s.fileSize
                + "; it is truncated");
          }
          row += rows;
        }
        if (row < height) {
          throw FormatException.atOffset(s.source, page.offset(), "page " + pageNo + " has "
              + offsets.length + " strips of " + rps + " rows, too few for " + height + " rows");
        }
      } else {
        checkChunks(s, page, pageNo);
        compressedPages++;
      }
    }
    // no real compressor packs more than about 1000:1 (Deflate's limit is ~1032:1)
    if (compressedPages > 0 && compressedPages * pageBytes > 2048 * s.fileSize + (1 << 20)) {
      throw FormatException.atOffset(s.source, first.offset(), compressedPages + " compressed"
          + " pages of " + width + " x " + height + " cannot come from a file of " + s.fileSize
          + " bytes; the size fields are corrupt");
    }
  }

  private record Layout(int channels, int slices, int frames) {}

  private static Layout layout(@Nullable String description, int pages, String source,
      Page first) {
    if (description != null && description.startsWith("ImageJ=")) {
      Map<String, String> p = properties(description);
      int images = intProp(p, "images", pages);
      int channels = intProp(p, "channels", 1);
      int frames = intProp(p, "frames", 1);
      int slices = intProp(p, "slices", Math.max(1, images / Math.max(1, channels * frames)));
      if (channels < 1 || frames < 1 || slices < 1
          || (long) channels * slices * frames > Math.max(images, pages)) {
        throw FormatException.atOffset(source, first.offset(), "ImageJ description says "
            + channels + " channels x " + slices + " slices x " + frames + " frames but the file"
            + " holds " + Math.max(images, pages) + " images");
      }
      if (pages < (long) channels * slices * frames
          && first.longOr(TiffStructure.COMPRESSION, 1) != 1) {
        throw FormatException.atOffset(source, first.offset(), "ImageJ description says "
            + images + " images but the file has " + pages + " compressed pages");
      }
      return new Layout(channels, slices, frames);
    }
    if (description != null && description.contains("<OME")) {
      int c = omeInt(description, "SizeC");
      int t = omeInt(description, "SizeT");
      int z = omeInt(description, "SizeZ");
      if (c * t > 1) {
        throw FormatException.atOffset(source, first.offset(), "OME-TIFF with " + c
            + " channels and " + t + " time points; only single-channel z-stacks are read"
            + " (export one channel as a plain TIFF stack)");
      }
      if (z > 0 && z != pages) {
        LOG.warn("{}: OME metadata says SizeZ={} but the file has {} pages; reading the pages",
            source, z, pages);
      }
    }
    return new Layout(1, pages, 1);
  }

  private static int omeInt(String xml, String attr) {
    Matcher m = Pattern.compile("\\b" + attr + "=\"(\\d+)\"").matcher(xml);
    return m.find() ? Integer.parseInt(m.group(1)) : 1;
  }

  private static int dimension(Page page, int tag, String source) {
    long v = page.longOr(tag, -1);
    if (v <= 0 || v > Integer.MAX_VALUE) {
      throw FormatException.atOffset(source, page.offset(), (tag == TiffStructure.IMAGE_WIDTH
          ? "image width" : "image length") + " missing or invalid: " + v);
    }
    return (int) v;
  }

  private static Kind kindOf(Page page, String source) {
    long spp = page.longOr(TiffStructure.SAMPLES_PER_PIXEL, 1);
    if (spp != 1) {
      throw FormatException.atOffset(source, page.offset(), "expected one sample per pixel"
          + " (a grayscale stack), got " + spp + " (colour?); save a single-channel 8-bit,"
          + " 16-bit or 32-bit stack");
    }
    long bps = page.longOr(TiffStructure.BITS_PER_SAMPLE, 1);
    long format = page.longOr(TiffStructure.SAMPLE_FORMAT, 1);
    Kind k = null;
    if (format == 1 || format == 4) {
      k = bps == 8 ? Kind.U8 : bps == 16 ? Kind.U16 : bps == 32 ? Kind.U32 : null;
      if (bps < 8 && bps >= 1) {
        k = Kind.U8; // bilevel and 2/4-bit images widen to bytes
      }
    } else if (format == 2) {
      k = bps == 8 ? Kind.S8 : bps == 16 ? Kind.S16 : bps == 32 ? Kind.S32 : null;
    } else if (format == 3) {
      k = bps == 32 ? Kind.F32 : bps == 64 ? Kind.F64 : null;
    }
    if (k == null) {
      throw FormatException.atOffset(source, page.offset(), "unsupported sample type: " + bps
          + " bits, sample format " + format + " (expected 8/16/32-bit integers or 32/64-bit"
          + " floats)");
    }
    return k;
  }

  private static void checkSame(Page page, int pageNo, int width, int height, Kind kind,
      String source) {
    int w = dimension(page, TiffStructure.IMAGE_WIDTH, source);
    int h = dimension(page, TiffStructure.IMAGE_LENGTH, source);
    Kind k = kindOf(page, source);
    if (w != width || h != height || k != kind) {
      throw FormatException.atOffset(source, page.offset(), "page " + pageNo + " is " + w + "x"
          + h + " " + k.describe() + " but page 0 is " + width + "x" + height + " "
          + kind.describe() + "; a stack needs equal pages");
    }
  }

  private static boolean isPlainStrips(Page page, Kind kind) {
    return page.longOr(TiffStructure.COMPRESSION, 1) == 1
        && page.has(TiffStructure.STRIP_OFFSETS)
        && !page.has(TiffStructure.TILE_OFFSETS)
        && page.longOr(TiffStructure.BITS_PER_SAMPLE, 1) == 8L * kind.bytes;
  }

  /**
   * Strips compressed with LZW, Deflate or PackBits, with no predictor or the horizontal one on
   * integers: decoded here, several times faster than through ImageIO. Tiles, JPEG, floating
   * point predictors and other rarities go to the TwelveMonkeys plugin.
   */
  private static boolean isOwnCompressedStrips(Page page, Kind kind) {
    long c = page.longOr(TiffStructure.COMPRESSION, 1);
    long predictor = page.longOr(TiffStructure.PREDICTOR, 1);
    boolean integer = kind != Kind.F32 && kind != Kind.F64;
    return (c == 5 || c == 8 || c == 32946 || c == 32773)
        && (predictor == 1 || (predictor == 2 && integer))
        && page.longOr(TiffStructure.FILL_ORDER, 1) == 1
        && page.has(TiffStructure.STRIP_OFFSETS)
        && page.longs(TiffStructure.STRIP_BYTE_COUNTS).length
            >= page.longs(TiffStructure.STRIP_OFFSETS).length
        && !page.has(TiffStructure.TILE_OFFSETS)
        && page.longOr(TiffStructure.BITS_PER_SAMPLE, 1) == 8L * kind.bytes;
  }

  /**
   * Decodes a page of compressed strips into {@code plane}.
   *
   * @return false when the page turns out to need the general decoder (old-style LZW)
   */
  private static boolean readCompressedStrips(FileChannel ch, TiffStructure s, Page page,
      int pageNo, int width, int height, Kind kind, Object plane) throws IOException {
    long[] offsets = page.longs(TiffStructure.STRIP_OFFSETS);
    long[] counts = page.longs(TiffStructure.STRIP_BYTE_COUNTS);
    long compression = page.longOr(TiffStructure.COMPRESSION, 1);
    boolean predictor = page.longOr(TiffStructure.PREDICTOR, 1) == 2;
    long rps = Math.min(page.longOr(TiffStructure.ROWS_PER_STRIP, height), height);
    if (rps <= 0) {
      rps = height;
    }
    long rowBytes = (long) width * kind.bytes;
    StripCodecs.LzwTable table = compression == 5 ? new StripCodecs.LzwTable() : null;
    int row = 0;
    for (int i = 0; i < offsets.length && row < height; i++) {
      int rows = (int) Math.min(rps, height - row);
      if (counts[i] > Integer.MAX_VALUE || rows * rowBytes > Integer.MAX_VALUE) {
        return false;
      }
      byte[] in = new byte[(int) counts[i]];
      TiffStructure.read(ch, s.source, s.fileSize, offsets[i], in.length,
          "page " + pageNo + " strip " + i).get(in);
      byte[] out = new byte[(int) (rows * rowBytes)];
      int n;
      try {
        if (compression == 5) {
          if (StripCodecs.isOldStyleLzw(in)) {
            return false;
          }
          n = StripCodecs.lzw(in, out, table);
        } else if (compression == 32773) {
          n = StripCodecs.packBits(in, out);
        } else {
          n = StripCodecs.deflate(in, out);
        }
      } catch (StripCodecs.CorruptDataException e) {
        throw FormatException.atOffset(s.source, offsets[i], "page " + pageNo + " strip " + i
            + ": " + e.getMessage(), e);
      }
      if (n < out.length) {
        throw FormatException.atOffset(s.source, offsets[i], "page " + pageNo + " strip " + i
            + " decodes to " + n + " bytes, expected " + out.length + " (" + rows + " rows of "
            + rowBytes + " bytes); the data is corrupt or truncated");
      }
      copy(ByteBuffer.wrap(out).order(s.order), kind, plane, (long) row * width, rows * width);
      if (predictor) {
        undoHorizontalDifferencing(kind, plane, row, rows, width);
      }
      row += rows;
    }
    if (row < height) {
      throw FormatException.atOffset(s.source, page.offset(), "page " + pageNo + " has "
          + offsets.length + " strips of " + rps + " rows, too few for " + height + " rows");
    }
    return true;
  }

  /** TIFF predictor 2: each sample was stored as the difference to its left neighbour. */
  private static void undoHorizontalDifferencing(Kind kind, Object plane, int row, int rows,
      int width) {
    for (int y = row; y < row + rows; y++) {
      int start = y * width;
      switch (kind) {
        case U8, S8 -> {
          byte[] a = (byte[]) plane;
          for (int i = start + 1; i < start + width; i++) {
            a[i] += a[i - 1];
          }
        }
        case U16, S16 -> {
          short[] a = (short[]) plane;
          for (int i = start + 1; i < start + width; i++) {
            a[i] += a[i - 1];
          }
        }
        case U32, S32 -> {
          int[] a = (int[]) plane;
          for (int i = start + 1; i < start + width; i++) {
            a[i] += a[i - 1];
          }
        }
        default -> throw new IllegalStateException("no integer predictor for " + kind);
      }
    }
  }

  /** Every strip or tile lies inside the file (so a decoder failure is not a truncation). */
  private static void checkChunks(TiffStructure s, Page page, int pageNo) {
    boolean tiled = page.has(TiffStructure.TILE_OFFSETS);
    long[] offsets = page.longs(tiled ? TiffStructure.TILE_OFFSETS : TiffStructure.STRIP_OFFSETS);
    long[] counts = page.longs(tiled ? TiffStructure.TILE_BYTE_COUNTS
        : TiffStructure.STRIP_BYTE_COUNTS);
    if (offsets.length == 0) {
      throw FormatException.atOffset(s.source, page.offset(),
          "page " + pageNo + " has no strip or tile offsets");
    }
    for (int i = 0; i < offsets.length; i++) {
      long n = i < counts.length ? counts[i] : 0;
      if (offsets[i] < 0 || offsets[i] + n > s.fileSize) {
        throw FormatException.atOffset(s.source, offsets[i], "page " + pageNo + (tiled ? " tile "
            : " strip ") + i + " needs " + n + " bytes but the file ends at byte " + s.fileSize
            + "; it is truncated");
      }
    }
  }

  private static void readStrips(FileChannel ch, TiffStructure s, Page page, int pageNo,
      int width, int height, Kind kind, Object plane) throws IOException {
    long[] offsets = page.longs(TiffStructure.STRIP_OFFSETS);
    long rps = Math.min(page.longOr(TiffStructure.ROWS_PER_STRIP, height), height);
    if (rps <= 0) {
      rps = height;
    }
    long rowBytes = (long) width * kind.bytes;
    int row = 0;
    for (int i = 0; i < offsets.length && row < height; i++) {
      int rows = (int) Math.min(rps, height - row);
      long bytes = rows * rowBytes;
      if (bytes > Integer.MAX_VALUE) {
        // one giant strip: read it row by row
        for (int r = 0; r < rows; r++) {
          ByteBuffer b = TiffStructure.read(ch, s.source, s.fileSize, offsets[i] + r * rowBytes,
              (int) rowBytes, "page " + pageNo + " row " + (row + r)).order(s.order);
          copy(b, kind, plane, (row + r) * width, width);
        }
      } else {
        ByteBuffer b = TiffStructure.read(ch, s.source, s.fileSize, offsets[i], (int) bytes,
            "page " + pageNo + " strip " + i).order(s.order);
        copy(b, kind, plane, (long) row * width, rows * width);
      }
      row += rows;
    }
    if (row < height) {
      throw FormatException.atOffset(s.source, page.offset(), "page " + pageNo + " has "
          + offsets.length + " strips of " + rps + " rows, too few for " + height + " rows");
    }
  }

  private static void readContiguous(FileChannel ch, TiffStructure s, Page first, int pageNo,
      int width, int height, Kind kind, Object plane) throws IOException {
    long[] offsets = first.longs(TiffStructure.STRIP_OFFSETS);
    if (offsets.length == 0 || first.longOr(TiffStructure.COMPRESSION, 1) != 1) {
      throw FormatException.atOffset(s.source, first.offset(),
          "page " + pageNo + " is missing and the stack is not stored contiguously");
    }
    long pageBytes = (long) width * height * kind.bytes;
    long rowBytes = (long) width * kind.bytes;
    long base = offsets[0] + pageNo * pageBytes;
    if (base + pageBytes > s.fileSize) {
      throw FormatException.atOffset(s.source, base, "slice " + pageNo + " of the contiguous"
          + " ImageJ stack needs " + pageBytes + " bytes but the file ends at byte " + s.fileSize
          + "; it is truncated");
    }
    int rowsPerRead = (int) Math.max(1, Math.min(height, (1 << 26) / rowBytes));
    for (int row = 0; row < height; row += rowsPerRead) {
      int rows = Math.min(rowsPerRead, height - row);
      ByteBuffer b = TiffStructure.read(ch, s.source, s.fileSize, base + row * rowBytes,
          (int) (rows * rowBytes), "slice " + pageNo).order(s.order);
      copy(b, kind, plane, (long) row * width, rows * width);
    }
  }

  private static void copy(ByteBuffer b, Kind kind, Object plane, long at, int n) {
    int o = Math.toIntExact(at);
    switch (kind) {
      case U8, S8 -> b.get((byte[]) plane, o, n);
      case U16, S16 -> b.asShortBuffer().get((short[]) plane, o, n);
      case U32, S32 -> b.asIntBuffer().get((int[]) plane, o, n);
      case F32 -> b.asFloatBuffer().get((float[]) plane, o, n);
      case F64 -> b.asDoubleBuffer().get((double[]) plane, o, n);
      default -> throw new IllegalStateException(kind.name());
    }
  }

  private static void decode(ImageReader decoder, int imageIndex, Page page, int pageNo,
      int width, int height, Kind kind, Object plane, String source) {
    Raster r;
    try {
      // readRaster gives the stored samples: read() would clamp floats to [0, 1] for display
      r = decoder.readRaster(imageIndex, null);
    } catch (IOException | RuntimeException e) {
      long at = page.has(TiffStructure.TILE_OFFSETS)
          ? page.longs(TiffStructure.TILE_OFFSETS)[0]
          : page.longOr(TiffStructure.STRIP_OFFSETS, page.offset());
      throw FormatException.atOffset(source, at, "page " + pageNo + ": cannot decode "
          + compressionName(page.longOr(TiffStructure.COMPRESSION, 1)) + " data: " + e, e);
    }
    if (r.getWidth() != width || r.getHeight() != height) {
      throw FormatException.atOffset(source, page.offset(), "page " + pageNo + " decoded to "
          + r.getWidth() + "x" + r.getHeight() + ", expected " + width + "x" + height);
    }
    int n = width * height;
    switch (kind) {
      case F32 -> r.getSamples(0, 0, width, height, 0, (float[]) plane);
      case F64 -> r.getSamples(0, 0, width, height, 0, (double[]) plane);
      default -> {
        int[] v = r.getSamples(0, 0, width, height, 0, new int[n]);
        switch (kind) {
          case U8, S8 -> {
            byte[] p = (byte[]) plane;
            for (int i = 0; i < n; i++) {
              p[i] = (byte) v[i];
            }
          }
          case U16, S16 -> {
            short[] p = (short[]) plane;
            for (int i = 0; i < n; i++) {
              p[i] = (short) v[i];
            }
          }
          default -> System.arraycopy(v, 0, plane, 0, n);
        }
      }
    }
  }

  private static String compressionName(long c) {
    return switch ((int) c) {
      case 1 -> "uncompressed";
      case 5 -> "LZW";
      case 8, 32946 -> "Deflate";
      case 32773 -> "PackBits";
      case 7 -> "JPEG";
      default -> "compression " + c;
    };
  }

  private static PlanarImg<? extends RealType<?>, ?> create(Kind kind, int w, int h, int d) {
    return switch (kind) {
      case U8 -> PlanarImgs.unsignedBytes(w, h, d);
      case S8 -> PlanarImgs.bytes(w, h, d);
      case U16 -> PlanarImgs.unsignedShorts(w, h, d);
      case S16 -> PlanarImgs.shorts(w, h, d);
      case U32 -> PlanarImgs.unsignedInts(w, h, d);
      case S32 -> PlanarImgs.ints(w, h, d);
      case F32 -> PlanarImgs.floats(w, h, d);
      case F64 -> PlanarImgs.doubles(w, h, d);
    };
  }

  // -------------------------------------------------------------------------------- calibration

  private static final Pattern OME_SIZE = Pattern.compile(
      "PhysicalSize([XYZ])=\"([^\"]+)\"");
  private static final Pattern OME_UNIT = Pattern.compile(
      "PhysicalSize([XYZ])Unit=\"([^\"]+)\"");

  static VoxelSize voxelSize(Page first, @Nullable String description, String source) {
    double xres = first.doubleOr(TiffStructure.X_RESOLUTION, 0);
    double yres = first.doubleOr(TiffStructure.Y_RESOLUTION, xres);
    double x = xres > 0 ? 1 / xres : 1;
    double y = yres > 0 ? 1 / yres : x;
    long resUnit = first.longOr(TiffStructure.RESOLUTION_UNIT, 2);
    try {
      if (description != null && description.startsWith("ImageJ=")) {
        Map<String, String> p = properties(description);
        String unit = p.get("unit");
        if (unit == null) {
          unit = resUnit == 3 ? "cm" : "pixel";
        }
        double z = p.containsKey("spacing") ? Double.parseDouble(p.get("spacing")) : 1;
        return calibrated(x, y, Math.abs(z) > 0 ? Math.abs(z) : 1, unit);
      }
      if (description != null && description.contains("<OME")) {
        double[] s = {1, 1, 1};
        Matcher m = OME_SIZE.matcher(description);
        while (m.find()) {
          s[m.group(1).charAt(0) - 'X'] = Double.parseDouble(m.group(2));
        }
        Matcher u = OME_UNIT.matcher(description);
        String unit = u.find() ? u.group(2) : "micron";
        return calibrated(s[0], s[1], s[2], unit);
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

  /** Normalises unit spellings: every way of writing micrometre becomes {@code micron}. */
  private static VoxelSize calibrated(double x, double y, double z, String unit) {
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

  private static Map<String, String> properties(String description) {
    Map<String, String> p = new LinkedHashMap<>();
    for (String line : description.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        p.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
      }
    }
    return p;
  }

  private static int intProp(Map<String, String> p, String key, int fallback) {
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

  static String stripExtension(String file) {
    String l = file.toLowerCase(Locale.ROOT);
    for (String ext : new String[] {".ome.tiff", ".ome.tif", ".tiff", ".tif", ".v3draw"}) {
      if (l.endsWith(ext)) {
        return file.substring(0, file.length() - ext.length());
      }
    }
    return file;
  }

  // ------------------------------------------------------------------------------------ writing

  /** The kind a volume is written as: 8/16-bit unsigned and float stay, everything else float. */
  static Kind writeKind(RandomAccessibleInterval<? extends RealType<?>> img) {
    Object t = img.getType();
    if (t instanceof UnsignedByteType || t instanceof BooleanType<?>) {
      return Kind.U8;
    }
    if (t instanceof UnsignedShortType) {
      return Kind.U16;
    }
    return Kind.F32;
  }

  static void write(Volume volume, Path path) {
    write(volume, path, false);
  }

  /**
   * Writes a TIFF; {@code oneIfd} forces the layout used above 4 GiB (tests use it on small
   * volumes).
   */
  static void write(Volume volume, Path path, boolean oneIfd) {
    long w = volume.width();
    long h = volume.height();
    long d = volume.depth();
    Kind kind = writeKind(volume.image());
    long pageBytes = w * h * kind.bytes;
    long dataBytes = pageBytes * d;
    if (w > Integer.MAX_VALUE || h > Integer.MAX_VALUE || pageBytes > Integer.MAX_VALUE) {
      throw new InvalidInputException("cannot write " + path + " as a TIFF: slices of " + w + "x"
          + h + " " + kind.describe() + " voxels exceed 2 GiB; write a .v3draw file instead");
    }
    // IFDs: 2 + 15 entries * 12 + 4, plus 16 bytes of resolution rationals, each, plus text
    long estimate = 8 + dataBytes + 1 + d * (2 + 15 * 12 + 4 + 16) + 4096;
    // above 4 GiB, as ImageJ does: one IFD, all slices contiguous after it (Fiji reads it whole)
    boolean single = oneIfd || estimate > MAX_CLASSIC_SIZE;
    AtomicWrite.write(path, temp -> {
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16)) {
        if (single) {
          writeOneIfd(out, volume, kind);
        } else {
          writeTo(out, volume, kind);
        }
      }
    });
  }

  private static void writeTo(OutputStream out, Volume volume, Kind kind) throws IOException {
    int w = (int) volume.width();
    int h = (int) volume.height();
    int d = (int) volume.depth();
    ByteOrder order = ByteOrder.LITTLE_ENDIAN;
    long pageBytes = (long) w * h * kind.bytes;
    ByteBuffer header = ByteBuffer.allocate(8).order(order);
    header.put((byte) 'I').put((byte) 'I').putShort((short) 42);
    long dataStart = 8;
    long ifdStart = dataStart + pageBytes * d;
    long pad = ifdStart % 2; // IFDs start on a word boundary
    ifdStart += pad;
    header.putInt((int) ifdStart);
    out.write(header.array());

    // pixel data of all slices, contiguous (ImageJ reads a stack this way)
    RowSource rows = RowSource.writeAll(out, volume, kind, order);
    if (pad > 0) {
      out.write(0);
    }

    String description = imageJDescription(volume.voxelSize(), d, kind, rows.min(), rows.max());
    byte[] text = (description + "\0").getBytes(StandardCharsets.UTF_8);
    long at = ifdStart;
    for (int z = 0; z < d; z++) {
      byte[] ifd = ifd(volume, kind, at, z == 0 ? text : null, dataStart + z * pageBytes,
          z == d - 1, order);
      out.write(ifd);
      at += ifd.length;
    }
  }

  /** ImageJ's layout for stacks over 4 GiB: header, one IFD, then every slice contiguous. */
  private static void writeOneIfd(OutputStream out, Volume volume, Kind kind) throws IOException {
    ByteOrder order = ByteOrder.LITTLE_ENDIAN;
    ByteBuffer header = ByteBuffer.allocate(8).order(order);
    header.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
    out.write(header.array());
    // the display range would need a pass over the data first; ImageJ then uses the first slice's
    String description = imageJDescription(volume.voxelSize(), (int) volume.depth(), kind,
        Double.NaN, Double.NaN);
    byte[] text = (description + "\0").getBytes(StandardCharsets.UTF_8);
    long ifdLength = ifdLength(text);
    out.write(ifd(volume, kind, 8, text, 8 + ifdLength, true, order));
    RowSource.writeAll(out, volume, kind, order);
  }

  /** Bytes of an IFD with its out-of-line values (rationals, description), padded to even. */
  private static long ifdLength(byte @Nullable [] text) {
    int entries = text != null ? 15 : 14;
    long end = 2 + entries * 12L + 4 + 16 + (text != null ? text.length : 0);
    return end + end % 2;
  }

  /**
   * One IFD placed at {@code at}, describing one slice at {@code dataOffset}; the next IFD, if
   * any, follows directly.
   */
  private static byte[] ifd(Volume volume, Kind kind, long at, byte @Nullable [] text,
      long dataOffset, boolean last, ByteOrder order) {
    int w = (int) volume.width();
    int h = (int) volume.height();
    long pageBytes = (long) w * h * kind.bytes;
    long[] xr = rational(1 / volume.voxelSize().x());
    long[] yr = rational(1 / volume.voxelSize().y());
    int entries = text != null ? 15 : 14;
    long extra = at + 2 + entries * 12L + 4; // out-of-line values follow the IFD
    long xrAt = extra;
    long yrAt = extra + 8;
    long textAt = extra + 16;
    long length = ifdLength(text);
    ByteBuffer b = ByteBuffer.allocate((int) length).order(order);
    b.putShort((short) entries);
    entry(b, TiffStructure.NEW_SUBFILE_TYPE, 4, 1, 0);
    entry(b, TiffStructure.IMAGE_WIDTH, 4, 1, w);
    entry(b, TiffStructure.IMAGE_LENGTH, 4, 1, h);
    entry(b, TiffStructure.BITS_PER_SAMPLE, 3, 1, kind.bytes * 8L);
    entry(b, TiffStructure.COMPRESSION, 3, 1, 1);
    entry(b, TiffStructure.PHOTOMETRIC, 3, 1, 1); // black is zero
    if (text != null) {
      entry(b, TiffStructure.IMAGE_DESCRIPTION, 2, text.length, textAt);
    }
    entry(b, TiffStructure.STRIP_OFFSETS, 4, 1, dataOffset);
    entry(b, TiffStructure.SAMPLES_PER_PIXEL, 3, 1, 1);
    entry(b, TiffStructure.ROWS_PER_STRIP, 4, 1, h);
    entry(b, TiffStructure.STRIP_BYTE_COUNTS, 4, 1, pageBytes);
    entry(b, TiffStructure.X_RESOLUTION, 5, 1, xrAt);
    entry(b, TiffStructure.Y_RESOLUTION, 5, 1, yrAt);
    // ImageJ's convention: no TIFF unit; the real unit is in the description
    entry(b, TiffStructure.RESOLUTION_UNIT, 3, 1, 1);
    entry(b, TiffStructure.SAMPLE_FORMAT, 3, 1, kind == Kind.F32 ? 3 : 1);
    b.putInt(last ? 0 : (int) (at + length));
    b.putInt((int) xr[0]).putInt((int) xr[1]).putInt((int) yr[0]).putInt((int) yr[1]);
    if (text != null) {
      b.put(text);
    }
    return b.array();
  }

  private static void entry(ByteBuffer b, int tag, int fieldType, long count, long value) {
    b.putShort((short) tag).putShort((short) fieldType).putInt((int) count);
    if (fieldType == 3 && count == 1) {
      b.putShort((short) value).putShort((short) 0);
    } else {
      b.putInt((int) value);
    }
  }

  static String imageJDescription(VoxelSize vs, int depth, Kind kind, double min, double max) {
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
    if (kind != Kind.U8 && min <= max && !Double.isInfinite(min) && !Double.isInfinite(max)) {
      // NaN bounds (unknown range) fail the first test and are left out
      // ImageJ shows 16-bit and float data with this display range
      sb.append("min=").append(repr(min)).append('\n');
      sb.append("max=").append(repr(max)).append('\n');
    }
    return sb.toString();
  }

  private static String repr(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  /**
   * The closest fraction {@code num/den} to {@code value} with both parts below 2^32 (continued
   * fraction convergents), so a voxel size survives the TIFF rational to ~1e-15 relative.
   */
  static long[] rational(double value) {
    final long limit = 0xffffffffL;
    if (!(value > 0) || Double.isInfinite(value)) {
      return new long[] {0, 1};
    }
    if (value >= limit) {
      return new long[] {limit, 1};
    }
    long p0 = 0;
    long q0 = 1;
    long p1 = 1;
    long q1 = 0;
    double x = value;
    for (int i = 0; i < 64; i++) {
      double a = Math.floor(x);
      if (a > limit) {
        break;
      }
      long ai = (long) a;
      long p2 = ai * p1 + p0;
      long q2 = ai * q1 + q0;
      if (p2 > limit || q2 > limit || p2 < 0 || q2 < 0) {
        break;
      }
      p0 = p1;
      q0 = q1;
      p1 = p2;
      q1 = q2;
      double frac = x - a;
      if (frac < 1e-18 || (double) p1 / q1 == value) {
        break;
      }
      x = 1 / frac;
    }
    if (p1 == 0 || q1 == 0) {
      // too small for 32-bit parts: the smallest representable fraction
      return new long[] {1, limit};
    }
    return new long[] {p1, q1};
  }
}
