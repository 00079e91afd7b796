package io.github.neuroseg.volume.chunked;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.volume.VoxelSize;
import io.github.neuroseg.volume.chunked.Compression.Stage;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Parses the metadata of Zarr v2, Zarr v3 and N5 stores: arrays, OME-Zarr 0.4 / 0.5
 * multiscales (axes, levels, scale transformations and units) and N5 multiscale groups
 * ({@code s0}, {@code s1}, ... with {@code resolution} / {@code pixelResolution} and
 * {@code downsamplingFactors}).
 */
final class StoreMetadata {
  private static final int MAX_RANK = 32;

  private StoreMetadata() {}

  /**
   * An opened image: the array of the chosen level and how its dimensions map to x, y, z.
   *
   * @param array the array
   * @param axisNames the array's axis names in C order
   * @param spatial store dimension of x, y and z (z is -1 for a 2D array)
   * @param voxelSize from the scale metadata, or {@link VoxelSize#UNIT}
   * @param level the chosen level
   * @param levels how many levels the image has
   * @param label the format for the volume's metadata (e.g. {@code ome-zarr-0.4})
   */
  record Opened(StoreArray array, List<String> axisNames, int[] spatial, VoxelSize voxelSize,
      int level, int levels, String label) {}

  /** Whether {@code dir} holds the top-level metadata of a Zarr or N5 store. */
  static boolean isStore(Path dir) {
    return Files.isDirectory(dir) && (Files.isRegularFile(dir.resolve(".zarray"))
        || Files.isRegularFile(dir.resolve(".zgroup"))
        || Files.isRegularFile(dir.resolve(".zattrs"))
        || Files.isRegularFile(dir.resolve("zarr.json"))
        || Files.isRegularFile(dir.resolve("attributes.json")));
  }

  static Opened open(Path dir, int level) {
    if (Files.isRegularFile(dir.resolve(".zarray"))) {
      StoreArray a = zarrV2Array(dir);
      return plain(a, level, "zarr-v2", null);
    }
    if (Files.isRegularFile(dir.resolve(".zattrs")) || Files.isRegularFile(dir.resolve(
        ".zgroup"))) {
      Path file = dir.resolve(".zattrs");
      Map<String, Object> attrs = Json.readIfExists(file);
      if (attrs == null) {
        throw FormatException.of(file.toString(), "missing: a Zarr group needs .zattrs with"
            + " OME-Zarr \"multiscales\" to be read as an image");
      }
      return group(dir, attrs, file, level, 2);
    }
    Path zj = dir.resolve("zarr.json");
    if (Files.isRegularFile(zj)) {
      Map<String, Object> m = Json.read(zj, "zarr.json");
      String src = zj.toString();
      checkVersion(m, src, 3);
      String node = Json.string(m, "node_type", src);
      if (node.equals("array")) {
        StoreArray a = zarrV3Array(dir, m, zj);
        return plain(a, level, "zarr-v3", a.dimensionNames());
      }
      if (!node.equals("group")) {
        throw FormatException.of(src, "expected node_type \"array\" or \"group\", got \""
            + node + "\"");
      }
      Map<String, Object> attrs = Json.optObject(m, "attributes", src);
      if (attrs == null) {
        throw FormatException.of(src, "a Zarr group needs OME-Zarr \"multiscales\" attributes"
            + " to be read as an image; it has no attributes");
      }
      Map<String, Object> ome = Json.optObject(attrs, "ome", src);
      return group(dir, ome != null ? ome : attrs, zj, level, 3);
    }
    Path aj = dir.resolve("attributes.json");
    if (Files.isRegularFile(aj)) {
      return n5(dir, aj, level);
    }
    throw FormatException.of(dir.toString(), "expected a Zarr or N5 store: found none of"
        + " .zarray, .zgroup, .zattrs, zarr.json, attributes.json");
  }

