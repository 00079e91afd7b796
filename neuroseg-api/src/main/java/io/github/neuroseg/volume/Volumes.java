package io.github.neuroseg.volume;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.NeuroSegIOException;
import io.github.neuroseg.files.OutputPaths;
import io.github.neuroseg.internal.IoErrors;
import io.github.neuroseg.volume.chunked.ChunkedReader;
import io.github.neuroseg.volume.chunked.ChunkedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads and writes volumes: multi-page TIFF stacks, Vaa3D {@code .v3draw} files and chunked
 * stores (OME-Zarr 0.4 / 0.5 and N5 directories, through {@link ChunkedReader} and
 * {@link ChunkedWriter} with their defaults; use those builders to choose a multiscale level,
 * the cache size, the chunk size or the codec).
 *
 * <p><b>Reading</b> TIFF: one grayscale sample per pixel, 8/16/32-bit integers (unsigned or
 * signed) and 32/64-bit floats, little- or big-endian, classic or BigTIFF, uncompressed or
 * compressed (LZW, Deflate, PackBits and the other schemes of the TwelveMonkeys TIFF plugin, with
 * predictors, strips or tiles), palette images as their indices. Every page of equal size is a
 * slice; reduced-resolution pages are skipped. The Orientation tag is honoured: pages stored
 * mirrored or bottom-up (orientations 2 to 4, as some tools write them) are read the way viewers
 * show them, with voxel (0, 0) top left; rotated ones (5 to 8) are refused. The voxel size comes
 * from ImageJ's description
 * ({@code unit}, {@code spacing}) and the x/y resolution tags, from OME-XML {@code PhysicalSize*}
 * attributes, or from resolution tags in centimetres; every spelling of micrometre becomes
 * {@code "micron"}; otherwise it is {@link VoxelSize#UNIT}. ImageJ hyperstacks with several
 * channels or frames yield their first channel and frame (with a warning). The result is a
 * planar image (one array per slice) of the file's sample type, named after the file, with the
 * metadata {@code source} (absolute path) and {@code format}.
 *
 * <p><b>Writing</b> TIFF: uncompressed, little-endian, in ImageJ's layout (all slices'
 * pixels contiguous, one IFD per slice, ImageJ description with {@code images}, {@code slices},
 * {@code unit}, {@code spacing} and the display range; x/y resolution = 1 / voxel size), which
 * Fiji opens as a calibrated z-stack and every baseline TIFF reader reads. Unsigned 8-bit
 * (and boolean) and unsigned 16-bit volumes keep their type; every other type is written as
 * 32-bit float. Stacks over 4 GiB are written as ImageJ writes them: one IFD followed by all
 * slices contiguously, which ImageJ/Fiji and this reader open whole (other readers see the first
 * slice); a single slice must stay below 2 GiB.
 *
 * <p>{@code .v3draw} holds 8-bit, 16-bit unsigned or 32-bit float voxels and no voxel size (read
 * as {@link VoxelSize#UNIT}); several channels read as the first one.
 *
 * <p>Failures: {@link FormatException} for malformed, truncated or unsupported content (with the
 * byte offset of the problem), {@link NeuroSegIOException} for file-system failures,
 * {@link InvalidInputException} for a volume a format cannot hold. Writes are atomic.
 */
public final class Volumes {
  private Volumes() {}

  /**
   * Reads a TIFF stack or a {@code .v3draw} file, recognised by its first bytes, or a chunked
   * store: a directory (OME-Zarr 0.4 / 0.5, Zarr v2 / v3 array, N5), opened lazily at level 0
   * (see {@link ChunkedReader}).
   *
   * @param path the file or store directory
   * @return the volume, with the file's sample type and voxel size
   * @throws FormatException when the content is none of these formats or is malformed
   * @throws NeuroSegIOException when the file cannot be read
   */
  public static Volume read(Path path) {
    if (Files.isDirectory(path)) {
      return ChunkedReader.newBuilder().build().read(path);
    }
    if (isChunkedName(path) && !Files.exists(path)) {
      throw new NeuroSegIOException("cannot read " + path + ": no such store directory",
          new java.nio.file.NoSuchFileException(path.toString()));
    }
    if (isChunkedName(path)) {
      throw FormatException.of(path.toString(), "expected a Zarr or N5 store directory, got a"
          + " file");
    }
    byte[] head = head(path);
    if (TiffStructure.isTiff(head)) {
      return TiffReader.read(path);
    }
    if (V3draw.isV3draw(head)) {
      return V3draw.read(path);
    }
    throw FormatException.atOffset(path.toString(), 0, "expected a TIFF stack (starting with"
        + " II* or MM*) or a Vaa3D .v3draw file (starting with " + V3draw.MAGIC + "), got "
        + printable(head));
  }

  /**
   * Reads a multi-page TIFF stack (see the class description for what is supported).
   *
   * @param path the file
   * @return the volume
   * @throws FormatException when the file is not a readable TIFF stack
   * @throws NeuroSegIOException when the file cannot be read
   */
  public static Volume readTiff(Path path) {
    return TiffReader.read(path);
  }

  /**
   * Reads a Vaa3D {@code .v3draw} file (voxel size {@link VoxelSize#UNIT}).
   *
   * @param path the file
   * @return the volume
   * @throws FormatException when the file is not a readable v3draw file
   * @throws NeuroSegIOException when the file cannot be read
   */
  public static Volume readV3draw(Path path) {
    return V3draw.read(path);
  }

  /**
   * Writes a volume in the format its file name ends with: {@code .tif}/{@code .tiff},
   * {@code .v3draw}, {@code .zarr} (OME-Zarr 0.4) or {@code .n5} (see {@link ChunkedWriter} for
   * the defaults and for other choices).
   *
   * @param volume what to write
   * @param path the file or store directory (replaced atomically; parent folders are created)
   * @throws InvalidInputException for another file extension or a volume the format cannot hold
   * @throws NeuroSegIOException when the file cannot be written
   */
  public static void write(Volume volume, Path path) {
    switch (format(path)) {
      case CHUNKED -> ChunkedWriter.newBuilder().build().write(volume, path);
      case TIFF -> writeTiff(volume, path);
      case V3DRAW -> writeV3draw(volume, path);
    }
  }

  /**
   * Checks, before any work, that {@link #write(Volume, Path)} can write to {@code path}: its
   * name ends in an extension of a format written, it is not a directory (a store directory for
   * {@code .zarr} and {@code .n5}: not a file, not a directory other than a store), and the
   * folder it goes in is writable or can be created.
   *
   * @param path the file or store directory to be written
   * @throws InvalidInputException for another extension or a path that cannot be the output
   * @throws NeuroSegIOException when its folder is not writable
   */
  public static void checkWritable(Path path) {
    if (format(path) == Format.CHUNKED) {
      ChunkedWriter.newBuilder().build().checkWritable(path);
    } else {
      OutputPaths.checkFile(path);
    }
  }

  private enum Format { TIFF, V3DRAW, CHUNKED }

  private static Format format(Path path) {
    String name = path.getFileName() == null ? "" : path.getFileName().toString()
        .toLowerCase(Locale.ROOT);
    if (isChunkedName(path)) {
      return Format.CHUNKED;
    } else if (name.endsWith(".tif") || name.endsWith(".tiff")) {
      return Format.TIFF;
    } else if (name.endsWith(".v3draw")) {
      return Format.V3DRAW;
    }
    throw new InvalidInputException("cannot tell the volume format of " + path
        + ": expected a name ending in .tif, .tiff, .v3draw, .zarr or .n5");
  }

  /**
   * Writes an uncompressed, ImageJ-compatible multi-page TIFF with the voxel size.
   *
   * @param volume what to write
   * @param path the file (replaced atomically; parent folders are created)
   * @throws InvalidInputException when one slice would exceed 2 GiB
   * @throws NeuroSegIOException when the file cannot be written
   */
  public static void writeTiff(Volume volume, Path path) {
    TiffWriter.write(volume, path);
  }

  /**
   * Writes a Vaa3D {@code .v3draw} file (one channel; the voxel size is not stored).
   *
   * @param volume what to write
   * @param path the file (replaced atomically; parent folders are created)
   * @throws NeuroSegIOException when the file cannot be written
   */
  public static void writeV3draw(Volume volume, Path path) {
    V3draw.write(volume, path);
  }

  private static boolean isChunkedName(Path path) {
    String name = path.getFileName() == null ? "" : path.getFileName().toString()
        .toLowerCase(Locale.ROOT);
    return name.endsWith(".zarr") || name.endsWith(".n5");
  }

  private static byte[] head(Path path) {
    try (InputStream in = Files.newInputStream(path)) {
      return in.readNBytes(32);
    } catch (IOException e) {
      throw IoErrors.cannotRead(path, e);
    }
  }

  private static String printable(byte[] head) {
    if (head.length == 0) {
      return "an empty file";
    }
    StringBuilder sb = new StringBuilder("bytes");
    for (int i = 0; i < Math.min(8, head.length); i++) {
      sb.append(String.format(" %02x", head[i] & 0xff));
    }
    return sb.toString();
  }
}
