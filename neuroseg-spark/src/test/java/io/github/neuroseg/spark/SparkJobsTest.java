package io.github.neuroseg.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.NeuroSegException;
import io.github.neuroseg.model.VitOnnxWriter;
import io.github.neuroseg.model.VitWeights;
import io.github.neuroseg.model.internal.OnnxGraph;
import io.github.neuroseg.pipeline.Pipeline;
import io.github.neuroseg.segmentation.ModelSource;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.segmentation.SegmenterConfig;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.synth.GroundTruth;
import io.github.neuroseg.synth.NeuronGenerator;
import io.github.neuroseg.testing.SharedData;
import io.github.neuroseg.trace.App2Tracer;
import io.github.neuroseg.tracing.TraceInput;
import io.github.neuroseg.tracing.TracerBuilder;
import io.github.neuroseg.tracing.TracerConfig;
import io.github.neuroseg.training.VitArchitecture;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.Volumes;
import io.github.neuroseg.volume.VoxelSize;
import io.github.neuroseg.volume.chunked.ChunkedReader;
import io.github.neuroseg.volume.chunked.ChunkedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three jobs on Spark local[2], against what one machine computes. */
class SparkJobsTest {
  private static JavaSparkContext sc;

  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("neuroseg-test")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1"));
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  /** A tiny ViT with random weights: its output differs from tile to tile. */
  static byte[] tinyVit(long seed) {
    VitArchitecture spec = new VitArchitecture(8, 1, 2, 4, 3, 16, 16);
    return VitOnnxWriter.write(spec, VitWeights.random(spec, seed, 0.3),
        Map.of("normalization", "percentile:0.5,99.5", "threshold", "0.5"));
  }

  /** Logits {@code 40 (v - 0.9)} of the normalised centre slice: the brightest voxels. */
  static byte[] brightModel() {
    OnnxGraph g = new OnnxGraph("bright");
    g.input("image", new long[] {-1, 1, 3, -1, -1}, "N", "", "", "H", "W");
    g.output("logits", new long[] {-1, 1, -1, -1}, "N", "", "H", "W");
    String c = g.node("Slice", new String[] {"image", g.longs(1), g.longs(2), g.longs(2)});
    c = g.node("Squeeze", new String[] {c, g.longs(2)});
    c = g.node("Sub", new String[] {c, g.scalar(0.9f)});
    g.nodeNamed("Mul", "logits", new String[] {c, g.scalar(40f)});
    Map<String, String> m = new HashMap<>();
    m.put("neuroseg.format", "1");
    m.put("input_depth", "3");
    m.put("tile_h", "32");
    m.put("tile_w", "32");
    m.put("patch", "1");
    m.put("normalization", "percentile:0.5,99.5");
    m.put("threshold", "0.5");
    return g.toBytes(m);
  }

  private static float[] floats(RandomAccessibleInterval<? extends RealType<?>> img) {
    List<Float> l = new ArrayList<>();
    for (RealType<?> t : Views.flatIterable(img)) {
      l.add(t.getRealFloat());
    }
    float[] a = new float[l.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = l.get(i);
    }
    return a;
  }

