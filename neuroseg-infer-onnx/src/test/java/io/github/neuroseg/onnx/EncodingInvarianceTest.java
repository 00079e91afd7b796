package io.github.neuroseg.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.Progress;
import io.github.neuroseg.model.VitOnnxWriter;
import io.github.neuroseg.model.VitWeights;
import io.github.neuroseg.segmentation.ModelSource;
import io.github.neuroseg.segmentation.Segmentation;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.testing.EncodedContent;
import io.github.neuroseg.training.VitArchitecture;
import io.github.neuroseg.volume.Normalization;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.VoxelSize;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.logic.BitType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;
import org.junit.jupiter.api.Test;

/**
 * The same content stored as 8-bit, 16-bit (x 257) and float (/ 255) gives the same mask through
 * a real segmenter (a small ViT with random weights), for dense, sparse (99.9% zeros),
 * few-valued and constant volumes.
 */
class EncodingInvarianceTest {
  private static final long SEED = 20261201L;

  private static Segmenter vit() {
    VitArchitecture spec = new VitArchitecture(8, 1, 2, 4, 3, 16, 16);
    byte[] model = VitOnnxWriter.write(spec, VitWeights.random(spec, 11, 0.3),
        Map.of("normalization", "percentile:0.5,99.5", "threshold", "0.5"));
    return NeuroSeg.segmenter().model(ModelSource.bytes("vit", model)).build();
  }

  private static boolean[] mask(Segmentation s) {
    List<Boolean> l = new ArrayList<>();
    for (BitType b : Views.flatIterable(s.mask())) {
      l.add(b.get());
    }
    boolean[] m = new boolean[l.size()];
    for (int i = 0; i < m.length; i++) {
      m[i] = l.get(i);
    }
    return m;
  }

  private static float[] values(RandomAccessibleInterval<FloatType> img) {
    float[] v = new float[(int) Views.iterable(img).size()];
    int i = 0;
    for (FloatType t : Views.flatIterable(img)) {
      v[i++] = t.get();
    }
    return v;
  }

  @Test
  void everyEncodingGivesTheSameMask() {
    int[] mixed = new int[1];
    int[] sparse = new int[1];
    try (Segmenter seg = vit()) {
      qt().withFixedSeed(SEED).withExamples(40).forAll(EncodedContent.any(24, 5))
          .checkAssert(content -> {
            List<Segmentation> out = new ArrayList<>();
            for (RandomAccessibleInterval<? extends RealType<?>> img : content.encodings()) {
              out.add(seg.segment(new Volume(img, VoxelSize.UNIT)));
            }
            boolean[] m8 = mask(out.get(0));
            assertArrayEquals(m8, mask(out.get(1)), "16-bit mask, " + content);
            assertArrayEquals(m8, mask(out.get(2)), "float mask, " + content);
            float[] p8 = values(out.get(0).probabilities());
            if (Arrays.stream(content.values()).distinct().count() == 1) {
              // a constant volume: empty mask, probabilities exactly 0, in every encoding
              for (Segmentation s : out) {
                for (float p : values(s.probabilities())) {
                  assertEquals(0f, p, content.toString());
                }
              }
            } else {
              for (int e = 1; e < 3; e++) {
                assertArrayEquals(p8, values(out.get(e).probabilities()), 1e-4f,
                    "probabilities of encoding " + e + ", " + content);
              }
            }
            int fg = 0;
            for (boolean b : m8) {
              fg += b ? 1 : 0;
            }
            if (fg > 0 && fg < m8.length) {
              mixed[0]++;
              if (content.kind().startsWith("sparse")) {
                sparse[0]++;
              }
            }
          });
    }
    System.out.println("encodings: " + mixed[0] + " of 40 masks mixed, " + sparse[0]
        + " of them sparse volumes");
    // the comparison is not between trivially empty or full masks
    assertTrue(mixed[0] >= 10, mixed[0] + " of 40 masks have foreground and background");
    assertTrue(sparse[0] >= 2, sparse[0] + " sparse volumes have mixed masks");
  }

  @Test
  void aConstantVolumeGivesAnEmptyMaskWithoutRunningTheModel() {
    // the model answers sigmoid(0.7) > threshold 0.5 everywhere whenever it runs
    byte[] model = TestModels.constant(3, 0.7f, TestModels.metadata(3, 8, "percentile:0.5,99.5"));
    float[] constant = new float[20 * 9 * 4];
    Arrays.fill(constant, 123);
    Volume vol = Volume.ofFloats(constant, 20, 9, 4, VoxelSize.UNIT);
    List<Progress> events = new ArrayList<>();
    try (Segmenter seg = NeuroSeg.segmenter().model(ModelSource.bytes("constant", model))
        .onProgress(events::add).build()) {
      Segmentation s = seg.segment(vol);
      for (float p : values(s.probabilities())) {
        assertEquals(0f, p);
      }
      for (BitType b : Views.iterable(s.mask())) {
        assertEquals(false, b.get());
      }
      Progress last = events.get(events.size() - 1);
      assertEquals(last.total(), last.done(), "progress ends at 100%: " + events);
      // into a given target as well, overwriting what it held
      RandomAccessibleInterval<FloatType> target = ArrayImgs.floats(20, 9, 4);
      Views.iterable(target).forEach(t -> t.set(0.9f));
      for (float p : values(seg.segmentInto(vol, target).probabilities())) {
        assertEquals(0f, p);
      }
    }
    // a fixed range does not depend on the data: the model runs on the constant input
    try (Segmenter seg = NeuroSeg.segmenter().model(ModelSource.bytes("constant", model))
        .normalization(Normalization.fixed(0, 255)).build()) {
      for (float p : values(seg.segment(vol).probabilities())) {
        assertEquals((float) (1 / (1 + Math.exp(-0.7))), p, 1e-6f);
      }
    }
  }
}