  private static void checkVersion(Map<String, Object> m, String src, int version) {
    long v = Json.integer(Json.require(m, "zarr_format", src), "zarr_format", 0, 1000, src);
    if (v != version) {
      throw FormatException.of(src, "expected zarr_format " + version + ", got " + v);
    }
  }

  private static Opened plain(StoreArray a, int level, String label,
      @Nullable List<String> names) {
    if (level != 0) {
      throw new InvalidInputException("level " + level + " requested, but " + a.dir()
          + " is a single array (level 0 only)");
    }
    List<String> axes = names != null ? names : defaultAxes(a.rank(), a.metadataFile());
    return new Opened(a, axes, spatial(axes, null, a.metadataFile()), VoxelSize.UNIT, 0, 1,
        label);
  }

  private static List<String> defaultAxes(int rank, Path src) {
    return switch (rank) {
      case 2 -> List.of("y", "x");
      case 3 -> List.of("z", "y", "x");
      case 4 -> List.of("c", "z", "y", "x");
      case 5 -> List.of("t", "c", "z", "y", "x");
      default -> throw FormatException.of(src.toString(), "cannot tell the axes of a "
          + rank + "-dimensional array without axis names (expected 2 to 5 dimensions)");
    };
  }

  /** Store dimensions of x, y, z from axis names (or, failing those, the space axes). */
  private static int[] spatial(List<String> names, @Nullable List<String> types, Path src) {
    int x = -1;
    int y = -1;
    int z = -1;
    for (int i = 0; i < names.size(); i++) {
      switch (names.get(i).toLowerCase(Locale.ROOT)) {
        case "x" -> x = i;
        case "y" -> y = i;
        case "z" -> z = i;
        default -> { }
      }
    }
    if ((x < 0 || y < 0) && types != null) {
      List<Integer> space = new ArrayList<>();
      for (int i = 0; i < types.size(); i++) {
        if ("space".equals(types.get(i))) {
          space.add(i);
        }
      }
      if (space.size() >= 2) {
        x = space.get(space.size() - 1);
        y = space.get(space.size() - 2);
        z = space.size() >= 3 ? space.get(space.size() - 3) : -1;
      }
    }
    if (x < 0 || y < 0) {
      throw FormatException.of(src.toString(), "expected axes named x and y (and z), got "
          + names);
    }
    return new int[] {x, y, z};
  }

  // ----- OME-Zarr

