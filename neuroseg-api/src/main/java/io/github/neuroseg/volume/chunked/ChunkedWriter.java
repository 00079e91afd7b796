package io.github.neuroseg.volume.chunked;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.NeuroSegException;
import io.github.neuroseg.NeuroSegIOException;
import io.github.neuroseg.internal.Checks;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.VoxelSize;
import io.github.neuroseg.volume.chunked.Compression.Stage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.BooleanType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.GenericByteType;
import net.imglib2.type.numeric.integer.GenericShortType;
import net.imglib2.view.Views;
import org.jspecify.annotations.Nullable;

/**
 * Writes a volume as a chunked store, block by block: each chunk is copied out of the volume's
 * image (any {@link RandomAccessibleInterval}, lazy ones included), encoded and written before
 * the next, so memory stays at a few chunks per thread however large the volume is.
 *
 * <ul>
 *   <li>{@link ChunkedFormat#OME_ZARR_0_4}: a Zarr v2 group with OME-Zarr 0.4
 *       {@code multiscales} ({@code z, y, x} axes, space type, the unit, one level {@code "0"}
 *       with its {@code scale}), the array in {@code 0/} with {@code "/"} chunk keys;
 *   <li>{@link ChunkedFormat#OME_ZARR_0_5}: the same as a Zarr v3 group ({@code attributes.ome},
 *       {@code dimension_names}, the {@code bytes} codec and the compressor);
 *   <li>{@link ChunkedFormat#N5}: an N5 dataset at the store's top ({@code dimensions} x first,
 *       big-endian blocks, edge blocks cut to the volume), with {@code resolution} and, when
 *       the unit is known, {@code units} and {@code pixelResolution}.
 * </ul>
 *
 * <p>Defaults: the format from the name ({@code .n5}: N5, otherwise OME-Zarr 0.4, which every
 * current OME-Zarr reader opens), chunks of 64 x 64 x 64 (cut to the volume), Blosc LZ4 with
 * byte shuffle for Zarr (numcodecs' default) and gzip level 6 for N5 (N5's own default codec),
 * little-endian Zarr, all processors. The data type follows the image: unsigned and signed 8, 16
 * and 32-bit integers and 32/64-bit floats keep theirs, booleans become uint8, other types
 * float32. Units: {@code micron} is written as {@code micrometer} (OME-Zarr) or {@code um} (N5);
 * other length units as they are; {@code voxel} is left out.
 *
 * <p>The store is written into a temporary sibling directory and moved into place when complete
 * (an existing store is replaced only then; a directory that is not a store is never replaced).
 * Instances are immutable and thread-safe.
 */
public final class ChunkedWriter {
  private final @Nullable ChunkedFormat format;
  private final int @Nullable [] chunkSize;
  private final @Nullable Codec codec;
  private final ByteOrder byteOrder;
  private final int threads;

  private ChunkedWriter(Builder b) {
    this.format = b.format;
    this.chunkSize = b.chunkSize == null ? null : b.chunkSize.clone();
    this.codec = b.codec;
    this.byteOrder = b.byteOrder;
    this.threads = b.threads;
  }

  /** A builder with the defaults described above. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /** The format written to {@code path}: the chosen one, or the one its name implies. */
  public ChunkedFormat formatFor(Path path) {
    if (format != null) {
      return format;
    }
    Path f = path.getFileName();
    return f != null && f.toString().toLowerCase(Locale.ROOT).endsWith(".n5") ? ChunkedFormat.N5
        : ChunkedFormat.OME_ZARR_0_4;
  }

  /**
   * Checks, before any work, that a store can be written at {@code path}: it is not a file or a
   * directory that is not a store, and its folder is writable.
   *
   * @param path the store directory to be written
   * @throws InvalidInputException when {@code path} is a file or a directory that is not a store
   * @throws NeuroSegIOException when its folder is not writable
   */
  public void checkWritable(Path path) {
    DirectoryWrite.check(path);
  }

