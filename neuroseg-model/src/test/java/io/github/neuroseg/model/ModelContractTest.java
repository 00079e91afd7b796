package io.github.neuroseg.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.ModelException;
import io.github.neuroseg.volume.Normalization;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelContractTest {
  private static final Map<String, long[]> IN = Map.of("image", new long[] {-1, 1, 5, 96, 96});
  private static final Map<String, long[]> OUT = Map.of("logits", new long[] {-1, 1, 96, 96});

  private static Map<String, String> md() {
    Map<String, String> m = new HashMap<>(Map.of("neuroseg.format", "1", "input_depth", "5",
        "tile_h", "96", "tile_w", "96", "patch", "16", "normalization", "percentile:0.5,99.5",
        "threshold", "0.42"));
    m.put("val_dice", "0.81");
    return m;
  }

  private static String fails(Map<String, String> m, Map<String, long[]> in,
      Map<String, long[]> out) {
    return assertThrows(ModelException.class, () -> ModelContract.check("m.onnx", m, in, out))
        .getMessage();
  }

  @Test
  void readsAValidContract() {
    ModelContract c = ModelContract.check("m.onnx", md(), IN, OUT);
    assertEquals(5, c.inputDepth());
    assertEquals(96, c.tileWidth());
    assertEquals(16, c.patch());
    assertEquals(Normalization.percentile(0.5, 99.5), c.normalization());
    assertEquals(0.42, c.threshold());
    assertEquals(96, c.modelWidth());
    assertEquals("0.81", c.metadata().get("val_dice"));
    c.checkTile(96, 96);
    String msg = assertThrows(ModelException.class, () -> c.checkTile(128, 128)).getMessage();
    assertTrue(msg.contains("larger than") && msg.contains("m.onnx"), msg);
    ModelContract dynamic = ModelContract.check("d", md(),
        Map.of("image", new long[] {-1, 1, -1, -1, -1}), Map.of("logits", new long[] {-1, 1, -1, -1}));
    assertEquals(-1, dynamic.modelHeight());
    dynamic.checkTile(160, 32);
    assertThrows(InvalidInputException.class, () -> dynamic.checkTile(40, 32));
  }

  @Test
  void everyBreachIsNamed() {
    assertTrue(fails(md(), Map.of("input", IN.get("image")), OUT).contains("'image'"));
    assertTrue(fails(md(), IN, Map.of("out", OUT.get("logits"))).contains("'logits'"));
    assertTrue(fails(md(), Map.of("image", new long[] {-1, 1, 96, 96}), OUT).contains("rank 5"));
    assertTrue(fails(md(), Map.of("image", new long[] {-1, 3, 5, 96, 96}), OUT)
        .contains("rank 5"));
    assertTrue(fails(md(), IN, Map.of("logits", new long[] {-1, 96, 96})).contains("rank 4"));
    Map<String, String> m = md();
    m.remove("patch");
    assertTrue(fails(m, IN, OUT).contains("[patch]"));
    for (String[] kv : new String[][] {{"neuroseg.format", "2"}, {"input_depth", "4"},
        {"input_depth", "3"}, {"tile_h", "90"}, {"tile_w", "-96"}, {"threshold", "1.5"},
        {"threshold", "high"}, {"normalization", "zscore"}, {"tile_h", "112"}}) {
      Map<String, String> bad = md();
      bad.put(kv[0], kv[1]);
      String msg = fails(bad, IN, OUT);
      assertTrue(msg.contains(kv[0]) || msg.contains("tile"), kv[0] + ": " + msg);
      assertTrue(msg.contains("m.onnx"), msg);
    }
  }

  @Test
  void theArchitectureRoundTripsThroughItsMetadataWithLayerScaleAndRegisters() {
    io.github.neuroseg.training.VitArchitecture a =
        new io.github.neuroseg.training.VitArchitecture(48, 3, 4, 14, 5, 56, 42,
            io.github.neuroseg.training.VitArchitecture.Head.CONV, true, 4);
    Map<String, String> m = ModelContract.architectureMetadata(a);
    assertEquals("true", m.get(ModelContract.LAYER_SCALE));
    assertEquals("4", m.get(ModelContract.REGISTERS));
    assertEquals(a, ModelContract.architecture(m, "x"));
    // models written before the two keys: no LayerScale, no registers
    Map<String, String> old = new HashMap<>(m);
    old.remove(ModelContract.LAYER_SCALE);
    old.remove(ModelContract.REGISTERS);
    assertEquals(a.withLayerScale(false).withRegisters(0), ModelContract.architecture(old, "x"));
    old.put(ModelContract.REGISTERS, "-1");
    assertTrue(assertThrows(ModelException.class, () -> ModelContract.architecture(old, "x"))
        .getMessage().contains("registers"));
    old.put(ModelContract.REGISTERS, "0");
    old.put(ModelContract.LAYER_SCALE, "yes");
    assertTrue(assertThrows(ModelException.class, () -> ModelContract.architecture(old, "x"))
        .getMessage().contains("layer_scale"));
  }

  @Test
  void metadataTilesTooLargeForOneInputBufferAreRefused() {
    Map<String, long[]> dynIn = Map.of("image", new long[] {-1, 1, -1, -1, -1});
    Map<String, long[]> dynOut = Map.of("logits", new long[] {-1, 1, -1, -1});
    Map<String, String> m = md();
    m.put("tile_h", "65536");
    m.put("tile_w", "65536");
    String msg = fails(m, dynIn, dynOut);
    assertTrue(msg.startsWith("model m.onnx: metadata tile 65536 x 65536 with input_depth 5"),
        msg);
    assertTrue(msg.contains("must fit one array"), msg);
    ModelContract ok = ModelContract.check("d", md(), dynIn, dynOut);
    // a tile requested for a dynamic model is held to the same bound
    String tile = assertThrows(InvalidInputException.class, () -> ok.checkTile(16384, 16384))
        .getMessage();
    assertTrue(tile.contains("16384 x 16384 x 5 x 4"), tile);
  }
}
