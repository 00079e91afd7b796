package io.github.neuroseg.volume.chunked;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.NeuroSegIOException;
import io.github.neuroseg.internal.IoErrors;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;

/**
 * A chunked store being written chunk by chunk, made by {@link ChunkedWriter#stage}: its
 * metadata is written, its chunks are written by {@link #writeChunk} in any order, by any number
 * of threads or processes that share the file system (each chunk once), and {@link #commit()}
 * moves the complete store into place, replacing an old one, as {@link ChunkedWriter#write}
 * does. Until then the store lives in a hidden sibling directory of its target; {@link #abort()}
 * deletes it.
 *
 * <p>A staged store is immutable and {@link Serializable}: it is only the description of the
 * store (paths, size, chunk size, type, codec), so it can be sent to the processes that write
 * chunks; a chunk that is never written reads as 0.
 */
public final class StagedStore implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String target;
  private final String directory;
  private final ChunkedFormat format;
  private final long[] dimensions;
  private final int[] chunk;
  private final DataType type;
  private final boolean bigEndian;
  private final Codec codec;

  StagedStore(Path target, Path directory, ChunkedFormat format, long[] dimensions, int[] chunk,
      DataType type, boolean bigEndian, Codec codec) {
    this.target = target.toString();
    this.directory = directory.toAbsolutePath().toString();
    this.format = format;
    this.dimensions = dimensions.clone();
    this.chunk = chunk.clone();
    this.type = type;
    this.bigEndian = bigEndian;
    this.codec = codec;
  }

  /** Where {@link #commit()} puts the store. */
  public Path target() {
    return Path.of(target);
  }

  /** The temporary directory the store is written into until {@link #commit()}. */
  public Path directory() {
    return Path.of(directory);
  }

  /** The store's format. */
  public ChunkedFormat format() {
    return format;
  }

  /** The volume's size (x, y, z). */
  public long[] dimensions() {
    return dimensions.clone();
  }

  /** The chunk size (x, y, z); edge chunks are cut to the volume. */
  public int[] chunkSize() {
    return chunk.clone();
  }

  /** The number of chunks along x, y and z. */
  public long[] grid() {
    long[] g = new long[3];
    for (int d = 0; d < 3; d++) {
      g[d] = (dimensions[d] + chunk[d] - 1) / chunk[d];
    }
    return g;
  }

  /**
   * The first voxel of a chunk.
   *
   * @param chunkPosition the chunk's position in the {@link #grid()} (x, y, z)
   * @throws InvalidInputException for a position outside the grid
   */
  public long[] chunkMin(long[] chunkPosition) {
    check(chunkPosition);
    long[] m = new long[3];
    for (int d = 0; d < 3; d++) {
      m[d] = chunkPosition[d] * chunk[d];
    }
    return m;
  }

  /**
   * The last voxel of a chunk, inclusive (cut to the volume).
   *
   * @throws InvalidInputException for a position outside the grid
   */
  public long[] chunkMax(long[] chunkPosition) {
    check(chunkPosition);
    long[] m = new long[3];
    for (int d = 0; d < 3; d++) {
      m[d] = Math.min(dimensions[d], (chunkPosition[d] + 1) * chunk[d]) - 1;
    }
    return m;
  }

  private void check(long[] p) {
    long[] g = grid();
    if (p.length != 3 || p[0] < 0 || p[1] < 0 || p[2] < 0 || p[0] >= g[0] || p[1] >= g[1]
        || p[2] >= g[2]) {
      throw new InvalidInputException("chunk position " + Arrays.toString(p)
          + " is outside the grid " + Arrays.toString(g) + " of " + target);
    }
  }

  /**
   * Encodes and writes one chunk.
   *
   * @param chunkPosition the chunk's position in the {@link #grid()}
   * @param source an image defined at least on the chunk's voxels {@link #chunkMin} ..
   *     {@link #chunkMax}, in the volume's coordinates (a translated view of a block will do);
   *     values are converted to the store's type as {@link ChunkedWriter#write} converts them
   * @throws InvalidInputException for a position outside the grid
   * @throws NeuroSegIOException when the chunk cannot be written
   */
  public void writeChunk(long[] chunkPosition, RandomAccessibleInterval<? extends RealType<?>>
      source) {
    check(chunkPosition);
    Path dir = directory();
    Path arrayDir = format == ChunkedFormat.N5 ? dir : dir.resolve("0");
    List<Compression.Stage> stages = ChunkedWriter.stages(codec, type);
    try {
      ChunkedWriter.writeChunk(format, source, arrayDir, dimensions, chunk,
          chunkPosition.clone(), type, bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN,
          stages);
    } catch (IOException e) {
      throw IoErrors.cannotWrite(target(), e);
    }
  }

  /**
   * Moves the store into place, replacing an old store at the target.
   *
   * @throws InvalidInputException when the target has become a file or a non-store directory
   * @throws NeuroSegIOException when the store cannot be moved; the staged directory is deleted
   */
  public void commit() {
    if (!Files.isDirectory(directory())) {
      throw new NeuroSegIOException("cannot commit " + target + ": its staged directory "
          + directory + " is gone (committed or aborted already?)",
          new java.nio.file.NoSuchFileException(directory));
    }
    DirectoryWrite.commit(directory(), target());
  }

  /** Deletes the staged directory and everything written into it; the target is untouched. */
  public void abort() {
    DirectoryWrite.abort(directory());
  }

  @Override
  public String toString() {
    return "StagedStore[" + target + ", " + format + ", " + Arrays.toString(dimensions)
        + ", chunks " + Arrays.toString(chunk) + ", " + type.n5Name() + "]";
  }
}