  private static Opened group(Path dir, Map<String, Object> attrs, Path file, int level,
      int zarrVersion) {
    String src = file.toString();
    List<?> multiscales = Json.optList(attrs, "multiscales", src);
    if (multiscales == null) {
      if (attrs.containsKey("bioformats2raw.layout") && isStore(dir.resolve("0"))) {
        return open(dir.resolve("0"), level);
      }
      throw FormatException.of(src, "a Zarr group needs OME-Zarr \"multiscales\" metadata to"
          + " be read as an image (or name one of its arrays)");
    }
    if (multiscales.isEmpty()) {
      throw FormatException.of(src, "\"multiscales\" is empty");
    }
    Map<String, Object> ms = Json.asObject(multiscales.get(0), "multiscales[0]", src);
    String version = Json.optString(ms, "version", src);
    if (version == null) {
      version = Json.optString(attrs, "version", src);
    }
    List<?> datasets = Json.list(ms, "datasets", src);
    if (datasets.isEmpty()) {
      throw FormatException.of(src, "\"multiscales[0].datasets\" is empty");
    }
    if (level < 0 || level >= datasets.size()) {
      throw new InvalidInputException("level " + level + " requested, but " + dir + " has "
          + datasets.size() + " level" + (datasets.size() == 1 ? "" : "s") + " (0 .. "
          + (datasets.size() - 1) + ")");
    }
    Map<String, Object> ds = Json.asObject(datasets.get(level), "datasets[" + level + "]", src);
    String path = Json.string(ds, "path", src);
    Path arrayDir = resolveInside(dir, path, src);
    StoreArray a;
    if (zarrVersion == 2) {
      a = zarrV2Array(arrayDir);
    } else {
      Path zj = arrayDir.resolve("zarr.json");
      Map<String, Object> m = Json.read(zj, "zarr.json of level " + level);
      checkVersion(m, zj.toString(), 3);
      a = zarrV3Array(arrayDir, m, zj);
    }
    List<String> names = new ArrayList<>();
    List<String> types = new ArrayList<>();
    List<@Nullable String> units = new ArrayList<>();
    List<?> axes = Json.optList(ms, "axes", src);
    if (axes == null) {
      // OME-Zarr 0.1 / 0.2 have no axes: always t, c, z, y, x
      names.addAll(a.rank() == 5 ? List.of("t", "c", "z", "y", "x") : defaultAxes(a.rank(),
          file));
    } else {
      for (int i = 0; i < axes.size(); i++) {
        Object ax = axes.get(i);
        if (ax instanceof String s) {
          names.add(s);
          types.add(s.equals("x") || s.equals("y") || s.equals("z") ? "space" : "");
          units.add(null);
        } else {
          Map<String, Object> o = Json.asObject(ax, "axes[" + i + "]", src);
          names.add(Json.string(o, "name", src));
          String t = Json.optString(o, "type", src);
          types.add(t == null ? "" : t);
          units.add(Json.optString(o, "unit", src));
        }
      }
    }
    if (names.size() != a.rank()) {
      throw FormatException.of(src, "multiscales axes " + names + " do not match the "
          + a.rank() + " dimensions of level " + level + " (" + a.metadataFile() + ")");
    }
    int[] sp = spatial(names, types.isEmpty() ? null : types, file);
    double[] scale = new double[a.rank()];
    java.util.Arrays.fill(scale, 1);
    boolean scaled = applyScale(scale, ds, src) | applyScale(scale, ms, src);
    VoxelSize vs = VoxelSize.UNIT;
    if (scaled || units.stream().anyMatch(u -> u != null)) {
      vs = voxelSize(scale, units.isEmpty() ? null : units, sp, src, false);
    }
    String label = version == null ? "ome-zarr" : "ome-zarr-" + version;
    return new Opened(a, names, sp, vs, level, datasets.size(), label);
  }

  private static boolean applyScale(double[] scale, Map<String, Object> owner, String src) {
    List<?> ts = Json.optList(owner, "coordinateTransformations", src);
    if (ts == null) {
      return false;
    }
    boolean any = false;
    for (Object t : ts) {
      Map<String, Object> o = Json.asObject(t, "a coordinate transformation", src);
      if ("scale".equals(o.get("type")) && o.containsKey("scale")) {
        double[] s = Json.doubles(o.get("scale"), "scale", scale.length, src);
        for (int i = 0; i < s.length; i++) {
          scale[i] *= s[i];
        }
        any = true;
      }
    }
    return any;
  }

  private static Path resolveInside(Path dir, String path, String src) {
    Path p = dir.resolve(path).normalize();
    if (!p.startsWith(dir.normalize()) || path.isEmpty()) {
      throw FormatException.of(src, "dataset path \"" + path + "\" must name a folder inside "
          + dir);
    }
    return p;
  }

  /**
   * The voxel size from per-dimension scales and units (C order, or N5 order when
   * {@code n5}): lengths are converted to microns.
   */
  private static VoxelSize voxelSize(double[] scale, @Nullable List<@Nullable String> units,
      int[] sp, String src, boolean n5) {
    double[] v = {1, 1, 1};
    double[] factor = new double[3];
    String other = null;
    boolean allLengths = true;
    for (int k = 0; k < 3; k++) {
      int d = sp[k];
      if (d < 0) {
        factor[k] = 1;
        continue;
      }
      int i = n5 ? scale.length - 1 - d : d;
      v[k] = scale[i];
      String u = units == null || i >= units.size() ? null : units.get(i);
      factor[k] = u == null ? Double.NaN : micronsPer(u);
      if (Double.isNaN(factor[k])) {
        allLengths = false;
        if (other == null && u != null && !u.isBlank()) {
          other = u;
        }
      }
    }
    String unit;
    if (allLengths) {
      // every spatial axis has a length unit: convert to microns
      for (int k = 0; k < 3; k++) {
        v[k] *= factor[k];
      }
      unit = "micron";
    } else {
      // a missing or unknown unit: keep the numbers as written
      unit = other == null ? "voxel" : other;
    }
    try {
      return new VoxelSize(v[0], v[1], v[2], unit);
    } catch (InvalidInputException e) {
      throw FormatException.of(src, "expected positive finite voxel sizes, got " + v[0] + " x "
          + v[1] + " x " + v[2], e);
    }
  }