  /**
   * Writes {@code volume} as a store at {@code path}.
   *
   * @param volume what to write
   * @param path the store directory (replaced atomically; parent folders are created)
   * @throws InvalidInputException when {@code path} is a file or a directory that is not a store
   * @throws NeuroSegIOException when the store cannot be written
   */
  public void write(Volume volume, Path path) {
    ChunkedFormat f = formatFor(path);
    RandomAccessibleInterval<? extends RealType<?>> img = volume.image();
    DataType type = DataType.forImglibType(img.getType());
    long[] dims = img.dimensionsAsLongArray();
    int[] chunk = new int[3];
    for (int d = 0; d < 3; d++) {
      int want = chunkSize == null ? 64 : chunkSize[d];
      chunk[d] = (int) Math.min(want, dims[d]);
    }
    long chunkBytes = (long) chunk[0] * chunk[1] * chunk[2] * type.bytes;
    if (chunkBytes > ChunkSource.MAX_CHUNK_BYTES) {
      throw new InvalidInputException("chunks of " + chunk[0] + " x " + chunk[1] + " x "
          + chunk[2] + " " + type.n5Name() + " voxels exceed 2 GiB");
    }
    Codec c = codec != null ? codec : f == ChunkedFormat.N5 ? Codec.gzip(6)
        : Codec.blosc(Codec.BloscCompressor.LZ4, Codec.BloscShuffle.BYTE);
    ByteOrder order = f == ChunkedFormat.N5 ? ByteOrder.BIG_ENDIAN : byteOrder;
    List<Stage> stages = stages(c, type);
    String name = volume.name() != null ? volume.name() : "volume";
    DirectoryWrite.write(path, dir -> {
      Path arrayDir = f == ChunkedFormat.N5 ? dir : dir.resolve("0");
      Files.createDirectories(arrayDir);
      writeMetadata(f, dir, arrayDir, name, dims, chunk, type, order, c, volume.voxelSize());
      writeChunks(f, img, arrayDir, dims, chunk, type, order, stages);
    });
  }

  /**
   * Starts a store of the given size and type that is then filled chunk by chunk, by this
   * process or by many that share its file system (see {@link StagedStore}): the metadata is
   * written now, into a temporary sibling directory of {@code path}, with this writer's format,
   * chunk size, codec and byte order.
   *
   * @param path the store directory, replaced atomically by {@link StagedStore#commit()}
   * @param dimensions the volume's size (x, y, z), each {@code >= 1}
   * @param type the voxel type, as {@link #write} chooses it for an image of that type
   * @param voxelSize the voxel size written into the metadata
   * @param name the image name written into OME-Zarr metadata
   * @throws InvalidInputException when {@code path} is a file or a directory that is not a store,
   *     or for empty dimensions or chunks over 2 GiB
   * @throws NeuroSegIOException when the directory cannot be written
   */
  public StagedStore stage(Path path, long[] dimensions, RealType<?> type, VoxelSize voxelSize,
      String name) {
    if (dimensions.length != 3 || dimensions[0] < 1 || dimensions[1] < 1 || dimensions[2] < 1) {
      throw new InvalidInputException("a staged store needs 3 dimensions >= 1, got "
          + java.util.Arrays.toString(dimensions));
    }
    ChunkedFormat f = formatFor(path);
    DataType dt = DataType.forImglibType(type);
    long[] dims = dimensions.clone();
    int[] chunk = new int[3];
    for (int d = 0; d < 3; d++) {
      int want = chunkSize == null ? 64 : chunkSize[d];
      chunk[d] = (int) Math.min(want, dims[d]);
    }
    long chunkBytes = (long) chunk[0] * chunk[1] * chunk[2] * dt.bytes;
    if (chunkBytes > ChunkSource.MAX_CHUNK_BYTES) {
      throw new InvalidInputException("chunks of " + chunk[0] + " x " + chunk[1] + " x "
          + chunk[2] + " " + dt.n5Name() + " voxels exceed 2 GiB");
    }
    Codec c = codec != null ? codec : f == ChunkedFormat.N5 ? Codec.gzip(6)
        : Codec.blosc(Codec.BloscCompressor.LZ4, Codec.BloscShuffle.BYTE);
    ByteOrder order = f == ChunkedFormat.N5 ? ByteOrder.BIG_ENDIAN : byteOrder;
    Path temp = DirectoryWrite.begin(path);
    try {
      Path arrayDir = f == ChunkedFormat.N5 ? temp : temp.resolve("0");
      Files.createDirectories(arrayDir);
      writeMetadata(f, temp, arrayDir, name, dims, chunk, dt, order, c, voxelSize);
    } catch (IOException e) {
      DirectoryWrite.abort(temp);
      throw io.github.neuroseg.internal.IoErrors.cannotWrite(path, e);
    }
    return new StagedStore(path.toAbsolutePath().normalize(), temp, f, dims, chunk, dt,
        order == ByteOrder.BIG_ENDIAN, c);
  }

  static List<Stage> stages(Codec c, DataType type) {
    if (c instanceof Codec.Gzip g) {
      return List.of(Compression.gzip(g.level()));
    } else if (c instanceof Codec.Zstd) {
      return List.of(Compression.zstd());
    } else if (c instanceof Codec.Blosc b) {
      return List.of(Compression.blosc(type.bytes, b));
    }
    return List.of();
  }

