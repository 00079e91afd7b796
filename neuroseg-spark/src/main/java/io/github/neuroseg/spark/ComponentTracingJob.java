package io.github.neuroseg.spark;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.internal.Checks;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.trace.ComponentTracing;
import io.github.neuroseg.tracing.TraceInput;
import io.github.neuroseg.tracing.TracerBuilder;
import io.github.neuroseg.tracing.TracerConfig;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.VoxelSize;
import io.github.neuroseg.volume.chunked.ChunkedReader;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.imglib2.Cursor;
import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.converter.Converters;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.LongArray;
import net.imglib2.type.logic.BitType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.DoubleType;
import net.imglib2.view.Views;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.jspecify.annotations.Nullable;
import scala.Tuple2;

/**
 * Traces a segmented chunked volume (a mask or probability store, e.g. the output of {@link
 * BlockSegmentationJob}) with Spark, component by component, into one forest: the trees {@link
 * io.github.neuroseg.trace.App2Tracer} gives when it traces the whole mask on one machine (the
 * same nodes, radii and links; nodes are numbered tree by tree).
 *
 * <ol>
 *   <li>Labelling: each chunk of the volume is one task that labels its foreground's
 *       26-connected pieces and reports the pieces of its neighbours that touch them.
 *   <li>A distributed union-find joins pieces across chunk borders into the volume's
 *       components: each partition builds a union-find of its equivalences, and these are
 *       merged in a tree ({@code treeAggregate}).
 *   <li>Each component is one task that measures its largest distance to the background; the
 *       driver takes the whole foreground's statistics ({@link ComponentTracing.Whole}) and
 *       groups the components that lie within {@link ComponentTracing#interactionDistance} of
 *       each other (pieces of one neurite that the tracer's gap bridging may join, neighbours
 *       whose coverage spheres overlap).
 *   <li>Each group is one task that cuts its box out of the volume, keeps its components'
 *       voxels only and traces them with the whole foreground's statistics.
 * </ol>
 *
 * <p>The mask is read lazily by every task (paths must be visible to every executor); only a
 * group's own box is ever held in memory.
 */
public final class ComponentTracingJob {
  private final Path mask;
  private final int level;
  private final @Nullable Path intensities;
  private final @Nullable Path output;
  private final TracerConfig tracer;
  private final int[] chunk;

  private ComponentTracingJob(Builder b) {
    if (b.mask == null) {
      throw new InvalidInputException("component tracing needs a mask store; got none");
    }
    this.mask = b.mask;
    this.level = b.level;
    this.intensities = b.intensities;
    this.output = b.output;
    this.tracer = b.tracer;
    this.chunk = b.chunk.clone();
  }

  /** A builder; the mask is required. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /**
   * What a run did.
   *
   * @param forest the traced trees
   * @param components connected components of the foreground (specks included)
   * @param groups independent groups traced (those with a component large enough to trace)
   * @param whole the whole foreground's statistics
   * @param seconds wall-clock time
   */
  public record Result(NeuronTree forest, int components, int groups,
      ComponentTracing.Whole whole, double seconds) {}

  /** A piece of a component inside one chunk. */
  record Piece(long key, long count, long[] min, long[] max, long[] seed)
      implements Serializable {}

  /** What one chunk's labelling found. */
  record ChunkLabels(List<Piece> pieces, ComponentTracing.Whole whole, long[] claimVoxel,
      long[] claimKey, long[] memberVoxel, long[] memberKey) implements Serializable {}

  /** A component: its box, size and one voxel of each of its pieces. */
  record Component(long key, long count, long[] min, long[] max, long[] seed)
      implements Serializable {}

  /** A group of components traced together, and its place in the forest's order. */
  record Group(List<Component> members, long order) implements Serializable {}

  /** A traced tree as plain values: per node id, type, x, y, z, radius, parent. */
  record Tree(double[][] nodes, List<String> comments) implements Serializable {}