  /** Microns per unit for the common length unit names, NaN for others. */
  static double micronsPer(String unit) {
    return switch (unit.trim().toLowerCase(Locale.ROOT)) {
      case "micrometer", "micrometre", "micron", "microns", "um", "\u00b5m", "\u03bcm" -> 1;
      case "nanometer", "nanometre", "nm" -> 1e-3;
      case "millimeter", "millimetre", "mm" -> 1e3;
      case "centimeter", "centimetre", "cm" -> 1e4;
      case "meter", "metre", "m" -> 1e6;
      case "angstrom", "\u00e5" -> 1e-4;
      case "picometer", "pm" -> 1e-6;
      default -> Double.NaN;
    };
  }

  // ----- Zarr v2 array

  static StoreArray zarrV2Array(Path dir) {
    Path file = dir.resolve(".zarray");
    Map<String, Object> m = Json.read(file, ".zarray (the Zarr v2 array metadata)");
    String src = file.toString();
    checkVersion(m, src, 2);
    long[] shape = shape(m.get("shape"), "shape", src);
    int[] chunks = chunks(m.get("chunks"), "chunks", shape.length, src);
    Object dt = Json.require(m, "dtype", src);
    if (!(dt instanceof String dtype) || dtype.length() < 3) {
      throw FormatException.of(src, "expected a simple dtype such as \"<u2\", got " + dt);
    }
    char bo = dtype.charAt(0);
    DataType type = DataType.byV2Code(dtype.substring(1));
    if (type == null || (bo != '<' && bo != '>' && bo != '|' && bo != '=')) {
      throw FormatException.of(src, "unsupported dtype \"" + dtype + "\" (supported: |u1, |i1,"
          + " <u2, <i2, <u4, <i4, <f4, <f8 and their big-endian > forms)");
    }
    ByteOrder order = bo == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    String ord = m.containsKey("order") ? Json.string(m, "order", src) : "C";
    if (!ord.equals("C") && !ord.equals("F")) {
      throw FormatException.of(src, "expected order \"C\" or \"F\", got \"" + ord + "\"");
    }
    Object filters = m.get("filters");
    if (filters instanceof List<?> l && !l.isEmpty() || filters != null && !(filters
        instanceof List<?>)) {
      throw FormatException.of(src, "Zarr filters are not supported, got " + filters);
    }
    List<Stage> stages = new ArrayList<>();
    Object comp = m.get("compressor");
    if (comp != null) {
      stages.add(v2Compressor(Json.asObject(comp, "compressor", src), type, src));
    }
    double fill = fill(m.get("fill_value"), src);
    String sep = m.containsKey("dimension_separator") ? Json.string(m, "dimension_separator",
        src) : ".";
    if (!sep.equals(".") && !sep.equals("/")) {
      throw FormatException.of(src, "expected dimension_separator \".\" or \"/\", got \"" + sep
          + "\"");
    }
    int[] transpose = null;
    if (ord.equals("F")) {
      transpose = new int[shape.length];
      for (int i = 0; i < transpose.length; i++) {
        transpose[i] = transpose.length - 1 - i;
      }
    }
    return new StoreArray(ChunkedFormat.OME_ZARR_0_4, dir, file, shape, chunks, type, order,
        transpose, fill, List.copyOf(stages), null,
        new StoreArray.ChunkKeys("", sep, false), null);
  }

