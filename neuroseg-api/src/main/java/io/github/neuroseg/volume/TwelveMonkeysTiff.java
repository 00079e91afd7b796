package io.github.neuroseg.volume;

import com.twelvemonkeys.imageio.plugins.tiff.TIFFImageReaderSpi;
import io.github.neuroseg.FormatException;
import io.github.neuroseg.volume.TiffStructure.Page;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import org.jspecify.annotations.Nullable;

/**
 * The fallback decoder for the pages {@link TiffStrips} does not decode itself (tiles, JPEG, the
 * floating-point predictor, old-style LZW and other rarities): the TwelveMonkeys TIFF plugin,
 * through its raster path, which keeps the stored samples. It is opened on the first page that
 * needs it, so stacks that never do pay nothing, and it is the only class that touches ImageIO.
 */
final class TwelveMonkeysTiff implements AutoCloseable {
  private final Path path;
  private @Nullable ImageInputStream input;
  private @Nullable ImageReader decoder;

  TwelveMonkeysTiff(Path path) {
    this.path = path;
  }

  /**
   * Decodes page {@code imageIndex} of the file (its index among all IFDs) into {@code plane}.
   *
   * @param pageNo the page's number among the slices, for messages
   * @throws FormatException when the data cannot be decoded or decodes to another size
   * @throws IOException when the file cannot be opened
   */
  void decode(int imageIndex, Page page, int pageNo, int width, int height, SampleKind kind,
      Object plane, String source) throws IOException {
    ImageReader reader = reader();
    Raster r;
    try {
      // readRaster gives the stored samples: read() would clamp floats to [0, 1] for display
      r = reader.readRaster(imageIndex, null);
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

  private ImageReader reader() throws IOException {
    ImageReader r = decoder;
    if (r == null) {
      // ImageIO picks TwelveMonkeys' buffered file stream when it is on the class path
      ImageInputStream in = ImageIO.createImageInputStream(path.toFile());
      if (in == null) {
        in = new FileImageInputStream(path.toFile());
      }
      input = in;
      r = new TIFFImageReaderSpi().createReaderInstance(null);
      r.setInput(in, false, true);
      decoder = r;
    }
    return r;
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

  @Override
  public void close() throws IOException {
    if (decoder != null) {
      decoder.dispose();
    }
    if (input != null) {
      input.close();
    }
  }
}
