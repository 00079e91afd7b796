package io.github.neuroseg.volume;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.files.AtomicWrite;
import io.github.neuroseg.internal.Checks;
import io.github.neuroseg.internal.Quote;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import net.imglib2.img.basictypeaccess.array.ArrayDataAccess;
import net.imglib2.img.planar.PlanarImg;
import net.imglib2.type.numeric.RealType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Vaa3D's raw stack format ({@code .v3draw}): a 24-byte magic, a byte-order letter ({@code B} or
 * {@code L}), a 2-byte sample code (1 = 8-bit, 2 = 16-bit unsigned, 4 = 32-bit float), four sizes
 * {@code x, y, z, c} (4 bytes each; 2 bytes in very old files), then the voxels with x fastest,
 * then y, z and channel. The format has no voxel size. A sibling of the TIFF classes: it reads
 * through {@link VolumeFile} and writes through {@link RowSource} as they do.
 */
final class V3draw {
  private static final Logger LOG = LoggerFactory.getLogger(V3draw.class);

  static final String MAGIC = "raw_image_stack_by_hpeng";
  private static final int MAGIC_LENGTH = 24;

  private V3draw() {}

  static boolean isV3draw(byte[] head) {
    if (head.length < MAGIC_LENGTH) {
      return false;
    }
    return new String(head, 0, MAGIC_LENGTH, StandardCharsets.US_ASCII).equals(MAGIC);
  }

  static Volume read(Path path) {
    return VolumeFile.read(path, V3draw::read);
  }

  private static Volume read(VolumeFile f) throws IOException {
    String source = f.source;
    long size = f.size;
    ByteBuffer head = f.bytes(0, 27, "the v3draw header");
    byte[] magic = new byte[MAGIC_LENGTH];
    head.get(0, magic);
    if (!isV3draw(magic)) {
      throw FormatException.atOffset(source, 0,
          "expected the v3draw magic '" + MAGIC + "', got "
              + Quote.quote(new String(magic, StandardCharsets.ISO_8859_1)));
    }
    char endian = (char) head.get(MAGIC_LENGTH);
    ByteOrder order;
    if (endian == 'L') {
      order = ByteOrder.LITTLE_ENDIAN;
    } else if (endian == 'B') {
      order = ByteOrder.BIG_ENDIAN;
    } else {
      throw FormatException.atOffset(source, MAGIC_LENGTH,
          "expected byte-order letter 'B' or 'L', got " + Quote.quote(String.valueOf(endian)));
    }
    int code = head.order(order).getShort(MAGIC_LENGTH + 1);
    SampleKind kind = switch (code) {
      case 1 -> SampleKind.U8;
      case 2 -> SampleKind.U16;
      case 4 -> SampleKind.F32;
      default -> throw FormatException.atOffset(source, MAGIC_LENGTH + 1,
          "expected sample code 1 (8-bit), 2 (16-bit) or 4 (32-bit float), got " + code);
    };
    long[] dims = new long[4];
    int headerLength = 27 + 16;
    ByteBuffer s4 = f.bytes(27, 16, "the v3draw sizes").order(order);
    for (int i = 0; i < 4; i++) {
      dims[i] = s4.getInt(4 * i) & 0xffffffffL;
    }
    // saturated products: sizes of up to 2^32 each must not wrap around to the file's size
    long total = Checks.product(dims[0], dims[1], dims[2], dims[3], kind.bytes);
    if (!positive(dims) || total != size - headerLength) {
      // very old files store the sizes as 2-byte numbers
      long[] old = new long[4];
      for (int i = 0; i < 4; i++) {
        old[i] = s4.getShort(2 * i) & 0xffffL;
      }
      long oldTotal = Checks.product(old[0], old[1], old[2], old[3], kind.bytes);
      if (positive(old) && oldTotal == size - 27 - 8) {
        dims = old;
        total = oldTotal;
        headerLength = 27 + 8;
      } else if (!positive(dims)) {
        throw FormatException.atOffset(source, 27, "sizes must be positive, got "
            + dims[0] + " x " + dims[1] + " x " + dims[2] + " x " + dims[3]);
      } else {
        f.checkClaim(27, dims[0] + " x " + dims[1] + " x " + dims[2] + " x " + dims[3] + " "
            + kind.describe() + " voxels", total, size - headerLength, 1);
        LOG.warn("{}: {} bytes after the voxel data are ignored", source,
            size - headerLength - total);
      }
    }
    if (Checks.product(dims[0], dims[1]) > Checks.MAX_ARRAY_LENGTH
        || dims[2] > Integer.MAX_VALUE) {
      throw FormatException.atOffset(source, 27, "slices of " + dims[0] + " x " + dims[1]
          + " voxels are too large (at most 2^31 - 9 per slice)");
    }
    Map<String, String> meta = f.metadata("v3draw");
    if (dims[3] > 1) {
      LOG.warn("{}: {} channels; reading channel 1", source, dims[3]);
      meta.put("channels", Long.toString(dims[3]));
    }
    int w = (int) dims[0];
    int h = (int) dims[1];
    int d = (int) dims[2];
    PlanarImg<? extends RealType<?>, ?> img = f.allocate(w, h, d, kind);
    long planeBytes = (long) w * h * kind.bytes;
    for (int z = 0; z < d; z++) {
      Object plane = ((ArrayDataAccess<?>) img.getPlane(z)).getCurrentStorageArray();
      f.readSlice(headerLength + z * planeBytes, w, h, kind, order, plane, "slice " + z);
    }
    return new Volume(img, VoxelSize.UNIT, f.volumeName(), meta);
  }

  private static boolean positive(long[] dims) {
    for (long v : dims) {
      if (v <= 0) {
        return false;
      }
    }
    return true;
  }

  static void write(Volume volume, Path path) {
    SampleKind kind = SampleKind.forWriting(volume.image());
    int w = Math.toIntExact(volume.width());
    int h = Math.toIntExact(volume.height());
    int d = Math.toIntExact(volume.depth());
    AtomicWrite.write(path, temp -> {
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16)) {
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        ByteBuffer head = ByteBuffer.allocate(43).order(order);
        head.put(MAGIC.getBytes(StandardCharsets.US_ASCII)).put((byte) 'L');
        head.putShort((short) (kind == SampleKind.F32 ? 4 : kind.bytes));
        head.putInt(w).putInt(h).putInt(d).putInt(1);
        out.write(head.array());
        RowSource.writeAll(out, volume, kind, order);
      }
    });
  }
}
