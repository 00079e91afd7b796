package io.github.neuroseg.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.model.FloatTensor;
import io.github.neuroseg.model.VitOnnxWriter;
import io.github.neuroseg.train.PretrainedCheckpoints.Distribution;
import io.github.neuroseg.train.PretrainedCheckpoints.Report;
import io.github.neuroseg.training.ChannelReduction;
import io.github.neuroseg.training.Inflation;
import io.github.neuroseg.training.VitArchitecture;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The checkpoints of {@code scripts/fixtures/dino_fixtures.py}, written by real PyTorch in the
 * layout of each distribution, loaded, mapped and inflated; and the 3D network on inflated
 * fixture weights against a plain PyTorch forward pass.
 */
class DinoFixturesTest {

  static Path fixture(String name) {
    try {
      return Path.of(DinoFixturesTest.class.getResource("dino/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new AssertionError("missing fixture " + name + "; run scripts/fixtures/"
          + "dino_fixtures.py", e);
    }
  }

  /** The weights the loader must produce, by timm name. */
  static Map<String, FloatTensor> expected(String network) {
    return switch (network) {
      case "v1" -> SafeTensors.read(fixture("timm_vit_dino.safetensors")).tensors();
      case "v1-student" -> SafeTensors.read(fixture("expected_v1_student.safetensors")).tensors();
      case "v2" -> SafeTensors.read(fixture("timm_dinov2.safetensors")).tensors();
      case "v2reg" -> SafeTensors.read(fixture("expected_v2reg.safetensors")).tensors();
      case "v2reg-timm" -> {
        // timm's register variant: the class token's position embedding folded into the token
        Map<String, FloatTensor> m = new LinkedHashMap<>(expected("v2reg"));
        float[] cls = m.get("cls_token").values().clone();
        float[] pos = m.get("pos_embed").values().clone();
        for (int c = 0; c < cls.length; c++) {
          cls[c] += pos[c];
          pos[c] = 0;
        }
        m.put("cls_token", new FloatTensor(m.get("cls_token").shape(), cls));
        m.put("pos_embed", new FloatTensor(m.get("pos_embed").shape(), pos));
        yield m;
      }
      default -> throw new IllegalArgumentException(network);
    };
  }

  static Stream<Arguments> layouts() {
    return Stream.of(
        Arguments.of("dino_backbone.pth", "", "v1", Distribution.DINO_BACKBONE, false),
        Arguments.of("dino_full_checkpoint.pth", "", "v1",
            Distribution.DINO_TRAINING_CHECKPOINT, false),
        Arguments.of("dino_full_checkpoint.pth", "student", "v1-student",
            Distribution.DINO_TRAINING_CHECKPOINT, false),
        Arguments.of("timm_vit_dino.safetensors", "", "v1", Distribution.TIMM_VIT, false),
        Arguments.of("hf_dino_vit/model.safetensors", "", "v1", Distribution.HUGGING_FACE_VIT,
            false),
        Arguments.of("hf_dino_vit/pytorch_model.bin", "", "v1", Distribution.HUGGING_FACE_VIT,
            false),
        Arguments.of("dinov2_hub.pth", "", "v2", Distribution.DINOV2_HUB, false),
        Arguments.of("timm_dinov2.safetensors", "", "v2", Distribution.TIMM_DINOV2, false),
        Arguments.of("hf_dinov2/model.safetensors", "", "v2", Distribution.HUGGING_FACE_DINOV2,
            false),
        Arguments.of("hf_dinov2_fp16/model.safetensors", "", "v2",
            Distribution.HUGGING_FACE_DINOV2, true),
        Arguments.of("dinov2_hub_reg4.pth", "", "v2reg", Distribution.DINOV2_HUB, false),
        Arguments.of("timm_dinov2_reg4.safetensors", "", "v2reg-timm", Distribution.TIMM_DINOV2,
            false),
        Arguments.of("hf_dinov2_reg4/model.safetensors", "", "v2reg",
            Distribution.HUGGING_FACE_DINOV2, false));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("layouts")
  void everyLayoutLoadsWithTheSourceTensors(String file, String part, String network,
      Distribution distribution, boolean half) {
    Path f = fixture(file);
    PretrainedWeights.Read read = PretrainedWeights.read(f, part.isEmpty() ? "teacher" : part);
    Report r = read.report();
    assertEquals(distribution, r.distribution(), r.text());
    boolean v1 = network.startsWith("v1");
    assertEquals(v1 ? 12 : 8, r.embedDim());
    assertEquals(2, r.layers());
    assertEquals(v1 ? 4 : 14, r.patch());
    assertEquals(3, r.channels());
    assertEquals(3, r.gridHeight());
    assertEquals(3, r.gridWidth());
    assertEquals(!v1, r.layerScale());
    assertEquals(network.startsWith("v2reg") ? 4 : 0, r.registers());
    assertEquals(!network.equals("v2reg-timm"), r.classPositionSlot());
    Map<String, FloatTensor> want = expected(network);
    assertEquals(want.keySet(), read.tensors().keySet(), r.text());
    for (String k : want.keySet()) {
      float[] a = want.get(k).values();
      float[] b = read.tensors().get(k).values();
      assertEquals(a.length, b.length, k);
      for (int i = 0; i < a.length; i++) {
        // float16 files hold the values rounded to half precision
        float w = half ? Dtypes.halfToFloat(TorchSaveWriter.toHalf(a[i])) : a[i];
        assertEquals(w, b[i], 0f, k + "[" + i + "]");
      }
    }
    // and they inflate onto the network the report describes, for both strategies
    VitArchitecture target = r.architecture(v1 ? 3 : 2, 5, 4 * r.patch(), 2 * r.patch());
    for (Inflation inflation : Inflation.values()) {
      Map<String, FloatTensor> w = PretrainedWeights.inflate(read.tensors(), target, inflation,
          7);
      checkKernel(want.get("patch_embed.proj.weight"), w.get("patch_embed.proj.weight"), 5,
          inflation, half);
      for (String k : want.keySet()) {
        if (k.startsWith("blocks.") || k.startsWith("norm.") || k.equals("cls_token")
            || k.equals("reg_token")) {
          assertEquals(read.tensors().get(k), w.get(k), k);
        }
      }
    }
  }

  /** The 3D kernel against the 2D source: channels summed, then AVERAGE or CENTER. */
  private static void checkKernel(FloatTensor k2, FloatTensor k3, int depth, Inflation inflation,
      boolean half) {
    int e = k2.shape()[0];
    int c = k2.shape()[1];
    int pp = k2.shape()[2] * k2.shape()[3];
    assertEquals(java.util.List.of(e, 1, depth, k2.shape()[2], k2.shape()[3]),
        java.util.Arrays.stream(k3.shape()).boxed().toList());
    for (int o = 0; o < e; o++) {
      for (int i = 0; i < pp; i++) {
        double sum = 0;
        for (int ch = 0; ch < c; ch++) {
          float v = k2.values()[(o * c + ch) * pp + i];
          sum += half ? Dtypes.halfToFloat(TorchSaveWriter.toHalf(v)) : v;
        }
        for (int z = 0; z < depth; z++) {
          double want = inflation == Inflation.AVERAGE ? sum / depth
              : z == depth / 2 ? sum : 0;
          assertEquals(want, k3.values()[(o * depth + z) * pp + i], 1e-5);
        }
      }
    }
  }

  @Test
  void theFullDinoCheckpointIsReadAsDataAndTheTeacherIsTheDefault() {
    Path f = fixture("dino_full_checkpoint.pth");
    Report teacher = PretrainedCheckpoints.inspect(f);
    assertEquals("teacher", teacher.part());
    assertEquals(java.util.List.of("student", "teacher"), teacher.parts());
    assertEquals(3, teacher.heads(), teacher.text()); // from args.arch = vit_tiny
    String args = teacher.otherEntries().get("args");
    assertTrue(args.startsWith("argparse.Namespace(arch='vit_tiny', patch_size=4"), args);
    assertTrue(args.contains("momentum_teacher=0.996"), args); // a numpy.float64
    assertTrue(args.contains("global_crops_scale=(0.4, 1.0)"), args);
    assertEquals("3", teacher.otherEntries().get("epoch"));
    assertTrue(teacher.otherEntries().get("optimizer").startsWith("optimizer state of"),
        teacher.otherEntries().toString());
    assertTrue(teacher.otherEntries().get("dino_loss").contains("tensor[1, 16]"),
        teacher.otherEntries().toString());
    assertTrue(teacher.ignored().stream().anyMatch(s -> s.startsWith("head.*")),
        teacher.ignored().toString());
    assertTrue(teacher.mapping().stream().anyMatch(m -> m.source().equals("backbone.*")),
        teacher.mapping().toString());
    Report student = PretrainedCheckpoints.inspect(f, "student");
    assertTrue(student.mapping().stream().anyMatch(m -> m.source().equals("module.backbone.*")),
        student.mapping().toString());
    FormatException ex = assertThrows(FormatException.class,
        () -> PretrainedCheckpoints.inspect(f, "momentum"));
    assertTrue(ex.getMessage().contains("no network 'momentum'; it holds [student, teacher]"),
        ex.getMessage());
    assertFalse(teacher.text().isBlank());
  }

  @Test
  void huggingFaceQkvAreConcatenatedAndTheHeadsComeFromConfigJson() {
    Report r = PretrainedCheckpoints.inspect(fixture("hf_dino_vit/model.safetensors"));
    assertEquals(3, r.heads());
    assertTrue(r.headsSource().contains("config.json"), r.headsSource());
    assertTrue(r.mapping().stream().anyMatch(m -> m.source().equals(
        "encoder.layer.{i}.attention.attention.{query,key,value}.weight")
        && m.target().equals("blocks.{i}.attn.qkv.weight")
        && m.how().contains("q, k, v order")), r.mapping().toString());
    assertTrue(r.notes().stream().anyMatch(n -> n.contains("layer_norm_eps 1.0E-12")),
        r.notes().toString());
    Report v2 = PretrainedCheckpoints.inspect(fixture("hf_dinov2/model.safetensors"));
    assertTrue(v2.ignored().stream().anyMatch(s -> s.startsWith("embeddings.mask_token [1, 8]")),
        v2.ignored().toString());
    Report hub = PretrainedCheckpoints.inspect(fixture("dinov2_hub.pth"));
    assertTrue(hub.ignored().stream().anyMatch(s -> s.startsWith("mask_token [1, 8]")),
        hub.ignored().toString());
    assertEquals(0, hub.heads(), hub.text()); // E 8: nothing tells the heads
  }

  @Test
  void aLegacyTorchSaveFileIsRefusedWithTheWayToConvertIt() {
    Path f = fixture("dino_backbone_legacy.pth");
    FormatException ex = assertThrows(FormatException.class,
        () -> PretrainedCheckpoints.inspect(f));
    assertTrue(ex.getMessage().contains("a legacy torch.save file (PyTorch before 1.6"),
        ex.getMessage());
    assertTrue(ex.getMessage().contains("torch.save(torch.load('IN.pth', map_location='cpu', "
        + "weights_only=True), 'OUT.pth')"), ex.getMessage());
    assertFalse(ex.getMessage().contains("safetensors header"), ex.getMessage());
  }

  static Stream<Arguments> references() {
    return Stream.of(Arguments.of("reference_v1_average.safetensors"),
        Arguments.of("reference_v2reg_center_mean.safetensors"));
  }

  /**
   * The fixture inflated by neuroseg equals PyTorch's inflation (bicubic resampling included),
   * and the exported ONNX graph and the DJL network reproduce PyTorch's logits.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("references")
  void theExportedGraphReproducesThePyTorchForwardPass(String name) throws Exception {
    SafeTensors.Contents ref = SafeTensors.read(fixture(name));
    Map<String, String> md = ref.metadata();
    VitArchitecture a = new VitArchitecture(Integer.parseInt(md.get("embed")),
        Integer.parseInt(md.get("layers")), Integer.parseInt(md.get("heads")),
        Integer.parseInt(md.get("patch")), Integer.parseInt(md.get("input_depth")),
        Integer.parseInt(md.get("tile_h")), Integer.parseInt(md.get("tile_w")),
        VitArchitecture.Head.LINEAR, Boolean.parseBoolean(md.get("layer_scale")),
        Integer.parseInt(md.get("registers")));
    Inflation inflation = Inflation.valueOf(md.get("inflation").toUpperCase(java.util.Locale.ROOT));
    ChannelReduction reduction = ChannelReduction.valueOf(
        md.get("channel_reduction").toUpperCase(java.util.Locale.ROOT));
    Map<String, FloatTensor> w = new LinkedHashMap<>(PretrainedWeights.inflate(
        PretrainedWeights.read(fixture(md.get("fixture"))), a, inflation, reduction, 1));
    // the segmentation head is new: take PyTorch's
    w.put("head.weight", ref.tensors().get("head.weight"));
    w.put("head.bias", ref.tensors().get("head.bias"));
    for (String k : a.weightShapes().keySet()) {
      float[] want = ref.tensors().get(k).values();
      float[] got = w.get(k).values();
      double max = 0;
      for (int i = 0; i < want.length; i++) {
        max = Math.max(max, Math.abs(want[i] - got[i]));
      }
      assertTrue(max <= 1e-6, k + ": max abs difference " + max);
    }
    FloatTensor input = ref.tensors().get("input");
    float[] logits = ref.tensors().get("logits").values();
    byte[] onnx = VitOnnxWriter.write(a, w, Map.of("normalization", "percentile:0.5,99.5",
        "threshold", "0.5"));
    float[] ort = OnnxParityTest.runOnnx(onnx, input.values(), input.dims());
    assertClose(logits, ort, "ONNX Runtime");
    try (VitModel m = VitModel.of(a, w)) {
      assertClose(logits, m.predictLogits(input.values(), input.shape()[0]), "DJL");
    }
  }

  private static void assertClose(float[] want, float[] got, String what) {
    assertEquals(want.length, got.length);
    double max = 0;
    double scale = 0;
    for (int i = 0; i < want.length; i++) {
      max = Math.max(max, Math.abs(want[i] - got[i]));
      scale = Math.max(scale, Math.abs(want[i]));
    }
    assertTrue(scale > 0.1, "the reference logits are not trivial: " + scale);
    assertTrue(max <= 1e-4, what + ": max abs difference to PyTorch " + max);
  }
}