  private static Stage v2Compressor(Map<String, Object> c, DataType type, String src) {
    String id = Json.string(c, "id", src);
    return switch (id) {
      case "blosc" -> Compression.blosc(type.bytes, new Codec.Blosc(Codec.BloscCompressor.LZ4,
          Codec.BloscShuffle.BYTE, 5));
      case "gzip" -> Compression.gzip(6);
      case "zlib" -> Compression.zlib(6);
      case "zstd" -> Compression.zstd();
      case "lz4" -> Compression.numcodecsLz4();
      default -> throw FormatException.of(src, "unsupported compressor \"" + id
          + "\" (supported: blosc, gzip, zlib, zstd, lz4, none)");
    };
  }

  private static double fill(@Nullable Object v, String src) {
    if (v == null) {
      return 0;
    }
    if (v instanceof Boolean b) {
      return b ? 1 : 0;
    }
    return Json.number(v, "fill_value", src);
  }

  private static long[] shape(@Nullable Object v, String what, String src) {
    long[] s = Json.longs(v, what, -1, 0, Long.MAX_VALUE / 4, src);
    if (s.length == 0 || s.length > MAX_RANK) {
      throw FormatException.of(src, "expected 1 to " + MAX_RANK + " dimensions in " + what
          + ", got " + s.length);
    }
    for (long d : s) {
      if (d == 0) {
        throw FormatException.of(src, "the array is empty: " + what + " "
            + java.util.Arrays.toString(s));
      }
    }
    return s;
  }

  private static int[] chunks(@Nullable Object v, String what, int rank, String src) {
    long[] c = Json.longs(v, what, rank, 1, Integer.MAX_VALUE, src);
    int[] r = new int[c.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = (int) c[i];
    }
    return r;
  }

  // ----- Zarr v3 array

  static StoreArray zarrV3Array(Path dir, Map<String, Object> m, Path file) {
    String src = file.toString();
    String node = Json.string(m, "node_type", src);
    if (!node.equals("array")) {
      throw FormatException.of(src, "expected node_type \"array\", got \"" + node + "\"");
    }
    long[] shape = shape(m.get("shape"), "shape", src);
    String dtName = Json.string(m, "data_type", src);
    DataType type = DataType.byName(dtName);
    if (type == null) {
      throw FormatException.of(src, "unsupported data_type \"" + dtName + "\" (supported:"
          + " uint8, int8, uint16, int16, uint32, int32, float32, float64)");
    }
    Map<String, Object> grid = Json.object(m, "chunk_grid", src);
    String gridName = Json.string(grid, "name", src);
    if (!gridName.equals("regular")) {
      throw FormatException.of(src, "unsupported chunk_grid \"" + gridName
          + "\" (supported: regular)");
    }
    int[] chunks = chunks(Json.object(grid, "configuration", src).get("chunk_shape"),
        "chunk_shape", shape.length, src);
    StoreArray.ChunkKeys keys = new StoreArray.ChunkKeys("c/", "/", false);
    Map<String, Object> cke = Json.optObject(m, "chunk_key_encoding", src);
    if (cke != null) {
      String name = Json.string(cke, "name", src);
      Map<String, Object> conf = Json.optObject(cke, "configuration", src);
      String sep = conf == null ? null : Json.optString(conf, "separator", src);
      if (sep != null && !sep.equals(".") && !sep.equals("/")) {
        throw FormatException.of(src, "expected chunk key separator \".\" or \"/\", got \""
            + sep + "\"");
      }
      keys = switch (name) {
        case "default" -> new StoreArray.ChunkKeys("c" + (sep == null ? "/" : sep),
            sep == null ? "/" : sep, false);
        case "v2" -> new StoreArray.ChunkKeys("", sep == null ? "." : sep, false);
        default -> throw FormatException.of(src, "unsupported chunk_key_encoding \"" + name
            + "\" (supported: default, v2)");
      };
    }
    List<?> st = Json.optList(m, "storage_transformers", src);
    if (st != null && !st.isEmpty()) {
      throw FormatException.of(src, "storage_transformers are not supported, got " + st);
    }
    double fill = fill(m.get("fill_value"), src);
    List<?> codecs = Json.list(m, "codecs", src);
    Chain chain = chain(codecs, type, shape.length, src, 0);
    StoreArray.Sharding sharding = chain.sharding;
    if (sharding != null) {
      for (int d = 0; d < shape.length; d++) {
        if (chunks[d] % sharding.inner()[d] != 0) {
          throw FormatException.of(src, "inner chunk shape " + java.util.Arrays.toString(
              sharding.inner()) + " must divide the shard shape " + java.util.Arrays.toString(
              chunks));
        }
      }
    }
    List<String> names = null;
    List<?> dn = Json.optList(m, "dimension_names", src);
    if (dn != null) {
      if (dn.size() != shape.length) {
        throw FormatException.of(src, "expected " + shape.length + " dimension_names, got "
            + dn.size());
      }
      names = new ArrayList<>();
      boolean all = true;
      for (Object o : dn) {
        if (o instanceof String s) {
          names.add(s);
        } else {
          all = false;
        }
      }
      if (!all) {
        names = null;
      }
    }
    return new StoreArray(ChunkedFormat.OME_ZARR_0_5, dir, file, shape, chunks, type,
        chain.order, chain.transpose, fill, chain.stages, sharding, keys, names);
  }