  private void writeChunks(ChunkedFormat f, RandomAccessibleInterval<? extends RealType<?>> img,
      Path arrayDir, long[] dims, int[] chunk, DataType type, ByteOrder order,
      List<Stage> stages) throws IOException {
    long[] grid = new long[3];
    for (int d = 0; d < 3; d++) {
      grid[d] = (dims[d] + chunk[d] - 1) / chunk[d];
    }
    long total = grid[0] * grid[1] * grid[2];
    AtomicLong next = new AtomicLong();
    Runnable worker = () -> {
      for (long i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
        long gx = i % grid[0];
        long gy = i / grid[0] % grid[1];
        long gz = i / (grid[0] * grid[1]);
        try {
          writeChunk(f, img, arrayDir, dims, chunk, new long[] {gx, gy, gz}, type, order,
              stages);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
    int n = (int) Math.max(1, Math.min(threads, total));
    if (n == 1) {
      try {
        worker.run();
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
      Thread t = new Thread(r, "neuroseg-chunked-writer");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        futures.add(pool.submit(worker));
      }
      for (Future<?> fu : futures) {
        try {
          fu.get();
        } catch (ExecutionException e) {
          next.set(total);
          Throwable cause = e.getCause();
          if (cause instanceof UncheckedIOException u) {
            throw u.getCause();
          }
          if (cause instanceof NeuroSegException ne) {
            throw ne;
          }
          if (cause instanceof Error err) {
            throw err;
          }
          throw new IOException("writing a chunk failed: " + cause, cause);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          next.set(total);
          throw new IOException("interrupted while writing chunks", e);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  static void writeChunk(ChunkedFormat f,
      RandomAccessibleInterval<? extends RealType<?>> img, Path arrayDir, long[] dims,
      int[] chunk, long[] g, DataType type, ByteOrder order, List<Stage> stages)
      throws IOException {
    long[] min = new long[3];
    long[] max = new long[3];
    int[] extent = new int[3];
    for (int d = 0; d < 3; d++) {
      min[d] = g[d] * chunk[d];
      max[d] = Math.min(dims[d], min[d] + chunk[d]) - 1;
      extent[d] = (int) (max[d] - min[d] + 1);
    }
    // Zarr stores whole chunks (the part outside the volume holds the fill value 0); N5 cuts
    // edge blocks to the volume
    int[] stored = f == ChunkedFormat.N5 ? extent : chunk;
    int elems = stored[0] * stored[1] * stored[2];
    ByteBuffer buf = ByteBuffer.allocate(elems * type.bytes).order(order);
    Cursor<? extends RealType<?>> c = Views.flatIterable(Views.interval(img, min, max))
        .cursor();
    // the image's own type, when the store keeps it, is copied without going through double
    Object t = img.getType();
    boolean same = DataType.forImglibType(t) == type && !(t instanceof BooleanType<?>);
    for (int z = 0; z < extent[2]; z++) {
      for (int y = 0; y < extent[1]; y++) {
        int base = (z * stored[1] + y) * stored[0];
        if (same && type.bytes == 2) {
          for (int x = 0; x < extent[0]; x++) {
            buf.putShort(2 * (base + x), ((GenericShortType<?>) c.next()).getShort());
          }
        } else if (same && type.bytes == 1) {
          for (int x = 0; x < extent[0]; x++) {
            buf.put(base + x, ((GenericByteType<?>) c.next()).getByte());
          }
        } else if (same && type == DataType.FLOAT32) {
          for (int x = 0; x < extent[0]; x++) {
            buf.putFloat(4 * (base + x), c.next().getRealFloat());
          }
        } else {
          for (int x = 0; x < extent[0]; x++) {
            type.put(buf, base + x, c.next().getRealDouble());
          }
        }
      }
    }
    byte[] data = buf.array();
    for (Stage s : stages) {
      data = s.encode(data);
    }
    Path file;
    if (f == ChunkedFormat.N5) {
      ByteBuffer h = ByteBuffer.allocate(4 + 12 + data.length).order(ByteOrder.BIG_ENDIAN);
      h.putShort((short) 0).putShort((short) 3);
      h.putInt(extent[0]).putInt(extent[1]).putInt(extent[2]);
      h.put(data);
      data = h.array();
      file = arrayDir.resolve(g[0] + "/" + g[1] + "/" + g[2]);
    } else if (f == ChunkedFormat.OME_ZARR_0_5) {
      file = arrayDir.resolve("c/" + g[2] + "/" + g[1] + "/" + g[0]);
    } else {
      file = arrayDir.resolve(g[2] + "/" + g[1] + "/" + g[0]);
    }
    Files.createDirectories(file.getParent());
    Files.write(file, data);
  }

  static void writeMetadata(ChunkedFormat f, Path dir, Path arrayDir, String name,
      long[] dims, int[] chunk, DataType type, ByteOrder order, Codec codec, VoxelSize vs)
      throws IOException {
    List<Long> zyxShape = List.of(dims[2], dims[1], dims[0]);
    List<Integer> zyxChunks = List.of(chunk[2], chunk[1], chunk[0]);
    if (f == ChunkedFormat.N5) {
      Map<String, Object> a = new LinkedHashMap<>();
      a.put("n5", "4.0.0");
      a.put("dimensions", List.of(dims[0], dims[1], dims[2]));
      a.put("blockSize", List.of(chunk[0], chunk[1], chunk[2]));
      a.put("dataType", type.n5Name());
      a.put("compression", n5Compression(codec, type));
      String unit = n5Unit(vs.unit());
      List<Double> res = List.of(vs.x(), vs.y(), vs.z());
      a.put("resolution", res);
      if (unit != null) {
        a.put("units", List.of(unit, unit, unit));
        a.put("pixelResolution", ordered("dimensions", res, "unit", unit));
      }
      a.put("axes", List.of("x", "y", "z"));
      Files.write(dir.resolve("attributes.json"), Json.write(a));
      return;
    }
    String unit = omeUnit(vs.unit());
    List<Object> axes = new ArrayList<>();
    for (String ax : List.of("z", "y", "x")) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("name", ax);
      o.put("type", "space");
      if (unit != null) {
        o.put("unit", unit);
      }
      axes.add(o);
    }
    Map<String, Object> scale = new LinkedHashMap<>();
    scale.put("type", "scale");
    scale.put("scale", List.of(vs.z(), vs.y(), vs.x()));
    Map<String, Object> dataset = new LinkedHashMap<>();
    dataset.put("path", "0");
    dataset.put("coordinateTransformations", List.of(scale));
    Map<String, Object> ms = new LinkedHashMap<>();
    if (f == ChunkedFormat.OME_ZARR_0_4) {
      ms.put("version", "0.4");
    }
    ms.put("name", name);
    ms.put("axes", axes);
    ms.put("datasets", List.of(dataset));
    Object fill = type.floating ? (Object) 0.0 : (Object) 0;
    if (f == ChunkedFormat.OME_ZARR_0_4) {
      Files.write(dir.resolve(".zgroup"), Json.write(Map.of("zarr_format", 2)));
      Files.write(dir.resolve(".zattrs"), Json.write(Map.of("multiscales", List.of(ms))));
      Map<String, Object> a = new LinkedHashMap<>();
      a.put("zarr_format", 2);
      a.put("shape", zyxShape);
      a.put("chunks", zyxChunks);
      a.put("dtype", (type.bytes == 1 ? "|" : order == ByteOrder.BIG_ENDIAN ? ">" : "<")
          + type.v2Code());
      a.put("compressor", v2Compressor(codec, type));
      a.put("fill_value", fill);
      a.put("order", "C");
      a.put("filters", null);
      a.put("dimension_separator", "/");
      Files.write(arrayDir.resolve(".zarray"), Json.write(a));
      return;
    }
    Map<String, Object> ome = new LinkedHashMap<>();
    ome.put("version", "0.5");
    ome.put("multiscales", List.of(ms));
    Map<String, Object> group = new LinkedHashMap<>();
    group.put("zarr_format", 3);
    group.put("node_type", "group");
    group.put("attributes", Map.of("ome", ome));
    Files.write(dir.resolve("zarr.json"), Json.write(group));
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("zarr_format", 3);
    a.put("node_type", "array");
    a.put("shape", zyxShape);
    a.put("data_type", type.n5Name());
    a.put("chunk_grid", Map.of("name", "regular", "configuration",
        Map.of("chunk_shape", zyxChunks)));
    a.put("chunk_key_encoding", Map.of("name", "default", "configuration",
        Map.of("separator", "/")));
    a.put("fill_value", fill);
    List<Object> codecs = new ArrayList<>();
    codecs.add(Map.of("name", "bytes", "configuration", Map.of("endian",
        order == ByteOrder.BIG_ENDIAN ? "big" : "little")));
    Map<String, Object> comp = v3Compressor(codec, type);
    if (comp != null) {
      codecs.add(comp);
    }
    a.put("codecs", codecs);
    a.put("dimension_names", List.of("z", "y", "x"));
    a.put("attributes", Map.of());
    Files.write(arrayDir.resolve("zarr.json"), Json.write(a));
  }

  private static @Nullable Object v2Compressor(Codec c, DataType type) {
    if (c instanceof Codec.Gzip g) {
      return ordered("id", "gzip", "level", g.level());
    } else if (c instanceof Codec.Zstd) {
      return ordered("id", "zstd", "level", 3);
    } else if (c instanceof Codec.Blosc b) {
      return ordered("id", "blosc", "cname", b.compressor().cname, "clevel", b.level(),
          "shuffle", b.shuffle().ordinal(), "blocksize", 0);
    }
    return null;
  }

  private static @Nullable Map<String, Object> v3Compressor(Codec c, DataType type) {
    if (c instanceof Codec.Gzip g) {
      return ordered("name", "gzip", "configuration", Map.of("level", g.level()));
    } else if (c instanceof Codec.Zstd) {
      return ordered("name", "zstd", "configuration", ordered("level", 3, "checksum", false));
    } else if (c instanceof Codec.Blosc b) {
      String shuffle = switch (b.shuffle()) {
        case NONE -> "noshuffle";
        case BYTE -> "shuffle";
        case BIT -> "bitshuffle";
      };
      return ordered("name", "blosc", "configuration", ordered("cname", b.compressor().cname,
          "clevel", b.level(), "shuffle", shuffle, "typesize", type.bytes, "blocksize", 0));
    }
    return null;
  }

  private static Map<String, Object> n5Compression(Codec c, DataType type) {
    if (c instanceof Codec.Gzip g) {
      return ordered("type", "gzip", "level", g.level(), "useZlib", false);
    } else if (c instanceof Codec.Zstd) {
      return ordered("type", "zstd", "level", 3);
    } else if (c instanceof Codec.Blosc b) {
      return ordered("type", "blosc", "cname", b.compressor().cname, "clevel", b.level(),
          "shuffle", b.shuffle().ordinal(), "blocksize", 0, "nthreads", 1);
    }
    return ordered("type", "raw");
  }

  private static Map<String, Object> ordered(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  private static @Nullable String omeUnit(String unit) {
    if (unit.equals("voxel")) {
      return null;
    }
    double f = StoreMetadata.micronsPer(unit);
    return f == 1 ? "micrometer" : f == 1e-3 ? "nanometer" : f == 1e3 ? "millimeter" : unit;
  }

  private static @Nullable String n5Unit(String unit) {
    if (unit.equals("voxel")) {
      return null;
    }
    return StoreMetadata.micronsPer(unit) == 1 ? "um" : unit;
  }

  /** Chooses format, chunk size, codec, byte order and threads. */
  public static final class Builder {
    private @Nullable ChunkedFormat format;
    private int @Nullable [] chunkSize;
    private @Nullable Codec codec;
    private ByteOrder byteOrder = ByteOrder.LITTLE_ENDIAN;
    private int threads = Runtime.getRuntime().availableProcessors();

    private Builder() {}

    /**
     * The format, whatever the name (default: by the name, see the class description).
     *
     * @param format the format
     * @return this builder
     */
    public Builder format(ChunkedFormat format) {
      this.format = format;
      return this;
    }

    /**
     * The chunk size along x, y and z (default 64 each; cut to the volume).
     *
     * @param x voxels along x, > 0
     * @param y voxels along y, > 0
     * @param z voxels along z, > 0
     * @return this builder
     */
    public Builder chunkSize(int x, int y, int z) {
      if (x <= 0 || y <= 0 || z <= 0) {
        throw new InvalidInputException("chunk size must be > 0 on every axis, got " + x + " x "
            + y + " x " + z);
      }
      this.chunkSize = new int[] {x, y, z};
      return this;
    }

    /**
     * The codec (default: Blosc LZ4 with byte shuffle for Zarr, gzip 6 for N5).
     *
     * @param codec the codec
     * @return this builder
     */
    public Builder codec(Codec codec) {
      this.codec = codec;
      return this;
    }

    /**
     * The byte order of Zarr chunks (default little-endian; N5 is always big-endian).
     *
     * @param order the order
     * @return this builder
     */
    public Builder byteOrder(ByteOrder order) {
      this.byteOrder = order;
      return this;
    }

    /**
     * How many threads encode and write chunks (default: the available processors).
     *
     * @param threads >= 1
     * @return this builder
     */
    public Builder threads(int threads) {
      this.threads = Checks.atLeast("threads", threads, 1);
      return this;
    }

    /** The writer. */
    public ChunkedWriter build() {
      return new ChunkedWriter(this);
    }
  }
}