  /**
   * Runs the job; writes the forest as SWC when an output was given.
   *
   * @throws io.github.neuroseg.NeuroSegException from a task that failed
   */
  public Result run(JavaSparkContext sc) {
    long start = System.nanoTime();
    String job = UUID.randomUUID().toString();
    String maskPath = mask.toAbsolutePath().normalize().toString();
    String intPath = intensities == null ? null
        : intensities.toAbsolutePath().normalize().toString();
    Volume volume = ChunkedReader.newBuilder().level(level).build().read(mask);
    long[] dims = volume.dimensions();
    VoxelSize vs = volume.voxelSize();
    // records of the api are not serializable: the tasks get plain values
    double[] size = {vs.x(), vs.y(), vs.z()};
    String unit = vs.unit();
    if (intensities != null) {
      long[] id = ChunkedReader.newBuilder().level(level).build().read(intensities)
          .dimensions();
      if (!Arrays.equals(id, dims)) {
        throw new InvalidInputException("intensities " + intensities + " are "
            + Arrays.toString(id) + ", the mask " + mask + " is " + Arrays.toString(dims));
      }
    }
    Specs.TracerSpec spec = Specs.TracerSpec.of(tracer);
    double threshold = tracer.threshold();
    int lv = level;
    int[] cs = chunk.clone();
    long[] grid = new long[3];
    List<long[]> chunks = new ArrayList<>();
    for (int d = 0; d < 3; d++) {
      grid[d] = (dims[d] + cs[d] - 1) / cs[d];
    }
    for (long z = 0; z < grid[2]; z++) {
      for (long y = 0; y < grid[1]; y++) {
        for (long x = 0; x < grid[0]; x++) {
          chunks.add(new long[] {x, y, z});
        }
      }
    }
    try {
      // 1. label each chunk
      JavaRDD<ChunkLabels> labels = sc.parallelize(chunks, Math.min(chunks.size(),
          Math.max(1, sc.defaultParallelism() * 4))).map(c -> label(
              ExecutorCache.chunked(job, maskPath, lv).image(),
              intPath == null ? null : ExecutorCache.chunked(job, intPath, lv).image(),
              dims, cs, c, threshold)).cache();
      // 2. the distributed union-find over the pieces that touch across chunk borders
      JavaPairRDD<Long, Long> claims = labels.flatMapToPair(l -> {
        List<Tuple2<Long, Long>> out = new ArrayList<>(l.claimVoxel().length);
        for (int i = 0; i < l.claimVoxel().length; i++) {
          out.add(new Tuple2<>(l.claimVoxel()[i], l.claimKey()[i]));
        }
        return out.iterator();
      });
      JavaPairRDD<Long, Long> members = labels.flatMapToPair(l -> {
        List<Tuple2<Long, Long>> out = new ArrayList<>(l.memberVoxel().length);
        for (int i = 0; i < l.memberVoxel().length; i++) {
          out.add(new Tuple2<>(l.memberVoxel()[i], l.memberKey()[i]));
        }
        return out.iterator();
      });
      UnionFind uf = claims.join(members).values().treeAggregate(new UnionFind(),
          (u, e) -> u.union(e._1(), e._2()), UnionFind::merge);
      List<Piece> pieces = labels.flatMap(l -> l.pieces().iterator()).collect();
      ComponentTracing.Whole whole = labels.map(ChunkLabels::whole)
          .fold(ComponentTracing.Whole.empty(), ComponentTracing.Whole::merge);
      labels.unpersist();
      List<Component> comps = components(pieces, uf);
      // 3. each component's largest distance to the background, then the groups
      TracerConfig config = spec.config();
      float maxDistance = comps.isEmpty() ? 0f : sc.parallelize(comps, Math.min(comps.size(),
          Math.max(1, sc.defaultParallelism() * 4))).map(c -> {
            Cut p = piece(ExecutorCache.chunked(job, maskPath, lv).image(), List.of(c),
                threshold);
            return ComponentTracing.maxDistance(
                p.input(new VoxelSize(size[0], size[1], size[2], unit), null), spec.config());
          }).fold(0f, (a, b) -> Math.max(a, b));
      whole = whole.withDistance(maxDistance);
      double reach = ComponentTracing.interactionDistance(config, vs, whole.maxDistance());
      List<Group> groups = groups(comps, reach, vs, config.minComponentSize(), dims);
      // 4. each group traced as its own task
      ComponentTracing.Whole w = whole;
      List<Tree> trees = groups.isEmpty() ? List.of() : sc.parallelize(groups, groups.size())
          .map(g -> {
            Cut p = piece(ExecutorCache.chunked(job, maskPath, lv).image(), g.members(),
                threshold);
            RandomAccessibleInterval<? extends RealType<?>> in = intPath == null ? null
                : Views.zeroMin(Views.interval(ExecutorCache.chunked(job, intPath, lv).image(),
                    p.min(), p.max()));
            NeuronTree t = ComponentTracing.trace(
                p.input(new VoxelSize(size[0], size[1], size[2], unit), in), p.min(),
                spec.config(), w);
            return tree(t);
          }).collect();
      NeuronTree forest = forest(trees);
      if (output != null) {
        Swc.write(forest, output);
      }
      return new Result(forest, comps.size(), groups.size(), whole,
          (System.nanoTime() - start) / 1e9);
    } catch (RuntimeException e) {
      throw SparkErrors.unwrap(e);
    }
  }