  private record Chain(ByteOrder order, List<Stage> stages,
      StoreArray.@Nullable Sharding sharding, int @Nullable [] transpose) {}

  private static Chain chain(List<?> codecs, DataType type, int rank, String src, int depth) {
    ByteOrder order = ByteOrder.LITTLE_ENDIAN;
    int[] transpose = null;
    boolean arrayToBytes = false;
    StoreArray.Sharding sharding = null;
    List<Stage> stages = new ArrayList<>();
    for (int i = 0; i < codecs.size(); i++) {
      Map<String, Object> c = Json.asObject(codecs.get(i), "codecs[" + i + "]", src);
      String name = Json.string(c, "name", src);
      Map<String, Object> conf = Json.optObject(c, "configuration", src);
      if (!arrayToBytes) {
        switch (name) {
          case "transpose" -> {
            if (transpose != null || depth > 0) {
              throw FormatException.of(src, "only one transpose codec, outside sharding, is"
                  + " supported");
            }
            long[] perm = Json.longs(conf == null ? null : conf.get("order"), "transpose order",
                rank, 0, rank - 1, src);
            boolean[] seen = new boolean[rank];
            transpose = new int[rank];
            for (int k = 0; k < rank; k++) {
              if (seen[(int) perm[k]]) {
                throw FormatException.of(src, "transpose order must be a permutation, got "
                    + java.util.Arrays.toString(perm));
              }
              seen[(int) perm[k]] = true;
              transpose[k] = (int) perm[k];
            }
          }
          case "bytes" -> {
            String endian = conf == null ? null : Json.optString(conf, "endian", src);
            if (endian != null && !endian.equals("little") && !endian.equals("big")) {
              throw FormatException.of(src, "expected endian \"little\" or \"big\", got \""
                  + endian + "\"");
            }
            if (endian == null && type.bytes > 1) {
              throw FormatException.of(src, "the bytes codec needs an endian for "
                  + type.n5Name());
            }
            order = "big".equals(endian) ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            arrayToBytes = true;
          }
          case "sharding_indexed" -> {
            if (depth > 0 || conf == null) {
              throw FormatException.of(src, "nested or unconfigured sharding is not supported");
            }
            int[] inner = chunks(conf.get("chunk_shape"), "sharding chunk_shape", rank, src);
            Chain in = chain(Json.list(conf, "codecs", src), type, rank, src, depth + 1);
            List<?> ic = Json.optList(conf, "index_codecs", src);
            Chain idx = ic == null ? new Chain(ByteOrder.LITTLE_ENDIAN, List.of(), null, null)
                : chain(ic, DataType.UINT32, rank, src, depth + 1);
            if (idx.order != ByteOrder.LITTLE_ENDIAN && ic != null) {
              throw FormatException.of(src, "big-endian shard indexes are not supported");
            }
            String loc = Json.optString(conf, "index_location", src);
            if (loc != null && !loc.equals("end") && !loc.equals("start")) {
              throw FormatException.of(src, "expected index_location \"start\" or \"end\", got"
                  + " \"" + loc + "\"");
            }
            sharding = new StoreArray.Sharding(inner, in.stages, in.order, idx.stages,
                !"start".equals(loc));
            arrayToBytes = true;
          }
          default -> throw FormatException.of(src, "unsupported codec \"" + name
              + "\" before the bytes codec (supported: transpose, bytes, sharding_indexed)");
        }
      } else {
        stages.add(switch (name) {
          case "gzip" -> Compression.gzip(6);
          case "zstd" -> Compression.zstd();
          case "blosc" -> Compression.blosc(type.bytes, new Codec.Blosc(
              Codec.BloscCompressor.LZ4, Codec.BloscShuffle.BYTE, 5));
          case "crc32c" -> Compression.crc32c();
          default -> throw FormatException.of(src, "unsupported codec \"" + name
              + "\" (supported: gzip, zstd, blosc, crc32c)");
        });
      }
    }
    if (!arrayToBytes) {
      throw FormatException.of(src, "the codecs need a bytes or sharding_indexed codec, got "
          + codecs);
    }
    return new Chain(order, List.copyOf(stages), sharding, transpose);
  }

