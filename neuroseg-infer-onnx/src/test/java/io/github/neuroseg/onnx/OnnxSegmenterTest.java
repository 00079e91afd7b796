package io.github.neuroseg.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.neuroseg.Device;
import io.github.neuroseg.DeviceException;
import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.ModelException;
import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.NeuroSegIOException;
import io.github.neuroseg.Progress;
import io.github.neuroseg.StateException;
import io.github.neuroseg.model.FloatTensor;
import io.github.neuroseg.model.ModelContract;
import io.github.neuroseg.model.internal.TilePlan;
import io.github.neuroseg.model.VitWeights;
import io.github.neuroseg.model.VitOnnxWriter;
import io.github.neuroseg.training.VitArchitecture;
import io.github.neuroseg.segmentation.Blending;
import io.github.neuroseg.segmentation.ModelSource;
import io.github.neuroseg.segmentation.Segmentation;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.segmentation.SegmenterBuilder;
import io.github.neuroseg.volume.Normalization;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.VoxelSize;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;

class OnnxSegmenterTest {
  private static final long SEED = 77L;

  private static SegmenterBuilder builder(String name, byte[] model) {
    return NeuroSeg.segmenter().model(ModelSource.bytes(name, model));
  }

  private static Volume randomVolume(SplittableRandom r, int w, int h, int d) {
    float[] v = new float[w * h * d];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (100 + 30 * r.nextGaussian());
    }
    return Volume.ofFloats(v, w, h, d, VoxelSize.UNIT);
  }

  private static float[] values(RandomAccessibleInterval<FloatType> img) {
    List<Float> l = new ArrayList<>();
    for (FloatType t : Views.flatIterable(img)) {
      l.add(t.get());
    }
    float[] a = new float[l.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = l.get(i);
    }
    return a;
  }

  private static float sigmoid(float x) {
    return (float) (1.0 / (1.0 + Math.exp(-x)));
  }

  /** Model depth, tile, volume size and segmenter settings of one identity-model run. */
  record Case(int depth, int tile, int tileH, int w, int h, int z, boolean percentile,
      int overlap, int batch, Blending blending, long fill) {}

  /**
   * Depths 1, 3, 5; tiles 2..15 x 1..16; volumes up to 40 x 40 x 7; any overlap below the tile;
   * batches 1..9; every blending. The voxel values come from a seeded fill (only their size and
   * normalisation matter to the property).
   */
  static Gen<Case> cases() {
    return in -> {
      int depth = 1 + 2 * integers().between(0, 2).generate(in);
      int tile = integers().between(2, 15).generate(in);
      int tileH = integers().between(1, 16).generate(in);
      int w = integers().between(1, 40).generate(in);
      int h = integers().between(1, 40).generate(in);
      int z = integers().between(1, 7).generate(in);
      boolean percentile = booleans().all().generate(in);
      int overlap = integers().between(0, Math.min(tile, tileH) - 1).generate(in);
      int batch = integers().between(1, 9).generate(in);
      Blending blending = Blending.values()[integers().between(0, 2).generate(in)];
      return new Case(depth, tile, tileH, w, h, z, percentile, overlap, batch, blending,
          longs().all().generate(in));
    };
  }

  @Test
  void identityModelReproducesTheNormalisedInputForAnyShapeTileOverlapAndBatch() {
    qt().withFixedSeed(SEED).withExamples(25).forAll(cases()).checkAssert(c -> {
      Volume vol = randomVolume(new SplittableRandom(c.fill()), c.w(), c.h(), c.z());
      Normalization norm = c.percentile() ? Normalization.percentile(1, 99)
          : Normalization.fixed(50, 150);
      try (Segmenter seg = builder("identity", TestModels.identity(c.depth(),
          TestModels.metadata(c.depth(), c.tile(), norm.spec())))
          .tile(c.tile(), c.tileH())
          .overlap(c.overlap())
          .batchSize(c.batch())
          .blending(c.blending())
          .build()) {
        Segmentation s = seg.segment(vol);
        Normalization.Range range = norm.range(vol.image());
        float[] in = values(vol.asFloat());
        float[] out = values(s.probabilities());
        for (int i = 0; i < in.length; i++) {
          float want = sigmoid((float) range.apply(in[i]));
          assertEquals(want, out[i], 0f, "voxel " + i + " of " + c.w() + "x" + c.h() + "x"
              + c.z() + " " + seg.config());
        }
      }
    });
  }

  @Test
  void constantModelGivesAConstant() {
    SplittableRandom r = new SplittableRandom(SEED);
    try (Segmenter seg = builder("constant", TestModels.constant(3, 0.7f,
        TestModels.metadata(3, 8, "minmax"))).overlap(3).batchSize(5).build()) {
      for (int[] dims : new int[][] {{1, 1, 1}, {3, 17, 2}, {20, 9, 4}}) {
        float[] out = values(seg.segment(randomVolume(r, dims[0], dims[1], dims[2]))
            .probabilities());
        // a single voxel is a constant volume: no contrast, so 0 without running the model
        float want = out.length == 1 ? 0f : sigmoid(0.7f);
        for (float v : out) {
          assertEquals(want, v, 1e-7f);
        }
      }
    }
  }

  private static byte[] tinyVit(long seed) {
    VitArchitecture spec = new VitArchitecture(8, 1, 2, 4, 3, 16, 16);
    return VitOnnxWriter.write(spec, VitWeights.random(spec, seed, 0.3),
        Map.of("normalization", "percentile:0.5,99.5", "threshold", "0.4"));
  }

  @Test
  void boxesGiveTheWholeVolumesProbabilitiesBitForBit() {
    // a network whose output differs from tile to tile, on volumes whose size is no multiple of
    // the tile or stride; boxes of every shape, batch sizes that cut the boxes' tiles differently
    byte[] model = tinyVit(11);
    qt().withFixedSeed(SEED).withExamples(12).forAll(integers().between(17, 45),
        integers().between(16, 40), integers().between(1, 6), longs().all()).checkAssert(
            (w, h, d, seed) -> {
              SplittableRandom r = new SplittableRandom(seed);
              Volume vol = randomVolume(r, w, h, d);
              boolean flips = r.nextBoolean();
              try (Segmenter seg = builder("vit", model).overlap(r.nextInt(0, 8))
                  .batchSize(r.nextInt(1, 6)).testTimeAugmentation(flips).build()) {
                float[] whole = values(seg.segment(vol).probabilities());
                Normalization.Range range = seg.config().normalization().range(vol.image());
                for (int k = 0; k < 4; k++) {
                  long[] min = {r.nextInt(w), r.nextInt(h), r.nextInt(d)};
                  long[] max = {r.nextInt((int) min[0], w), r.nextInt((int) min[1], h),
                      r.nextInt((int) min[2], d)};
                  Img<FloatType> box = ArrayImgs.floats(max[0] - min[0] + 1,
                      max[1] - min[1] + 1, max[2] - min[2] + 1);
                  seg.segmentBox(vol, range, min, max, Views.translate(box, min));
                  int i = 0;
                  for (FloatType t : Views.flatIterable(box)) {
                    long x = min[0] + i % box.dimension(0);
                    long y = min[1] + i / box.dimension(0) % box.dimension(1);
                    long z = min[2] + i / (box.dimension(0) * box.dimension(1));
                    float want = whole[(int) ((z * h + y) * w + x)];
                    assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(t.get()),
                        "voxel " + x + "," + y + "," + z + " of box " + List.of(min[0], min[1],
                            min[2], max[0], max[1], max[2]) + " in " + w + "x" + h + "x" + d);
                    i++;
                  }
                }
                Img<FloatType> wrong = ArrayImgs.floats(2, 2, 2);
                assertThrows(InvalidInputException.class, () -> seg.segmentBox(vol, range,
                    new long[] {0, 0, 0}, new long[] {2, 2, 0}, wrong));
              }
            });
  }

  @Test
  void resultsDoNotDependOnBatchSizeOrThreads() throws Exception {
    byte[] model = tinyVit(3);
    Volume vol = randomVolume(new SplittableRandom(9), 37, 21, 6);
    float[] ref = null;
    int two = Math.min(2, Runtime.getRuntime().availableProcessors()); // threads are bounded
    for (int[] bt : new int[][] {{1, 1}, {7, two}, {64, 1}, {3, 0}}) {
      try (Segmenter seg = builder("vit", model).batchSize(bt[0]).threads(bt[1]).build()) {
        float[] out = values(seg.segment(vol).probabilities());
        if (ref == null) {
          ref = out;
          float min = 1;
          float max = 0;
          for (float v : out) {
            min = Math.min(min, v);
            max = Math.max(max, v);
          }
          assertTrue(max - min > 0.1, "the network's output varies: " + min + ".." + max);
        } else {
          for (int i = 0; i < ref.length; i++) {
            assertEquals(ref[i], out[i], 1e-6, "batch " + bt[0] + " threads " + bt[1]);
          }
        }
      }
    }
    // concurrent calls on one segmenter agree with the sequential result
    try (Segmenter seg = builder("vit", model).batchSize(5).build()) {
      ExecutorService pool = Executors.newFixedThreadPool(3);
      try {
        List<Future<float[]>> fs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          fs.add(pool.submit(() -> values(seg.segment(vol).probabilities())));
        }
        for (Future<float[]> f : fs) {
          float[] out = f.get();
          for (int i = 0; i < ref.length; i++) {
            assertEquals(ref[i], out[i], 1e-6);
          }
        }
      } finally {
        pool.shutdown();
      }
    }
  }

  @Test
  void aModelEndingWithItsSigmoidGivesItsLogitsTwinsProbabilities() {
    VitArchitecture spec = new VitArchitecture(8, 1, 2, 4, 3, 16, 16);
    Map<String, FloatTensor> w = VitWeights.random(spec, 3, 0.3);
    Map<String, String> md = Map.of("normalization", "percentile:0.5,99.5", "threshold", "0.4");
    byte[] logits = VitOnnxWriter.write(spec, w, md);
    byte[] probs = VitOnnxWriter.write(spec, w, md, ModelContract.Output.PROBABILITIES);
    Volume vol = randomVolume(new SplittableRandom(21), 41, 23, 5);
    try (OnnxSegmenter a = (OnnxSegmenter) builder("logits", logits).build();
        OnnxSegmenter b = (OnnxSegmenter) builder("probabilities", probs).build()) {
      assertEquals(ModelContract.Output.LOGITS, a.contract().output());
      assertEquals(ModelContract.Output.PROBABILITIES, b.contract().output());
      assertEquals("logits", a.modelMetadata().get(ModelContract.OUTPUT_KIND));
      assertEquals("probabilities", b.modelMetadata().get(ModelContract.OUTPUT_KIND));
      float[] pa = values(a.segment(vol).probabilities());
      float[] pb = values(b.segment(vol).probabilities());
      double max = 0;
      for (int i = 0; i < pa.length; i++) {
        max = Math.max(max, Math.abs(pa[i] - pb[i]));
      }
      // ONNX Runtime's sigmoid against ours in double precision: rounding only
      assertTrue(max < 1e-6, "probabilities differ by " + max);
    }
    // the metadata must agree with what is written
    Map<String, String> contradicting = new HashMap<>(md);
    contradicting.put(ModelContract.OUTPUT_KIND, "logits");
    assertThrows(InvalidInputException.class, () -> VitOnnxWriter.write(spec, w, contradicting,
        ModelContract.Output.PROBABILITIES));
  }

  @Test
  void resultsAreBitIdenticalForAnyWorkersBatchAndTarget() {
    // many slices and batches, so that pooled slices, buffers, outputs and accumulators are
    // reused within a run, and again in the next run on the same segmenter
    VitArchitecture spec = new VitArchitecture(8, 1, 2, 4, 3, 16, 16);
    byte[] model = VitOnnxWriter.write(spec, VitWeights.random(spec, 8, 0.3),
        Map.of("normalization", "percentile:0.5,99.5", "threshold", "0.4"),
        ModelContract.Output.PROBABILITIES);
    SplittableRandom r = new SplittableRandom(5);
    int w = 53;
    int h = 37;
    int d = 11;
    short[] raw = new short[w * h * d];
    for (int i = 0; i < raw.length; i++) {
      raw[i] = (short) Math.max(0, (int) (900 + 300 * r.nextGaussian()));
    }
    Volume u16 = Volume.ofUnsignedShorts(raw, w, h, d, VoxelSize.UNIT);
    // the same values behind a view: read through a cursor, not from the array
    Volume view = new Volume(Views.interval(u16.image(), u16.image()), VoxelSize.UNIT);
    float[] ref;
    try (Segmenter seg = builder("vit", model).threads(1).workers(1).batchSize(8).build()) {
      assertEquals(1, seg.config().workers());
      ref = values(seg.segment(u16).probabilities());
      assertArrayEquals(ref, values(seg.segment(u16).probabilities()), "a second run");
    }
    for (int[] wb : new int[][] {{2, 1}, {3, 5}, {4, 64}}) {
      try (Segmenter seg = builder("vit", model).threads(1).workers(wb[0]).batchSize(wb[1])
          .build()) {
        assertArrayEquals(ref, values(seg.segment(u16).probabilities()),
            "workers " + wb[0] + " batch " + wb[1]);
        assertArrayEquals(ref, values(seg.segment(view).probabilities()), "a view");
        Img<FloatType> cells = new net.imglib2.img.cell.CellImgFactory<>(new FloatType(), 7, 9, 2)
            .create(w, h, d);
        seg.segmentInto(u16, cells);
        assertArrayEquals(ref, values(cells), "a cell image target");
      }
    }
  }

  @Test
  void theMaskAloneIsTheThresholdedMap() {
    byte[] model = tinyVit(6);
    Volume vol = randomVolume(new SplittableRandom(17), 45, 31, 7);
    for (double threshold : new double[] {0, 0.45, 1}) {
      try (Segmenter seg = builder("vit", model).threshold(threshold).batchSize(3).build()) {
        Segmentation s = seg.segment(vol);
        net.imglib2.RandomAccessibleInterval<net.imglib2.type.numeric.integer.UnsignedByteType>
            mask = seg.segmentMask(vol);
        assertArrayEquals(vol.dimensions(), mask.dimensionsAsLongArray());
        net.imglib2.Cursor<net.imglib2.type.logic.BitType> want =
            Views.flatIterable(s.mask()).cursor();
        long set = 0;
        for (net.imglib2.type.numeric.integer.UnsignedByteType b : Views.flatIterable(mask)) {
          assertEquals(want.next().get() ? 1 : 0, b.get());
          set += b.get();
        }
        if (threshold == 0.45) {
          assertTrue(set > 0 && set < vol.width() * vol.height() * vol.depth(),
              "a mixed mask: " + set);
        }
      }
    }
    // the levels post-processing reads give its mask without the probability map
    try (Segmenter seg = builder("vit", model).threshold(0.5).batchSize(4).build()) {
      Segmentation s = seg.segment(vol);
      for (io.github.neuroseg.segmentation.PostProcessing post : List.of(
          io.github.neuroseg.segmentation.PostProcessing.NONE,
          new io.github.neuroseg.segmentation.PostProcessing(0.2, 0),
          new io.github.neuroseg.segmentation.PostProcessing(0.35, 4))) {
        var want = post.apply(s);
        var got = post.applyToLevels(seg.segmentLevels(vol, post.low(0.5), 0.5));
        assertArrayEquals(want.update(null).getCurrentStorageArray(),
            got.update(null).getCurrentStorageArray(), post.toString());
      }
    }
    // a volume without contrast: probabilities 0, so the mask is set only at threshold 0
    Volume flat = Volume.ofFloats(new float[40 * 20 * 3], 40, 20, 3, VoxelSize.UNIT);
    try (Segmenter seg = builder("vit", model).threshold(0.3).build()) {
      for (net.imglib2.type.numeric.integer.UnsignedByteType b
          : Views.flatIterable(seg.segmentMask(flat))) {
        assertEquals(0, b.get());
      }
    }
  }

  @Test
  void tinyNetworkOnASingleTileMatchesTheModelDirectly() {
    // a 16x16x3 volume is exactly one tile: the probabilities are sigmoid(logits) of the model
    // run once on the normalised block, with the slab mirrored at both z ends
    byte[] model = tinyVit(5);
    SplittableRandom r = new SplittableRandom(4);
    Volume vol = randomVolume(r, 16, 16, 3);
    try (OnnxSegmenter seg = (OnnxSegmenter) builder("vit", model).build()) {
      assertEquals(0.4, seg.config().threshold());
      assertEquals(16, seg.config().tileWidth());
      assertEquals(4, seg.config().overlap());
      Segmentation s = seg.segment(vol);
      Normalization.Range range = Normalization.percentile(0.5, 99.5).range(vol.image());
      float[] in = values(vol.asFloat());
      float[] out = values(s.probabilities());
      try (Segmenter single = builder("vit", model).batchSize(1).build()) {
        assertArrayEquals(out, values(single.segment(vol).probabilities()));
      }
      // slice z=1 of the output sees slices 0,1,2 exactly; check it against ORT directly
      float[] block = new float[3 * 256];
      for (int i = 0; i < block.length; i++) {
        block[i] = (float) range.apply(in[i]);
      }
      float[] logits = RawOrt.run(model, block, new long[] {1, 1, 3, 16, 16});
      for (int i = 0; i < 256; i++) {
        assertEquals(sigmoid(logits[i]), out[256 + i], 1e-6f);
      }
      assertEquals(0.4, s.threshold());
    }
  }

  @Test
  void thinAndSmallVolumesAreMirrorPadded() {
    // one slice and a 3x2 image with a 3-slice 8x8 model: every input is mirror padding
    Img<FloatType> img = ArrayImgs.floats(new float[] {1, 2, 3, 4, 5, 6}, 3, 2, 1);
    try (Segmenter seg = builder("identity", TestModels.identity(3,
        TestModels.metadata(3, 8, "none"))).build()) {
      float[] out = values(seg.segment(new Volume(img, VoxelSize.UNIT)).probabilities());
      for (int i = 0; i < 6; i++) {
        assertEquals(sigmoid(i + 1), out[i], 0f);
      }
    }
  }

  @Test
  void writesIntoACallerProvidedImageAndReportsProgress() {
    Volume vol = randomVolume(new SplittableRandom(1), 30, 20, 5);
    List<Progress> events = Collections.synchronizedList(new ArrayList<>());
    try (Segmenter seg = builder("identity", TestModels.identity(1,
        TestModels.metadata(1, 8, "fixed:0,200"))).batchSize(4).onProgress(events::add)
        .build()) {
      Img<FloatType> target = ArrayImgs.floats(30, 20, 5);
      Segmentation s = seg.segmentInto(vol, Views.translate(target, 5, 6, 7));
      assertEquals(5, s.probabilities().min(0));
      float[] in = values(vol.asFloat());
      float[] out = values(target);
      for (int i = 0; i < in.length; i++) {
        assertEquals(sigmoid((float) ((in[i] - 0) / 200.0)), out[i], 0f);
      }
      TilePlan plan = TilePlan.of(30, 20, 5, 8, 8, 2, 1);
      assertEquals(plan.tileCount(), events.get(events.size() - 1).done());
      assertEquals(plan.tileCount(), events.get(events.size() - 1).total());
      for (int i = 1; i < events.size(); i++) {
        assertTrue(events.get(i).done() > events.get(i - 1).done());
      }
      assertEquals((plan.tileCount() + 3) / 4, events.size(), "one event per batch");
      assertThrows(InvalidInputException.class,
          () -> seg.segmentInto(vol, ArrayImgs.floats(30, 20, 4)));
    }
  }

  @Test
  void nanVoxelsAreRejectedWithTheirPosition() {
    float[] v = new float[10 * 10 * 4];
    v[3 + 10 * 4 + 100 * 2] = Float.NaN;
    Volume vol = Volume.ofFloats(v, 10, 10, 4, VoxelSize.UNIT);
    for (String norm : new String[] {"none", "percentile:1,99"}) {
      try (Segmenter seg = builder("identity", TestModels.identity(3,
          TestModels.metadata(3, 8, norm))).build()) {
        InvalidInputException e = assertThrows(InvalidInputException.class,
            () -> seg.segment(vol));
        assertTrue(e.getMessage().contains("[3, 4, 2]") && e.getMessage().contains("NaN"),
            e.getMessage());
      }
    }
    assertThrows(InvalidInputException.class,
        () -> Volume.ofFloats(new float[0], 0, 1, 1, VoxelSize.UNIT), "empty volume");
  }

  @Test
  void cudaFallsBackToTheCpuUnlessStrict() {
    byte[] model = TestModels.identity(1, TestModels.metadata(1, 8, "none"));
    try (OnnxSegmenter seg = (OnnxSegmenter) builder("identity", model)
        .device(Device.cuda(0)).build()) {
      // this test machine has the CPU build of ONNX Runtime
      assertEquals(Device.cpu(), seg.device());
      assertEquals(Device.cpu(), seg.config().device());
      Img<FloatType> img = ArrayImgs.floats(new float[] {0, 1}, 2, 1, 1);
      assertEquals(0.5f, seg.segment(new Volume(img, VoxelSize.UNIT)).probabilities()
          .getAt(0, 0, 0).get());
    }
    DeviceException e = assertThrows(DeviceException.class, () -> builder("identity", model)
        .device(Device.cuda(0)).strictDevice(true).build());
    assertTrue(e.getMessage().contains("cuda:0") && e.getMessage().contains("CUDA"),
        e.getMessage());
  }

  @Test
  void closeIsIdempotentAndFinal() {
    Segmenter seg = builder("identity", TestModels.identity(1,
        TestModels.metadata(1, 8, "none"))).build();
    assertInstanceOf(OnnxSegmenter.class, seg);
    seg.close();
    seg.close();
    Volume vol = randomVolume(new SplittableRandom(2), 4, 4, 1);
    StateException e = assertThrows(StateException.class, () -> seg.segment(vol));
    assertTrue(e.getMessage().contains("closed"));
  }

  @Test
  void aFolderGivenAsTheModelIsReportedAsAFolder(@TempDir Path dir) {
    ModelException e = assertThrows(ModelException.class,
        () -> NeuroSeg.segmenter().model(dir).build());
    assertEquals("model " + dir + " is a folder, not an ONNX model file (a bioimage.io package"
        + " folder holds an rdf.yaml, read with BioImageIo.segmenter)", e.getMessage());
  }

  @Test
  void badModelsAndSettingsAreRejectedClearly(@TempDir Path dir) {
    ModelException e = assertThrows(ModelException.class,
        () -> builder("junk.onnx", "this is not a model".getBytes()).build());
    assertTrue(e.getMessage().contains("junk.onnx") && e.getMessage().contains("not a valid ONNX"),
        e.getMessage());
    e = assertThrows(ModelException.class,
        () -> builder("2d", TestModels.rank4(TestModels.metadata(1, 8, "none"))).build());
    assertTrue(e.getMessage().contains("rank 5"), e.getMessage());
    Map<String, String> md = TestModels.metadata(3, 8, "none");
    md.remove("threshold");
    md.remove("input_depth");
    e = assertThrows(ModelException.class,
        () -> builder("nometa", TestModels.identity(3, md)).build());
    assertTrue(e.getMessage().contains("[input_depth, threshold]"), e.getMessage());
    e = assertThrows(ModelException.class,
        () -> builder("even", TestModels.identity(3, TestModels.metadata(4, 8, "none"))).build());
    assertTrue(e.getMessage().contains("odd"), e.getMessage());
    e = assertThrows(ModelException.class,
        () -> builder("vit", tinyVit(1)).tile(32, 32).build());
    assertTrue(e.getMessage().contains("larger than") && e.getMessage().contains("16 x 16"),
        e.getMessage());
    InvalidInputException ie = assertThrows(InvalidInputException.class,
        () -> builder("vit", tinyVit(1)).overlap(16).build());
    assertTrue(ie.getMessage().contains("overlap"), ie.getMessage());
    assertThrows(NeuroSegIOException.class,
        () -> NeuroSeg.segmenter().model(dir.resolve("missing.onnx")).build());
    assertThrows(InvalidInputException.class, () -> builder("identity", TestModels.identity(1,
        TestModels.metadata(1, 8, "none"))).normalization(Normalization.parse("zscore")).build());
  }

  @Test
  void loadsModelFilesThroughTheServiceLoader(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("id.onnx");
    java.nio.file.Files.write(f, TestModels.identity(1, TestModels.metadata(1, 4, "none")));
    try (Segmenter seg = NeuroSeg.segmenter().model(f).threshold(0.25).build()) {
      assertSame(OnnxSegmenter.class, seg.getClass());
      assertEquals(0.25, seg.config().threshold());
      assertEquals(Normalization.none(), seg.config().normalization());
      assertEquals(1, seg.config().overlap());
      assertEquals(f.toString(), ((OnnxSegmenter) seg).contract().label());
    }
  }

  @Test
  void manyCallsLeaveNoThreadsOrBuffersBehind() throws Exception {
    Volume vol = randomVolume(new SplittableRandom(3), 20, 12, 3);
    int before = Thread.activeCount();
    float[] first = null;
    try (Segmenter seg = builder("identity", TestModels.identity(3,
        TestModels.metadata(3, 8, "minmax"))).batchSize(2).build()) {
      for (int i = 0; i < 400; i++) {
        float[] out = values(seg.segment(vol).probabilities());
        if (first == null) {
          first = out;
        } else {
          assertArrayEquals(first, out);
        }
      }
    }
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (Thread.activeCount() > before && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(Thread.activeCount() <= before, "worker threads end with their call: "
        + Thread.activeCount() + " > " + before);
  }
}