  // ---- labelling of one chunk ------------------------------------------------------------

  /** Labels the foreground pieces of one chunk and what touches them across its borders. */
  static ChunkLabels label(RandomAccessibleInterval<? extends RealType<?>> image,
      @Nullable RandomAccessibleInterval<? extends RealType<?>> intensities, long[] dims,
      int[] cs, long[] c, double threshold) {
    long[] min = new long[3];
    long[] max = new long[3];
    long[] hmin = new long[3];
    long[] hmax = new long[3];
    int[] n = new int[3];
    int[] h = new int[3];
    for (int d = 0; d < 3; d++) {
      min[d] = c[d] * cs[d];
      max[d] = Math.min(dims[d], min[d] + cs[d]) - 1;
      n[d] = (int) (max[d] - min[d] + 1);
      hmin[d] = Math.max(0, min[d] - 1);
      hmax[d] = Math.min(dims[d] - 1, max[d] + 1);
      h[d] = (int) (hmax[d] - hmin[d] + 1);
    }
    // the chunk and its one-voxel halo (inside the volume)
    boolean[] fg = new boolean[h[0] * h[1] * h[2]];
    ComponentTracing.Whole whole = ComponentTracing.Whole.empty();
    Cursor<? extends RealType<?>> cur = Views.flatIterable(Views.interval(image, hmin, hmax))
        .cursor();
    Cursor<? extends RealType<?>> ic = intensities == null ? null
        : Views.flatIterable(Views.interval(intensities, hmin, hmax)).cursor();
    for (int i = 0; i < fg.length; i++) {
      double v = cur.next().getRealDouble();
      double iv = ic == null ? 0 : ic.next().getRealDouble();
      fg[i] = v >= threshold;
      int x = i % h[0];
      int y = i / h[0] % h[1];
      int z = i / (h[0] * h[1]);
      boolean inside = hmin[0] + x >= min[0] && hmin[0] + x <= max[0]
          && hmin[1] + y >= min[1] && hmin[1] + y <= max[1]
          && hmin[2] + z >= min[2] && hmin[2] + z <= max[2];
      if (fg[i] && inside) {
        whole = whole.withVoxel((float) v, (float) iv);
      }
    }
    long cellVoxels = (long) cs[0] * cs[1] * cs[2];
    long chunkIndex = c[0] + dims0(dims, cs) * (c[1] + dims1(dims, cs) * c[2]);
    int[] labelOf = new int[fg.length];
    Arrays.fill(labelOf, -1);
    List<Piece> pieces = new ArrayList<>();
    int[] queue = new int[n[0] * n[1] * n[2]];
    int count = 0;
    // offsets of the chunk inside the halo box
    int ox = (int) (min[0] - hmin[0]);
    int oy = (int) (min[1] - hmin[1]);
    int oz = (int) (min[2] - hmin[2]);
    for (int z = 0; z < n[2]; z++) {
      for (int y = 0; y < n[1]; y++) {
        for (int x = 0; x < n[0]; x++) {
          int s = ((z + oz) * h[1] + y + oy) * h[0] + x + ox;
          if (!fg[s] || labelOf[s] >= 0) {
            continue;
          }
          int label = count++;
          long[] pmin = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};
          long[] pmax = {Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE};
          int head = 0;
          int tail = 0;
          queue[tail++] = s;
          labelOf[s] = label;
          while (head < tail) {
            int i = queue[head++];
            int ix = i % h[0];
            int iy = i / h[0] % h[1];
            int iz = i / (h[0] * h[1]);
            long[] g = {hmin[0] + ix, hmin[1] + iy, hmin[2] + iz};
            for (int d = 0; d < 3; d++) {
              pmin[d] = Math.min(pmin[d], g[d]);
              pmax[d] = Math.max(pmax[d], g[d]);
            }
            for (int dz = -1; dz <= 1; dz++) {
              for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                  int jx = ix + dx;
                  int jy = iy + dy;
                  int jz = iz + dz;
                  if (jx < ox || jy < oy || jz < oz || jx >= ox + n[0] || jy >= oy + n[1]
                      || jz >= oz + n[2]) {
                    continue; // only the chunk's own voxels are labelled here
                  }
                  int j = (jz * h[1] + jy) * h[0] + jx;
                  if (fg[j] && labelOf[j] < 0) {
                    labelOf[j] = label;
                    queue[tail++] = j;
                  }
                }
              }
            }
          }
          pieces.add(new Piece(chunkIndex * cellVoxels + label, tail, pmin, pmax,
              new long[] {min[0] + x, min[1] + y, min[2] + z}));
        }
      }
    }
    // the shell: each foreground voxel on the chunk's faces is a member, and claims the
    // foreground voxels of neighbouring chunks that touch it
    LongList claimVoxel = new LongList();
    LongList claimKey = new LongList();
    LongList memberVoxel = new LongList();
    LongList memberKey = new LongList();
    for (int z = 0; z < n[2]; z++) {
      for (int y = 0; y < n[1]; y++) {
        for (int x = 0; x < n[0]; x++) {
          boolean shell = x == 0 || y == 0 || z == 0 || x == n[0] - 1 || y == n[1] - 1
              || z == n[2] - 1;
          int s = ((z + oz) * h[1] + y + oy) * h[0] + x + ox;
          if (!shell || !fg[s]) {
            continue;
          }
          long key = chunkIndex * cellVoxels + labelOf[s];
          memberVoxel.add(index(dims, min[0] + x, min[1] + y, min[2] + z));
          memberKey.add(key);
          for (int dz = -1; dz <= 1; dz++) {
            for (int dy = -1; dy <= 1; dy++) {
              for (int dx = -1; dx <= 1; dx++) {
                int jx = x + ox + dx;
                int jy = y + oy + dy;
                int jz = z + oz + dz;
                boolean outside = x + dx < 0 || y + dy < 0 || z + dz < 0 || x + dx >= n[0]
                    || y + dy >= n[1] || z + dz >= n[2];
                if (!outside || jx < 0 || jy < 0 || jz < 0 || jx >= h[0] || jy >= h[1]
                    || jz >= h[2]) {
                  continue;
                }
                if (fg[(jz * h[1] + jy) * h[0] + jx]) {
                  claimVoxel.add(index(dims, hmin[0] + jx, hmin[1] + jy, hmin[2] + jz));
                  claimKey.add(key);
                }
              }
            }
          }
        }
      }
    }
    return new ChunkLabels(pieces, whole, claimVoxel.toArray(), claimKey.toArray(),
        memberVoxel.toArray(), memberKey.toArray());
  }

  private static long dims0(long[] dims, int[] cs) {
    return (dims[0] + cs[0] - 1) / cs[0];
  }

  private static long dims1(long[] dims, int[] cs) {
    return (dims[1] + cs[1] - 1) / cs[1];
  }

  private static long index(long[] dims, long x, long y, long z) {
    return x + dims[0] * (y + dims[1] * z);
  }

  // ---- components and groups (driver) ----------------------------------------------------

  /** The pieces joined by the union-find into components, ordered by their first seed. */
  static List<Component> components(List<Piece> pieces, UnionFind uf) {
    Map<Long, List<Piece>> byRoot = new HashMap<>();
    for (Piece p : pieces) {
      byRoot.computeIfAbsent(uf.find(p.key()), k -> new ArrayList<>()).add(p);
    }
    List<Component> out = new ArrayList<>();
    for (Map.Entry<Long, List<Piece>> e : byRoot.entrySet()) {
      long count = 0;
      long[] min = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};
      long[] max = {Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE};
      for (Piece p : e.getValue()) {
        count += p.count();
        for (int d = 0; d < 3; d++) {
          min[d] = Math.min(min[d], p.min()[d]);
          max[d] = Math.max(max[d], p.max()[d]);
        }
      }
      // one voxel is enough to find a whole component again by flood fill
      Piece first = e.getValue().stream().min(Comparator.comparingLong(Piece::key)).orElseThrow();
      out.add(new Component(e.getKey(), count, min, max, first.seed()));
    }
    out.sort(Comparator.comparingLong(Component::key));
    return out;
  }

  /**
   * Components whose boxes come within {@code reach} (physical) of each other, joined; only the
   * groups with a component of at least {@code minSize} voxels (the others trace to nothing).
   */
  static List<Group> groups(List<Component> comps, double reach, VoxelSize vs, int minSize,
      long[] dims) {
    long[] r = {(long) Math.ceil(reach / vs.x()) + 1, (long) Math.ceil(reach / vs.y()) + 1,
        (long) Math.ceil(reach / vs.z()) + 1};
    long[] cell = new long[3];
    for (int d = 0; d < 3; d++) {
      cell[d] = Math.max(64, 2 * r[d]);
    }
    // a grid of buckets holding the components whose boxes overlap each bucket
    Map<List<Long>, List<Integer>> buckets = new HashMap<>();
    for (int i = 0; i < comps.size(); i++) {
      Component c = comps.get(i);
      for (long z = c.min()[2] / cell[2]; z <= c.max()[2] / cell[2]; z++) {
        for (long y = c.min()[1] / cell[1]; y <= c.max()[1] / cell[1]; y++) {
          for (long x = c.min()[0] / cell[0]; x <= c.max()[0] / cell[0]; x++) {
            buckets.computeIfAbsent(List.of(x, y, z), k -> new ArrayList<>()).add(i);
          }
        }
      }
    }
    int[] up = new int[comps.size()];
    for (int i = 0; i < up.length; i++) {
      up[i] = i;
    }
    for (int i = 0; i < comps.size(); i++) {
      Component c = comps.get(i);
      long[] lo = new long[3];
      long[] hi = new long[3];
      for (int d = 0; d < 3; d++) {
        lo[d] = Math.max(0, c.min()[d] - r[d]);
        hi[d] = Math.min(dims[d] - 1, c.max()[d] + r[d]);
      }
      for (long z = lo[2] / cell[2]; z <= hi[2] / cell[2]; z++) {
        for (long y = lo[1] / cell[1]; y <= hi[1] / cell[1]; y++) {
          for (long x = lo[0] / cell[0]; x <= hi[0] / cell[0]; x++) {
            for (int j : buckets.getOrDefault(List.of(x, y, z), List.of())) {
              Component o = comps.get(j);
              boolean near = true;
              for (int d = 0; d < 3 && near; d++) {
                near = o.max()[d] >= lo[d] && o.min()[d] <= hi[d];
              }
              if (near) {
                int a = find(up, i);
                int b = find(up, j);
                up[Math.max(a, b)] = Math.min(a, b);
              }
            }
          }
        }
      }
    }
    Map<Integer, List<Component>> byRoot = new HashMap<>();
    for (int i = 0; i < comps.size(); i++) {
      byRoot.computeIfAbsent(find(up, i), k -> new ArrayList<>()).add(comps.get(i));
    }
    List<Group> out = new ArrayList<>();
    for (List<Component> members : byRoot.values()) {
      if (members.stream().anyMatch(m -> m.count() >= minSize)) {
        long order = Long.MAX_VALUE;
        for (Component m : members) {
          order = Math.min(order, index(dims, m.seed()[0], m.seed()[1], m.seed()[2]));
        }
        out.add(new Group(List.copyOf(members), order));
      }
    }
    out.sort(Comparator.comparingLong(Group::order));
    return out;
  }

  private static int find(int[] up, int k) {
    while (up[k] != k) {
      up[k] = up[up[k]];
      k = up[k];
    }
    return k;
  }

  // ---- one group's box -------------------------------------------------------------------

  /** A box of the volume with only some components' voxels selected. */
  record Cut(RandomAccessibleInterval<? extends RealType<?>> image, ArrayImg<BitType, LongArray>
      selected, long[] min, long[] max, double threshold) {
    /** The box's foreground: selected voxels keep their value, the others are background. */
    TraceInput input(VoxelSize vs, @Nullable RandomAccessibleInterval<? extends RealType<?>>
        intensities) {
      RandomAccessibleInterval<? extends RealType<?>> box =
          Views.zeroMin(Views.interval(image, min, max));
      RandomAccessibleInterval<DoubleType> fg = Converters.convert(box, selected,
          (v, s, out) -> out.set(s.get() ? v.getRealDouble() : Double.NaN), new DoubleType());
      TraceInput in = TraceInput.of(fg, vs).withThreshold(threshold);
      return intensities == null ? in : in.withIntensities(intensities);
    }
  }

  /** Cuts the members' common box out of the image and selects their voxels by flood fill. */
  static Cut piece(RandomAccessibleInterval<? extends RealType<?>> image, List<Component> members,
      double threshold) {
    long[] min = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};
    long[] max = {Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE};
    for (Component m : members) {
      for (int d = 0; d < 3; d++) {
        min[d] = Math.min(min[d], m.min()[d]);
        max[d] = Math.max(max[d], m.max()[d]);
      }
    }
    int[] n = new int[3];
    for (int d = 0; d < 3; d++) {
      n[d] = Math.toIntExact(max[d] - min[d] + 1);
    }
    long voxels = (long) n[0] * n[1] * n[2];
    if (voxels > Integer.MAX_VALUE - 64) {
      throw new InvalidInputException("a group of " + members.size() + " components spans "
          + n[0] + " x " + n[1] + " x " + n[2] + " voxels, more than one task can cut out "
          + "(at most 2^31 voxels)");
    }
    long[] fg = new long[(int) ((voxels + 63) >>> 6)];
    Cursor<? extends RealType<?>> c = Views.flatIterable(Views.interval(image, min, max))
        .cursor();
    for (int i = 0; i < voxels; i++) {
      if (c.next().getRealDouble() >= threshold) {
        fg[i >>> 6] |= 1L << (i & 63);
      }
    }
    ArrayImg<BitType, LongArray> selected = ArrayImgs.bits(n[0], n[1], n[2]);
    RandomAccess<BitType> ra = selected.randomAccess();
    long[] seen = new long[fg.length];
    IntList queue = new IntList();
    for (Component m : members) {
      int s = (int) (((m.seed()[2] - min[2]) * n[1] + m.seed()[1] - min[1]) * n[0]
          + m.seed()[0] - min[0]);
      if ((seen[s >>> 6] & 1L << (s & 63)) != 0) {
        continue;
      }
      seen[s >>> 6] |= 1L << (s & 63);
      queue.size = 0;
      queue.add(s);
      for (int head = 0; head < queue.size; head++) {
        int i = queue.data[head];
        int x = i % n[0];
        int y = i / n[0] % n[1];
        int z = i / (n[0] * n[1]);
        ra.setPosition(new int[] {x, y, z});
        ra.get().set(true);
        for (int dz = -1; dz <= 1; dz++) {
          for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
              int jx = x + dx;
              int jy = y + dy;
              int jz = z + dz;
              if (jx < 0 || jy < 0 || jz < 0 || jx >= n[0] || jy >= n[1] || jz >= n[2]) {
                continue;
              }
              int j = (jz * n[1] + jy) * n[0] + jx;
              if ((fg[j >>> 6] & 1L << (j & 63)) != 0 && (seen[j >>> 6] & 1L << (j & 63)) == 0) {
                seen[j >>> 6] |= 1L << (j & 63);
                queue.add(j);
              }
            }
          }
        }
      }
    }
    return new Cut(image, selected, min, max, threshold);
  }

  // ---- trees -----------------------------------------------------------------------------

  static Tree tree(NeuronTree t) {
    double[][] nodes = new double[t.size()][];
    int k = 0;
    for (SwcNode n : t.nodes()) {
      nodes[k++] = new double[] {n.id(), n.structure(), n.x(), n.y(), n.z(), n.radius(),
          n.parent()};
    }
    return new Tree(nodes, List.copyOf(t.comments()));
  }

  /** The trees in the groups' order, nodes renumbered from 1 tree after tree. */
  static NeuronTree forest(List<Tree> trees) {
    List<SwcNode> nodes = new ArrayList<>();
    List<String> comments = List.of();
    long offset = 0;
    for (Tree t : trees) {
      if (comments.isEmpty() && !t.comments().isEmpty()) {
        comments = t.comments();
      }
      Map<Long, Long> ids = new HashMap<>();
      for (double[] n : t.nodes()) {
        ids.put((long) n[0], offset + ids.size() + 1);
      }
      for (double[] n : t.nodes()) {
        long parent = (long) n[6];
        nodes.add(new SwcNode(ids.get((long) n[0]), (int) n[1], n[2], n[3], n[4], n[5],
            parent == SwcNode.NO_PARENT ? SwcNode.NO_PARENT : ids.get(parent)));
      }
      offset += t.nodes().length;
    }
    return nodes.isEmpty() ? NeuronTree.empty() : NeuronTree.of(nodes, comments);
  }

  /** A growable long array. */
  static final class LongList {
    long[] data = new long[256];
    int size;

    void add(long v) {
      if (size == data.length) {
        data = Arrays.copyOf(data, data.length * 2);
      }
      data[size++] = v;
    }

    long[] toArray() {
      return Arrays.copyOf(data, size);
    }
  }

  /** A growable int array. */
  static final class IntList {
    int[] data = new int[256];
    int size;

    void add(int v) {
      if (size == data.length) {
        data = Arrays.copyOf(data, data.length * 2);
      }
      data[size++] = v;
    }
  }

  /** Settings of a {@link ComponentTracingJob}. */
  public static final class Builder {
    private @Nullable Path mask;
    private int level;
    private @Nullable Path intensities;
    private @Nullable Path output;
    private TracerConfig tracer = new TracerBuilder().config();
    private int[] chunk = {64, 64, 64};

    private Builder() {}

    /**
     * The segmented chunked volume: a mask, or probabilities thresholded by the tracer's
     * threshold.
     */
    public Builder mask(Path path) {
      this.mask = path;
      return this;
    }

    /** The multiscale level to trace (default 0). */
    public Builder level(int level) {
      this.level = Checks.atLeast("level", level, 0);
      return this;
    }

    /** The original intensities (a chunked store of the same size), for intensity speed. */
    public Builder intensities(Path path) {
      this.intensities = path;
      return this;
    }

    /** Where the forest is written as SWC; not written by default. */
    public Builder output(Path swc) {
      this.output = swc;
      return this;
    }

    /** The tracer settings, without seeds (default: the tracer's defaults). */
    public Builder tracer(TracerConfig config) {
      Specs.TracerSpec.of(config);
      this.tracer = config;
      return this;
    }

    /** The labelling chunk (one task each; default 64 x 64 x 64). */
    public Builder chunkSize(int x, int y, int z) {
      Checks.atLeast("chunk size x", x, 1);
      Checks.atLeast("chunk size y", y, 1);
      Checks.atLeast("chunk size z", z, 1);
      this.chunk = new int[] {x, y, z};
      return this;
    }

    /**
     * The job.
     *
     * @throws InvalidInputException without a mask
     */
    public ComponentTracingJob build() {
      return new ComponentTracingJob(this);
    }
  }
}