  // ----- N5

  private static Opened n5(Path dir, Path file, int level) {
    String src = file.toString();
    Map<String, Object> attrs = Json.read(file, "attributes.json");
    if (attrs.containsKey("dimensions")) {
      if (level != 0) {
        throw new InvalidInputException("level " + level + " requested, but " + dir
            + " is a single N5 dataset (level 0 only)");
      }
      return n5Dataset(dir, file, attrs, null, 0, 1);
    }
    int levels = 0;
    while (Files.isRegularFile(dir.resolve("s" + levels).resolve("attributes.json"))) {
      levels++;
    }
    if (levels == 0) {
      throw FormatException.of(src, "an N5 group needs datasets s0, s1, ... to be read as an"
          + " image (or name a dataset); found no s0/attributes.json");
    }
    if (level < 0 || level >= levels) {
      throw new InvalidInputException("level " + level + " requested, but " + dir + " has "
          + levels + " level" + (levels == 1 ? "" : "s") + " (0 .. " + (levels - 1) + ")");
    }
    Path ds = dir.resolve("s" + level);
    Path dsFile = ds.resolve("attributes.json");
    return n5Dataset(ds, dsFile, Json.read(dsFile, "attributes.json"), attrs, level, levels);
  }

  private static Opened n5Dataset(Path dir, Path file, Map<String, Object> attrs,
      @Nullable Map<String, Object> group, int level, int levels) {
    String src = file.toString();
    long[] n5Shape = shape(attrs.get("dimensions"), "dimensions", src);
    int n = n5Shape.length;
    int[] n5Block = chunks(attrs.get("blockSize"), "blockSize", n, src);
    String dtName = Json.string(attrs, "dataType", src);
    DataType type = DataType.byName(dtName);
    if (type == null) {
      throw FormatException.of(src, "unsupported dataType \"" + dtName + "\" (supported:"
          + " uint8, int8, uint16, int16, uint32, int32, float32, float64)");
    }
    List<Stage> stages = new ArrayList<>();
    Object comp = attrs.get("compression");
    String ctype;
    Map<String, Object> conf = null;
    if (comp == null) {
      ctype = attrs.containsKey("compressionType") ? Json.string(attrs, "compressionType", src)
          : "raw";
    } else {
      conf = Json.asObject(comp, "compression", src);
      ctype = Json.string(conf, "type", src);
    }
    switch (ctype) {
      case "raw" -> { }
      case "gzip" -> stages.add(conf != null && Boolean.TRUE.equals(conf.get("useZlib"))
          ? Compression.zlib(6) : Compression.gzip(6));
      case "zstd", "zstandard" -> stages.add(Compression.zstd());
      case "blosc" -> stages.add(Compression.blosc(type.bytes, new Codec.Blosc(
          Codec.BloscCompressor.LZ4, Codec.BloscShuffle.BYTE, 5)));
      default -> throw FormatException.of(src, "unsupported N5 compression \"" + ctype
          + "\" (supported: raw, gzip, zstd, blosc)");
    }
    long[] shape = new long[n];
    int[] chunks = new int[n];
    for (int i = 0; i < n; i++) {
      shape[i] = n5Shape[n - 1 - i];
      chunks[i] = n5Block[n - 1 - i];
    }
    StoreArray a = new StoreArray(ChunkedFormat.N5, dir, file, shape, chunks, type,
        ByteOrder.BIG_ENDIAN, null, 0, List.copyOf(stages), null,
        new StoreArray.ChunkKeys("", "/", true), null);
    List<String> n5Names = new ArrayList<>();
    List<?> ax = Json.optList(attrs, "axes", src);
    if (ax == null && group != null) {
      ax = Json.optList(group, "axes", src);
    }
    if (ax != null && ax.size() == n && ax.stream().allMatch(o -> o instanceof String)) {
      for (Object o : ax) {
        n5Names.add((String) o);
      }
    } else {
      String[] def = {"x", "y", "z", "c", "t"};
      for (int i = 0; i < n; i++) {
        n5Names.add(i < def.length ? def[i] : "d" + i);
      }
    }
    List<String> names = new ArrayList<>();
    for (int i = n - 1; i >= 0; i--) {
      names.add(n5Names.get(i));
    }
    int[] sp = spatial(names, null, file);
    VoxelSize vs = n5VoxelSize(attrs, group, n, sp, src);
    return new Opened(a, names, sp, vs, level, levels, "n5");
  }

