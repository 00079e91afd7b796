package io.github.neuroseg.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.github.neuroseg.training.VitArchitecture;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The convolutional decoder head: its weights, its metadata, and its graph against a reference. */
class ConvHeadTest {

  @Test
  void weightShapesFollowThePatch() {
    // patch 4: projection x1, two stages; patch 8: x2 then two stages; patch 6: x3 then one
    VitArchitecture p4 = VitArchitecture.of(16, 1, 2, 4, 3, 16, 16)
        .withHead(VitArchitecture.Head.CONV);
    assertArrayEquals(new int[] {16, 64, 1, 1}, p4.weightShapes().get("head.proj.weight"));
    assertArrayEquals(new int[] {64, 32, 2, 2}, p4.weightShapes().get("head.up1.weight"));
    assertArrayEquals(new int[] {32, 32, 3, 3}, p4.weightShapes().get("head.conv1.weight"));
    assertArrayEquals(new int[] {32, 16, 2, 2}, p4.weightShapes().get("head.up2.weight"));
    assertArrayEquals(new int[] {16, 24, 3, 3}, p4.weightShapes().get("head.fuse.weight"));
    assertArrayEquals(new int[] {1, 16, 1, 1}, p4.weightShapes().get("head.out.weight"));
    VitArchitecture p8 = new VitArchitecture(16, 1, 2, 8, 3, 24, 16, VitArchitecture.Head.CONV);
    assertEquals(2, p8.firstUpsampling());
    assertArrayEquals(new int[] {16, 64, 2, 2}, p8.weightShapes().get("head.proj.weight"));
    VitArchitecture p6 = new VitArchitecture(16, 1, 2, 6, 1, 12, 18, VitArchitecture.Head.CONV);
    assertEquals(1, p6.decoderStages());
    assertEquals(3, p6.firstUpsampling());
    assertTrue(p6.weightShapes().containsKey("head.conv1.weight"));
    assertTrue(!p6.weightShapes().containsKey("head.up2.weight"));
    // the metadata names the head, and the architecture comes back from it
    Map<String, String> md = ModelContract.architectureMetadata(p6);
    assertEquals("conv", md.get(ModelContract.HEAD));
    assertEquals(p6, ModelContract.architecture(md, "test"));
    assertEquals(VitArchitecture.Head.LINEAR, ModelContract.architecture(
        ModelContract.architectureMetadata(p6.withHead(VitArchitecture.Head.LINEAR)), "t").head());
  }

  @Test
  void onnxRuntimeAgreesWithAPlainJavaForwardPass() throws Exception {
    for (VitArchitecture a : new VitArchitecture[] {
        new VitArchitecture(16, 1, 2, 4, 3, 16, 12, VitArchitecture.Head.CONV),
        new VitArchitecture(12, 2, 3, 6, 1, 12, 18, VitArchitecture.Head.CONV)}) {
      Map<String, FloatTensor> w = VitWeights.random(a, 3, 0.3);
      byte[] model = VitOnnxWriter.write(a, w, VitOnnxWriterTest.META);
      int n = 2;
      int per = a.inputDepth() * a.tileHeight() * a.tileWidth();
      float[] in = new float[n * per];
      SplittableRandom r = new SplittableRandom(9);
      for (int i = 0; i < in.length; i++) {
        in[i] = (float) r.nextGaussian();
      }
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions());
          OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(in),
              new long[] {n, 1, a.inputDepth(), a.tileHeight(), a.tileWidth()});
          OrtSession.Result res = session.run(Map.of("image", t))) {
        OnnxTensor out = (OnnxTensor) res.get("logits").orElseThrow();
        int hw = a.tileHeight() * a.tileWidth();
        assertArrayEquals(new long[] {n, 1, a.tileHeight(), a.tileWidth()},
            out.getInfo().getShape());
        float[] got = new float[n * hw];
        out.getFloatBuffer().get(got);
        double maxDiff = 0;
        double maxAbs = 0;
        for (int b = 0; b < n; b++) {
          float[] ref = VitOnnxWriterTest.reference(a, w,
              Arrays.copyOfRange(in, b * per, (b + 1) * per));
          for (int i = 0; i < hw; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(ref[i] - got[b * hw + i]));
            maxAbs = Math.max(maxAbs, Math.abs(ref[i]));
          }
        }
        assertTrue(maxDiff <= 1e-4 * Math.max(1, maxAbs), a + ": max abs diff " + maxDiff);
        assertTrue(maxAbs > 0.1, "logits " + maxAbs);
        assertEquals("conv", session.getMetadata().getCustomMetadata().get("head"));
      }
    }
  }
}
