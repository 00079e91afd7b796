package io.github.neuroseg.train;

import io.github.neuroseg.training.VitArchitecture;
import io.github.neuroseg.model.FloatTensor;
import io.github.neuroseg.model.VitOnnxWriter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OnnxParityTest {

  static float[] runOnnx(byte[] model, float[] x, long[] shape) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(model, new OrtSession.SessionOptions());
        OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
        OrtSession.Result r = s.run(Map.of("image", in))) {
      OnnxTensor out = (OnnxTensor) r.get("logits").get();
      FloatBuffer fb = out.getFloatBuffer();
      float[] v = new float[fb.remaining()];
      fb.get(v);
      return v;
    }
  }

  @Test
  void djlAndOnnxRuntimeAgree() throws Exception {
    agree(new VitArchitecture(24, 2, 3, 4, 3, 12, 16));
  }

  @Test
  void djlAndOnnxRuntimeAgreeWithTheConvolutionalDecoder() throws Exception {
    agree(new VitArchitecture(24, 2, 3, 4, 3, 12, 16, VitArchitecture.Head.CONV));
    agree(new VitArchitecture(16, 1, 2, 8, 1, 16, 24, VitArchitecture.Head.CONV));
  }

  @Test
  void djlAndOnnxRuntimeAgreeWithLayerScaleAndRegisters() throws Exception {
    agree(new VitArchitecture(24, 2, 3, 4, 3, 12, 16).withLayerScale(true).withRegisters(4));
    agree(new VitArchitecture(16, 1, 2, 14, 1, 28, 42, VitArchitecture.Head.CONV)
        .withLayerScale(true).withRegisters(1));
  }

  private static void agree(VitArchitecture c) throws Exception {
    Map<String, FloatTensor> w = VitModelTest.randomWeights(c, 21);
    byte[] onnx = VitOnnxWriter.write(c, w, Map.of("normalization", "percentile:0.5,99.5",
        "threshold", "0.5", "seed", "1"));
    try (VitModel m = VitModel.of(c, w)) {
      for (int n : new int[] {1, 3}) {
        float[] x = VitModelTest.randomBlocks(c, n, 100 + n);
        float[] djl = m.predictLogits(x, n);
        float[] ort = runOnnx(onnx, x, new long[] {n, 1, c.inputDepth(), c.tileHeight(),
            c.tileWidth()});
        assertEquals(djl.length, ort.length);
        double max = 0;
        for (int i = 0; i < djl.length; i++) {
          max = Math.max(max, Math.abs(djl[i] - ort[i]));
        }
        assertTrue(max <= 1e-4, c + ": max abs difference " + max);
      }
    }
  }
}