  private static VoxelSize n5VoxelSize(Map<String, Object> attrs,
      @Nullable Map<String, Object> group, int n, int[] sp, String src) {
    double[] res = null;
    List<@Nullable String> units = null;
    boolean fromGroup = false;
    for (Map<String, Object> owner : group == null ? List.of(attrs) : List.of(attrs, group)) {
      Object pr = owner.get("pixelResolution");
      if (pr instanceof Map<?, ?>) {
        Map<String, Object> o = Json.asObject(pr, "pixelResolution", src);
        res = Json.doubles(o.get("dimensions"), "pixelResolution.dimensions", n, src);
        String u = Json.optString(o, "unit", src);
        units = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          units.add(u);
        }
      } else if (pr instanceof List<?>) {
        res = Json.doubles(pr, "pixelResolution", n, src);
      } else if (owner.get("resolution") != null) {
        res = Json.doubles(owner.get("resolution"), "resolution", n, src);
      }
      if (res != null) {
        if (units == null) {
          units = new ArrayList<>();
          List<?> us = Json.optList(owner, "units", src);
          String u = us == null ? Json.optString(owner, "unit", src) : null;
          for (int i = 0; i < n; i++) {
            units.add(us != null && i < us.size() && us.get(i) instanceof String s ? s : u);
          }
        }
        fromGroup = owner == group;
        break;
      }
    }
    if (res == null) {
      return VoxelSize.UNIT;
    }
    if (fromGroup && attrs.get("downsamplingFactors") != null) {
      double[] f = Json.doubles(attrs.get("downsamplingFactors"), "downsamplingFactors", n, src);
      for (int i = 0; i < n; i++) {
        res[i] *= f[i];
      }
    }
    return voxelSize(res, units, sp, src, true);
  }
}
