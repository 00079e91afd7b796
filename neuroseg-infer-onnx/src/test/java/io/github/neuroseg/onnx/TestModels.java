package io.github.neuroseg.onnx;

import io.github.neuroseg.model.internal.OnnxGraph;
import java.util.HashMap;
import java.util.Map;

/** Small ONNX models built in code for the tests. */
final class TestModels {
  private TestModels() {}

  static Map<String, String> metadata(int depth, int tile, String normalization) {
    Map<String, String> m = new HashMap<>();
    m.put("neuroseg.format", "1");
    m.put("input_depth", Integer.toString(depth));
    m.put("tile_h", Integer.toString(tile));
    m.put("tile_w", Integer.toString(tile));
    m.put("patch", "1");
    m.put("normalization", normalization);
    m.put("threshold", "0.5");
    return m;
  }

  /** Logits = the input's centre slice, for any H and W. */
  static byte[] identity(int depth, Map<String, String> metadata) {
    OnnxGraph g = new OnnxGraph("identity_centre");
    g.input("image", new long[] {-1, 1, depth, -1, -1}, "N", "", "", "H", "W");
    g.output("logits", new long[] {-1, 1, -1, -1}, "N", "", "H", "W");
    String c = g.node("Slice", new String[] {"image", g.longs(depth / 2), g.longs(depth / 2 + 1),
        g.longs(2)});
    g.nodeNamed("Squeeze", "logits", new String[] {c, g.longs(2)});
    return g.toBytes(metadata);
  }

  /** Logits = {@code value} everywhere. */
  static byte[] constant(int depth, float value, Map<String, String> metadata) {
    OnnxGraph g = new OnnxGraph("constant");
    g.input("image", new long[] {-1, 1, depth, -1, -1}, "N", "", "", "H", "W");
    g.output("logits", new long[] {-1, 1, -1, -1}, "N", "", "H", "W");
    String c = g.node("Slice", new String[] {"image", g.longs(0), g.longs(1), g.longs(2)});
    c = g.node("Squeeze", new String[] {c, g.longs(2)});
    c = g.node("Mul", new String[] {c, g.scalar(0f)});
    g.nodeNamed("Add", "logits", new String[] {c, g.scalar(value)});
    return g.toBytes(metadata);
  }

  /** A model whose input has rank 4 (a 2D model): breaks the contract. */
  static byte[] rank4(Map<String, String> metadata) {
    OnnxGraph g = new OnnxGraph("rank4");
    g.input("image", new long[] {-1, 1, -1, -1}, "N", "", "H", "W");
    g.output("logits", new long[] {-1, 1, -1, -1}, "N", "", "H", "W");
    g.nodeNamed("Identity", "logits", new String[] {"image"});
    return g.toBytes(metadata);
  }
}
