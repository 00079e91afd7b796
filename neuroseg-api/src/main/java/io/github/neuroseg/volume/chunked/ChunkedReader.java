package io.github.neuroseg.volume.chunked;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.NeuroSegIOException;
import io.github.neuroseg.internal.Checks;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.VoxelSize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import net.imglib2.img.cell.Cell;
import net.imglib2.img.cell.CellGrid;
import net.imglib2.img.cell.LazyCellImg;
import net.imglib2.type.NativeType;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens chunked volumes (OME-Zarr 0.4 / Zarr v2, OME-Zarr 0.5 / Zarr v3, N5) as lazy imglib2
 * images: each chunk is read and decoded when an accessor first enters it and kept in a cache
 * bounded by {@link Builder#cacheBytes(long)}, so a volume much larger than the heap can be
 * read, slab by slab or voxel by voxel.
 *
 * <p>What is read:
 *
 * <ul>
 *   <li>a directory with {@code .zarray}, a Zarr v3 {@code zarr.json} of an array, or an N5
 *       {@code attributes.json} with {@code dimensions}: that array, voxel size 1 x 1 x 1 voxel
 *       (N5: from {@code pixelResolution} or {@code resolution});
 *   <li>a Zarr group with OME-Zarr {@code multiscales} (0.1 to 0.5; a bioformats2raw layout
 *       opens its first image): the chosen level (default 0), voxel size from that level's
 *       {@code scale} transformations and the axes' units (converted to microns);
 *   <li>an N5 group with datasets {@code s0, s1, ...}: the chosen level, voxel size from the
 *       dataset's or the group's resolution (the group's multiplied by the dataset's
 *       {@code downsamplingFactors}).
 * </ul>
 *
 * <p>Axes: the dimensions named {@code x}, {@code y} and {@code z} (or, failing names, the last
 * three {@code space} axes; without axes, {@code zyx}, {@code czyx}, {@code tczyx} by rank; N5
 * lists x first) become the volume's x, y, z; every other axis is read at index 0 (channel 0,
 * time 0), with a logged warning when it has more. A 2D array reads as one slice.
 *
 * <p>Types: uint8, int8, uint16, int16, uint32, int32, float32, float64, little- or big-endian;
 * codecs: none, gzip, zlib, zstd, numcodecs' lz4, Blosc (LZ4, LZ4HC, Snappy, zlib or Zstandard
 * inside; byte, bit or no shuffle), Zarr v3 {@code crc32c} and {@code sharding_indexed}. Missing
 * chunks read as the fill value (N5: 0).
 *
 * <p>Metadata problems are a {@link FormatException} from {@link #read(Path)}; a damaged chunk is
 * a {@link FormatException} (naming the chunk file) when its voxels are first accessed.
 * Instances are immutable and thread-safe; so are the returned images for reading.
 */
public final class ChunkedReader {
  private static final Logger LOG = LoggerFactory.getLogger(ChunkedReader.class);

  private final int level;
  private final long cacheBytes;

  private ChunkedReader(Builder b) {
    this.level = b.level;
    this.cacheBytes = b.cacheBytes;
  }

  /** A builder with level 0 and the default cache size. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /** Whether {@code path} is a directory with Zarr or N5 metadata at its top. */
  public static boolean isChunkedStore(Path path) {
    return StoreMetadata.isStore(path);
  }

  /**
   * The default cache size: a quarter of the maximum heap, at most 512 MiB.
   *
   * @return bytes
   */
  public static long defaultCacheBytes() {
    return Math.min(512L << 20, Runtime.getRuntime().maxMemory() / 4);
  }

  /** The multiscale level this reader opens (0 = full resolution). */
  public int level() {
    return level;
  }

  /** The most bytes of decoded chunks one opened volume keeps in memory. */
  public long cacheBytes() {
    return cacheBytes;
  }

  /**
   * Opens a chunked volume lazily.
   *
   * @param path the store's (or image's, or array's) directory
   * @return a volume whose image loads chunks on demand, named after the directory, with the
   *     metadata {@code source}, {@code format} (e.g. {@code ome-zarr-0.4}, {@code n5}),
   *     {@code level}, {@code levels}, {@code axes}, {@code data_type}, {@code shape} and
   *     {@code chunks}
   * @throws FormatException when the metadata is missing, malformed or unsupported
   * @throws InvalidInputException when the level does not exist
   * @throws NeuroSegIOException when the directory cannot be read
   */
  public Volume read(Path path) {
    if (!Files.exists(path)) {
      throw new NeuroSegIOException("cannot read " + path + ": no such file or directory",
          new java.nio.file.NoSuchFileException(path.toString()));
    }
    if (!Files.isDirectory(path)) {
      throw FormatException.of(path.toString(), "expected a Zarr or N5 directory, got a file");
    }
    StoreMetadata.Opened o = StoreMetadata.open(path, level);
    return open(o, path);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Volume open(StoreMetadata.Opened o, Path path) {
    StoreArray a = o.array();
    int[] sp = o.spatial();
    int[] rc = a.readChunk();
    for (int d = 0; d < a.rank(); d++) {
      if (d != sp[0] && d != sp[1] && d != sp[2] && a.shape()[d] > 1) {
        LOG.warn("{}: axis {} has {} entries; reading index 0", path, o.axisNames().get(d),
            a.shape()[d]);
      }
    }
    long[] dims = {a.shape()[sp[0]], a.shape()[sp[1]], sp[2] >= 0 ? a.shape()[sp[2]] : 1};
    int[] cell = {Math.toIntExact(Math.min(rc[sp[0]], dims[0])),
        Math.toIntExact(Math.min(rc[sp[1]], dims[1])),
        sp[2] >= 0 ? Math.toIntExact(Math.min(rc[sp[2]], dims[2])) : 1};
    long cellElements = (long) cell[0] * cell[1] * cell[2];
    if (cellElements > Integer.MAX_VALUE - 16) {
      throw FormatException.of(a.metadataFile().toString(), "chunks of " + cellElements
          + " voxels in x, y, z are more than one array can hold");
    }
    CellGrid grid = new CellGrid(dims, cell);
    ChunkSource source = new ChunkSource(a);
    DataType type = a.dataType();
    int rank = a.rank();
    CellCache<Object> cache = new CellCache<>(cacheBytes, type.bytes, index -> {
      long[] gpos = new long[3];
      grid.getCellGridPositionFlat(index, gpos);
      long[] min = new long[3];
      int[] cd = new int[3];
      grid.getCellDimensions(gpos, min, cd);
      long[] chunk = new long[rank];
      chunk[sp[0]] = gpos[0];
      chunk[sp[1]] = gpos[1];
      if (sp[2] >= 0) {
        chunk[sp[2]] = gpos[2];
      }
      ChunkSource.Decoded dec = source.read(chunk);
      int count = cd[0] * cd[1] * cd[2];
      Object data = type.newArray(count, dec == null ? a.fill() : 0);
      if (dec != null) {
        long[] stride = strides(dec.dims(), a.transpose());
        long sx = stride[sp[0]];
        long sy = stride[sp[1]];
        long sz = sp[2] >= 0 ? stride[sp[2]] : 0;
        for (int z = 0; z < cd[2]; z++) {
          for (int y = 0; y < cd[1]; y++) {
            type.copy(dec.data(), y * sy + z * sz, sx, cd[0], data, (z * cd[1] + y) * cd[0]);
          }
        }
      }
      return new Cell<>(cd, min, data);
    });
    NativeType t = type.imglibType();
    LazyCellImg img = new LazyCellImg(grid, t, (LazyCellImg.Get) cache);
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("source", path.toAbsolutePath().toString());
    meta.put("format", o.label());
    meta.put("level", Integer.toString(o.level()));
    meta.put("levels", Integer.toString(o.levels()));
    meta.put("axes", String.join("", o.axisNames()));
    meta.put("data_type", type.n5Name());
    meta.put("shape", Arrays.toString(a.shape()));
    meta.put("chunks", Arrays.toString(rc));
    VoxelSize vs = o.voxelSize();
    return new Volume(img, vs, name(path), meta);
  }

  /** Element strides of a chunk's dimensions, given how its bytes order them. */
  private static long[] strides(int[] dims, int @Nullable [] transpose) {
    int n = dims.length;
    long[] s = new long[n];
    long acc = 1;
    for (int k = n - 1; k >= 0; k--) {
      int d = transpose == null ? k : transpose[k];
      s[d] = acc;
      acc *= dims[d];
    }
    return s;
  }

  private static String name(Path path) {
    Path f = path.toAbsolutePath().normalize().getFileName();
    String n = f == null ? "volume" : f.toString();
    String lower = n.toLowerCase(Locale.ROOT);
    for (String suffix : new String[] {".ome.zarr", ".zarr", ".n5"}) {
      if (lower.endsWith(suffix) && n.length() > suffix.length()) {
        return n.substring(0, n.length() - suffix.length());
      }
    }
    return n;
  }

  /** Chooses the level and the cache size. */
  public static final class Builder {
    private int level;
    private long cacheBytes = defaultCacheBytes();

    private Builder() {}

    /**
     * The multiscale level to open.
     *
     * @param level 0 (full resolution, the default) or a coarser level
     * @return this builder
     */
    public Builder level(int level) {
      this.level = Checks.atLeast("level", level, 0);
      return this;
    }

    /**
     * The most bytes of decoded chunks kept per opened volume; least recently used chunks are
     * dropped beyond it (one chunk is always kept).
     *
     * @param bytes the bound, > 0 (default {@link #defaultCacheBytes()})
     * @return this builder
     */
    public Builder cacheBytes(long bytes) {
      if (bytes <= 0) {
        throw new InvalidInputException("cache size must be > 0 bytes, got " + bytes);
      }
      this.cacheBytes = bytes;
      return this;
    }

    /** The reader. */
    public ChunkedReader build() {
      return new ChunkedReader(this);
    }
  }
}