  @Test
  void blockJobEqualsSegmentBitForBit() {
    // 70 x 53 x 11: no multiple of the 16-voxel tile, its 12-voxel stride, the 16 x 16 x 4
    // output chunks or the 24 x 24 x 5 input chunks
    SplittableRandom r = new SplittableRandom(3);
    float[] v = new float[70 * 53 * 11];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (100 + 30 * r.nextGaussian());
    }
    Volume whole = Volume.ofFloats(v, 70, 53, 11, VoxelSize.microns(0.5, 0.5, 2));
    Path in = tmp.resolve("in.zarr");
    ChunkedWriter.newBuilder().chunkSize(24, 24, 5).build().write(whole, in);
    SegmenterConfig config = NeuroSeg.segmenter()
        .model(ModelSource.bytes("vit", tinyVit(7))).batchSize(3).config();
    Path mask = tmp.resolve("mask.zarr");
    Path probs = tmp.resolve("probs.n5");
    BlockSegmentationJob.Result res = BlockSegmentationJob.newBuilder().input(in).mask(mask)
        .probabilities(probs).segmenter(config).chunkSize(16, 16, 4).blockChunks(2, 1, 2)
        .build().run(sc);
    assertEquals(3 * 4 * 2, res.blocks(), "blocks of 2 x 1 x 2 chunks over 5 x 4 x 3 chunks");
    float[] want;
    float threshold;
    try (Segmenter seg = NeuroSeg.segmenter().model(ModelSource.bytes("vit", tinyVit(7)))
        .batchSize(3).build()) {
      // segment() on the whole volume, read back from the store as one machine would
      want = floats(seg.segment(Volumes.read(in)).probabilities());
      threshold = seg.config().threshold().floatValue();
    }
    Volume gotProbs = Volumes.read(probs);
    assertEquals("n5", gotProbs.metadata().get("format"));
    float[] got = floats(gotProbs.image());
    assertEquals(want.length, got.length);
    float min = 1;
    float max = 0;
    long fg = 0;
    for (int i = 0; i < want.length; i++) {
      assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(got[i]), "voxel " + i);
      min = Math.min(min, want[i]);
      max = Math.max(max, want[i]);
      fg += want[i] >= threshold ? 1 : 0;
    }
    assertTrue(max - min > 0.1, "the network's output varies: " + min + " .. " + max);
    Volume gotMask = ChunkedReader.newBuilder().build().read(mask);
    assertEquals("ome-zarr-0.4", gotMask.metadata().get("format"));
    assertEquals(whole.voxelSize(), gotMask.voxelSize());
    float[] m = floats(gotMask.image());
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i] >= threshold ? 1f : 0f, m[i], "mask voxel " + i);
    }
    assertEquals(fg, res.foregroundVoxels());
    // a failing job leaves nothing behind
    Path missing = tmp.resolve("missing.zarr");
    assertThrows(NeuroSegException.class, () -> BlockSegmentationJob.newBuilder().input(missing)
        .mask(tmp.resolve("m2.zarr")).segmenter(config).build().run(sc));
    assertFalse(Files.exists(tmp.resolve("m2.zarr")));
  }

  @Test
  void batchJobTracesEveryStackAsOneMachineAndReportsFailuresPerStack() throws IOException {
    Path stacks = SharedData.require("stacks");
    List<Path> all = new ArrayList<>(BatchJob.expand(stacks + "/*.tif"));
    assertFalse(all.isEmpty());
    assertEquals(all, BatchJob.expand(stacks.toString()).stream()
        .filter(p -> p.toString().endsWith(".tif")).toList(), "a folder lists its stacks");
    Path broken = tmp.resolve("broken.tif");
    Files.writeString(broken, "not a TIFF");
    all.add(broken);
    all.add(tmp.resolve("absent.v3draw"));
    byte[] model = brightModel();
    SegmenterConfig config = NeuroSeg.segmenter().model(ModelSource.bytes("bright", model))
        .config();
    TracerConfig tracing = new TracerBuilder().config();
    Path out = tmp.resolve("out");
    BatchJob.Result res = BatchJob.newBuilder().stacks(all).output(out).segmenter(config)
        .tracer(tracing).build().run(sc);
    assertEquals(all.size(), res.results().size());
    assertEquals(2, res.failures().size(), "the broken and the absent stack: " + res.failures());
    List<String> lines = Files.readAllLines(res.table());
    assertEquals(all.size() + 1, lines.size());
    assertTrue(lines.get(0).startsWith("stack,status,"));
    try (Segmenter seg = NeuroSeg.segmenter().model(ModelSource.bytes("bright", model)).build()) {
      Pipeline one = Pipeline.of(seg, new App2Tracer(tracing));
      for (int i = 0; i < all.size(); i++) {
        BatchJob.StackResult row = res.results().get(i);
        assertEquals(all.get(i).toString(), row.stack());
        String line = lines.get(i + 1);
        if (i >= all.size() - 2) {
          assertFalse(row.ok());
          assertNull(row.swc());
          assertTrue(line.contains(",failed,"), line);
          continue;
        }
        assertTrue(row.ok(), row.toString());
        assertTrue(line.contains(",ok,"), line);
        NeuronTree want = one.run(Volumes.read(all.get(i))).tree();
        NeuronTree got = Swc.read(Path.of(row.swc()));
        assertEquals(canonical(want), canonical(got), all.get(i).toString());
        assertEquals(want.roots().size(), row.trees());
        assertEquals(want.size(), row.nodes());
        assertTrue(row.nodes() > 0, "something traced in " + row.stack());
      }
    }
    assertThrows(InvalidInputException.class, () -> BatchJob.newBuilder().output(out)
        .segmenter(config).build());
  }

  @Test
  void componentTracingEqualsTheSingleMachineForest() {
    long[] dims = {150, 120, 24};
    VoxelSize vs = VoxelSize.microns(1, 1, 1);
    ArrayImg<UnsignedByteType, ByteArray> mask = ArrayImgs.unsignedBytes(dims);
    byte[] m = mask.update(null).getCurrentStorageArray();
    NeuronGenerator gen = NeuronGenerator.newBuilder().bounds(70, 60, 22).seed(11)
        .somaRadius(3).neuriteRadius(1.2).neurites(2, 3).build();
    long[][] offsets = {{0, 0, 0}, {78, 4, 0}, {30, 62, 0}, {96, 66, 0}};
    for (int k = 0; k < offsets.length; k++) {
      NeuronTree t = gen.generate(100 + k).translate(offsets[k][0] * vs.x(),
          offsets[k][1] * vs.y(), offsets[k][2] * vs.z());
      byte[] one = GroundTruth.render(t, dims, vs).update(null).getCurrentStorageArray();
      for (int i = 0; i < m.length; i++) {
        m[i] |= one[i];
      }
    }
    // a gap across one neurite for the bridging, and a speck
    for (int z = 0; z < dims[2]; z++) {
      for (int y = 0; y < dims[1]; y++) {
        for (int x = 40; x < 43; x++) {
          m[(int) ((z * dims[1] + y) * dims[0] + x)] = 0;
        }
      }
    }
    m[(int) ((5 * dims[1] + 100) * dims[0] + 5)] = 1;
    Path store = tmp.resolve("mask.zarr");
    ChunkedWriter.newBuilder().chunkSize(32, 32, 8).build()
        .write(new Volume(mask, vs, "mask", Map.of()), store);
    TracerConfig config = new TracerBuilder().config();
    NeuronTree want = new App2Tracer(config).trace(TraceInput.of(mask, vs));
    Path swc = tmp.resolve("forest.swc");
    ComponentTracingJob.Result res = ComponentTracingJob.newBuilder().mask(store)
        .chunkSize(40, 40, 10).tracer(config).output(swc).build().run(sc);
    assertTrue(res.components() >= 4, "components: " + res.components());
    assertTrue(res.groups() >= 2, "groups: " + res.groups());
    assertTrue(want.roots().size() >= 3, "trees: " + want.roots().size());
    assertEquals(canonical(want), canonical(res.forest()));
    assertEquals(canonical(want), canonical(Swc.read(swc)));
    assertEquals(want.size(), res.forest().size());
    // the chunk labelling joined pieces across borders: a tree spans several 40-voxel chunks
    double[] box = res.forest().boundingBox();
    assertTrue(box[3] - box[0] > 40, "the forest spans chunks");
  }

  /** A forest as the sorted list of its nodes with their parents' positions (ids ignored). */
  static List<String> canonical(NeuronTree t) {
    List<String> out = new ArrayList<>();
    for (SwcNode n : t.nodes()) {
      SwcNode p = t.parentOf(n);
      out.add(n.x() + " " + n.y() + " " + n.z() + " " + n.radius() + " " + n.structure() + " <- "
          + (p == null ? "root" : p.x() + " " + p.y() + " " + p.z()));
    }
    out.sort(null);
    return out;
  }
}
