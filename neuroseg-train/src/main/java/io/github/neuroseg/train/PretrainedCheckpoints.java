package io.github.neuroseg.train;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.ModelException;
import io.github.neuroseg.NeuroSegIOException;
import io.github.neuroseg.internal.IoErrors;
import io.github.neuroseg.training.TrainerBuilder;
import io.github.neuroseg.training.VitArchitecture;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a pretrained 2D ViT checkpoint holds, read before any training starts, so that a caller
 * can see what was found and size the 3D network to it.
 *
 * <p>Files: {@code .safetensors} and {@code torch.save} {@code .pth} / {@code .bin} (the zip
 * format of PyTorch 1.6 and later), told apart by their first bytes. Distributions (see {@link
 * Distribution}): DINO's backbone files and full training checkpoints, timm's DINO and DINOv2
 * weights, Hugging Face's {@code facebook/dino-*} and {@code facebook/dinov2-*} models, DINOv2's
 * torch hub files (with or without registers), and neuroseg's own 2D models. Legacy {@code
 * torch.save} files (before the zip format) are refused with a message that says how to re-save
 * them.
 *
 * <pre>{@code
 * PretrainedCheckpoints.Report r = PretrainedCheckpoints.inspect(Path.of("dinov2_vits14.pth"));
 * System.out.println(r.text());                      // distribution, sizes, key mapping, ignored
 * VitArchitecture a = r.architecture(5, 112, 112);   // patch 14: tiles multiples of 14
 * }</pre>
 */
public final class PretrainedCheckpoints {
  private PretrainedCheckpoints() {}

  /** The kinds of checkpoint recognised, by their names and contents. */
  public enum Distribution {
    /** A DINO backbone {@code .pth} ({@code dino_deitsmall16_pretrain.pth}, ...): timm names. */
    DINO_BACKBONE("DINO backbone (facebookresearch/dino, timm names)"),
    /**
     * A DINO training checkpoint ({@code *_full_checkpoint.pth}): {@code teacher}, {@code
     * student}, {@code optimizer}, {@code epoch}, {@code args}, {@code dino_loss}.
     */
    DINO_TRAINING_CHECKPOINT("DINO training checkpoint (facebookresearch/dino)"),
    /** timm weights of a ViT without LayerScale ({@code vit_small_patch16_224.dino}, ...). */
    TIMM_VIT("timm ViT"),
    /** Hugging Face {@code ViTModel} weights ({@code facebook/dino-vits16}, ...). */
    HUGGING_FACE_VIT("Hugging Face ViT (facebook/dino-*)"),
    /** DINOv2's torch hub files ({@code dinov2_vits14_pretrain.pth}, {@code _reg4_}). */
    DINOV2_HUB("DINOv2 (facebookresearch/dinov2, torch hub)"),
    /** timm DINOv2 weights ({@code vit_small_patch14_dinov2.lvd142m}, {@code _reg4_}). */
    TIMM_DINOV2("timm DINOv2"),
    /** Hugging Face {@code Dinov2Model} weights ({@code facebook/dinov2-small}, ...). */
    HUGGING_FACE_DINOV2("Hugging Face DINOv2 (facebook/dinov2-*)"),
    /** A neuroseg model of input depth 1 ({@code best.safetensors} of a 2D training run). */
    NEUROSEG_2D("neuroseg 2D model");

    private final String description;

    Distribution(String description) {
      this.description = description;
    }

    /** A description for people, e.g. {@code Hugging Face DINOv2 (facebook/dinov2-*)}. */
    public String description() {
      return description;
    }

    /** A short name for metadata, e.g. {@code hugging-face-dinov2}. */
    public String spec() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /**
   * One renaming rule applied to the checkpoint's keys, with {@code {i}} standing for block
   * numbers.
   *
   * @param source the name in the file, e.g. {@code encoder.layer.{i}.attention.output.dense.*}
   * @param target neuroseg's name, e.g. {@code blocks.{i}.attn.proj.weight}
   * @param how what was done, e.g. {@code renamed} or {@code concatenated ... in q, k, v order}
   */
  public record KeyMapping(String source, String target, String how) {}

  /**
   * What a checkpoint holds.
   *
   * @param file the file read
   * @param format {@code safetensors} or {@code torch.save zip}
   * @param distribution the kind of checkpoint recognised
   * @param part the network read from a checkpoint that holds several (e.g. {@code teacher}),
   *     or {@code ""}
   * @param parts the networks such a checkpoint holds (empty for one network)
   * @param embedDim token width {@code E}
   * @param layers transformer blocks
   * @param patch patch size in pixels
   * @param channels colour channels of the patch kernel (3 for RGB, 1 for a neuroseg model)
   * @param gridHeight rows of the position-embedding grid the network was trained with
   * @param gridWidth columns of that grid
   * @param classPositionSlot whether the position embedding has an entry for the class token
   *     (timm's register variants have none: neuroseg then uses a zero entry)
   * @param layerScale whether the blocks have LayerScale factors
   * @param registers register tokens
   * @param heads attention heads, or 0 when nothing in or beside the file tells them
   * @param headsSource where the heads came from, e.g. {@code config.json beside the file}
   * @param dtypes tensors per element type, e.g. {@code F32=152}
   * @param mapping the renamings applied
   * @param ignored what was left out and why
   * @param notes other findings: names not recognised, what the network's options imply
   * @param otherEntries the file's top-level entries besides the network read, described
   *     (e.g. {@code epoch -> 100}, {@code args -> argparse.Namespace(arch='vit_small', ...)})
   */
  public record Report(Path file, String format, Distribution distribution, String part,
      List<String> parts, int embedDim, int layers, int patch, int channels, int gridHeight,
      int gridWidth, boolean classPositionSlot, boolean layerScale, int registers, int heads,
      String headsSource, Map<String, Integer> dtypes, List<KeyMapping> mapping,
      List<String> ignored, List<String> notes, Map<String, String> otherEntries) {

    /** Copies the collections. */
    public Report {
      parts = List.copyOf(parts);
      dtypes = java.util.Collections.unmodifiableMap(new TreeMap<>(dtypes));
      mapping = List.copyOf(mapping);
      ignored = List.copyOf(ignored);
      notes = List.copyOf(notes);
      otherEntries = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(otherEntries));
    }

    /**
     * The 3D network that inflates this checkpoint, with the heads found ({@link #heads()}),
     * LayerScale and registers as the checkpoint has them, and the linear head.
     *
     * @throws ModelException when the heads are not known (give them with {@link
     *     #architecture(int, int, int, int)})
     * @throws io.github.neuroseg.InvalidInputException when the sizes break the architecture's
     *     rules (e.g. a tile that is not a multiple of the patch)
     */
    public VitArchitecture architecture(int inputDepth, int tileHeight, int tileWidth) {
      if (heads <= 0) {
        throw new ModelException(file + " does not tell its attention heads (" + headsSource
            + "); give them");
      }
      return architecture(heads, inputDepth, tileHeight, tileWidth);
    }

    /**
     * The 3D network that inflates this checkpoint with the given heads.
     *
     * @throws io.github.neuroseg.InvalidInputException when the sizes break the architecture's
     *     rules (e.g. a tile that is not a multiple of the patch, a width not divisible by the
     *     heads)
     */
    public VitArchitecture architecture(int heads, int inputDepth, int tileHeight,
        int tileWidth) {
      return new VitArchitecture(embedDim, layers, heads, patch, inputDepth, tileHeight,
          tileWidth, VitArchitecture.Head.LINEAR, layerScale, registers);
    }

    /** The distribution and, for a checkpoint of several networks, the one read. */
    public String label() {
      return distribution.spec() + (part.isEmpty() ? "" : " (" + part + ")");
    }

    /** The report as lines of text, as {@code neuroseg checkpoint-info} prints it. */
    public String text() {
      StringBuilder b = new StringBuilder();
      line(b, "file", file.toString());
      line(b, "format", format);
      line(b, "distribution", distribution.description());
      if (!parts.isEmpty()) {
        line(b, "network", part + " (the file holds " + String.join(", ", parts) + ")");
      }
      line(b, "architecture", "E " + embedDim + ", " + layers + " blocks, "
          + (heads > 0 ? heads + " heads (" + headsSource + ")" : "heads unknown ("
              + headsSource + ")") + ", patch " + patch + ", " + channels + " input channel"
          + (channels == 1 ? "" : "s"));
      line(b, "position grid", gridHeight + " x " + gridWidth + (classPositionSlot ? ""
          : " (no class-token entry)"));
      line(b, "LayerScale", layerScale ? "yes" : "no");
      line(b, "registers", Integer.toString(registers));
      StringBuilder dt = new StringBuilder();
      dtypes.forEach((k, v) -> dt.append(dt.length() == 0 ? "" : ", ").append(k).append(" x ")
          .append(v));
      line(b, "element types", dt.toString());
      b.append("key mapping:\n");
      for (KeyMapping m : mapping) {
        b.append("  ").append(m.source()).append(" -> ").append(m.target()).append(" (")
            .append(m.how()).append(")\n");
      }
      b.append("ignored:").append(ignored.isEmpty() ? " nothing\n" : "\n");
      ignored.forEach(i -> b.append("  ").append(i).append('\n'));
      if (!otherEntries.isEmpty()) {
        b.append("other entries (read as data, never executed):\n");
        otherEntries.forEach((k, v) -> b.append("  ").append(k).append(": ").append(v)
            .append('\n'));
      }
      if (!notes.isEmpty()) {
        b.append("notes:\n");
        notes.forEach(n -> b.append("  ").append(n).append('\n'));
      }
      return b.toString();
    }

    private static void line(StringBuilder b, String key, String value) {
      b.append(key).append(": ").append(value).append('\n');
    }
  }

  /**
   * Reads what a checkpoint holds; for a training checkpoint of several networks, the default
   * one ({@value TrainerBuilder#DEFAULT_PRETRAINED_PART}).
   *
   * @throws FormatException when the file is not a checkpoint neuroseg reads (a legacy {@code
   *     torch.save} file is named as such, with the way to convert it)
   * @throws ModelException when it holds no ViT with DINO / timm / Hugging Face names
   * @throws NeuroSegIOException when it cannot be read
   */
  public static Report inspect(Path checkpoint) {
    return inspect(checkpoint, TrainerBuilder.DEFAULT_PRETRAINED_PART);
  }

  /**
   * Reads what a checkpoint holds, taking network {@code part} (e.g. {@code student}) from a
   * training checkpoint of several.
   *
   * @throws FormatException when the file is not a checkpoint neuroseg reads, or has no such
   *     network
   * @throws ModelException when it holds no ViT with DINO / timm / Hugging Face names
   * @throws NeuroSegIOException when it cannot be read
   */
  public static Report inspect(Path checkpoint, String part) {
    try (Loaded l = load(checkpoint, part)) {
      return l.report();
    }
  }

  /**
   * The 3D network that inflates this checkpoint: its width, blocks, patch, LayerScale and
   * registers come from the checkpoint's tensors; the heads (which a state dict does not
   * record), the input depth and the tile are the caller's.
   *
   * @param checkpoint the 2D checkpoint
   * @param heads attention heads of the checkpoint's network (6 for ViT-S, 12 for ViT-B)
   * @throws ModelException when the file has no {@code cls_token}, patch kernel or blocks
   * @throws FormatException when the file is neither format
   * @throws io.github.neuroseg.InvalidInputException when the sizes break the architecture's
   *     rules (e.g. a tile that is not a multiple of the patch)
   */
  public static VitArchitecture architecture(Path checkpoint, int heads, int inputDepth,
      int tileHeight, int tileWidth) {
    return inspect(checkpoint).architecture(heads, inputDepth, tileHeight, tileWidth);
  }

  /** A checkpoint mapped to neuroseg's names, its tensors still in the file. */
  record Loaded(Report report, Map<String, TensorSource> tensors, AutoCloseable resource)
      implements AutoCloseable {
    @Override
    public void close() {
      try {
        resource.close();
      } catch (Exception e) {
        // the file was only read
      }
    }
  }

  /** Opens, maps and describes a checkpoint (throwing as {@link #inspect}); close the result. */
  static Loaded load(Path path, String part) {
    String src = path.toString();
    byte[] head = new byte[16];
    int n;
    try (InputStream in = Files.newInputStream(path)) {
      n = in.readNBytes(head, 0, head.length);
    } catch (IOException e) {
      throw IoErrors.cannotRead(path, e);
    }
    Map<String, TensorSource> raw = new LinkedHashMap<>();
    String format;
    String chosen = "";
    List<String> parts = List.of();
    Map<String, String> others = new LinkedHashMap<>();
    AutoCloseable resource = () -> { };
    if (n >= 2 && head[0] == 'P' && head[1] == 'K') {
      format = "torch.save zip";
      TorchCheckpoint.Archive a = TorchCheckpoint.open(path);
      resource = a;
      try {
        StateDictSelection s = StateDictSelection.of(a.root(), part, src);
        chosen = s.part();
        parts = s.parts();
        others.putAll(s.others());
        s.tensors().forEach((k, t) -> raw.put(k, new TensorSource() {
          @Override
          public int[] shape() {
            return t.shape();
          }

          @Override
          public String dtype() {
            return t.storage().dtype() == null ? t.storage().typeName() : t.storage().dtype();
          }

          @Override
          public io.github.neuroseg.model.FloatTensor load() {
            return a.load(t);
          }
        }));
      } catch (RuntimeException e) {
        a.close();
        throw e;
      }
    } else if (n >= 9 && head[8] == '{') {
      format = "safetensors";
      SafeTensors.Index index = SafeTensors.index(path);
      index.entries().forEach((k, e) -> raw.put(k, new TensorSource() {
        @Override
        public int[] shape() {
          return e.intShape();
        }

        @Override
        public String dtype() {
          return e.dtype();
        }

        @Override
        public io.github.neuroseg.model.FloatTensor load() {
          return SafeTensors.load(index, k);
        }
      }));
      if (!index.metadata().isEmpty()) {
        others.put("__metadata__", index.metadata().toString());
      }
    } else {
      FormatException legacy = TorchCheckpoint.legacyError(src, head, n);
      if (legacy != null) {
        throw legacy;
      }
      throw FormatException.of(src, "the file (" + n + (n == head.length ? "+" : "")
          + " bytes) is neither safetensors nor a torch.save zip checkpoint");
    }
    try {
      CheckpointLayout.Result r = CheckpointLayout.map(raw);
      Report report = describe(path, format, chosen, parts, others, raw, r);
      return new Loaded(report, r.tensors(), resource);
    } catch (RuntimeException e) {
      try {
        resource.close();
      } catch (Exception ignored) {
        // reported: the original problem
      }
      throw e;
    }
  }

  private static Report describe(Path path, String format, String part, List<String> parts,
      Map<String, String> others, Map<String, TensorSource> raw, CheckpointLayout.Result r) {
    Map<String, TensorSource> ck = r.tensors();
    TensorSource cls = ck.get("cls_token");
    TensorSource kernel = ck.get("patch_embed.proj.weight");
    if (cls == null || kernel == null) {
      List<String> keys = new ArrayList<>(raw.keySet());
      throw new ModelException(path + " has no cls_token or patch embedding: it is not a ViT "
          + "checkpoint with DINO, timm or Hugging Face parameter names (keys: "
          + (keys.size() > 8 ? keys.subList(0, 8) + ", ..." : keys) + ")");
    }
    int layers = 0;
    while (ck.containsKey("blocks." + layers + ".norm1.weight")) {
      layers++;
    }
    if (layers == 0) {
      throw new ModelException(path + " has no transformer blocks (blocks.0.norm1.weight or "
          + "encoder.layer.0.*)");
    }
    int[] cs = cls.shape();
    int e = cs[cs.length - 1];
    int[] ks = kernel.shape();
    int p = ks[ks.length - 1];
    int channels = ks.length == 5 ? ks[1] * ks[2] : ks.length > 1 ? ks[1] : 0;
    boolean neuroseg = ks.length == 5;
    boolean layerScale = ck.containsKey("blocks.0.ls1.gamma");
    TensorSource reg = ck.get("reg_token");
    int registers = reg != null && reg.shape().length == 3 ? reg.shape()[1] : 0;
    int gridH = 0;
    int gridW = 0;
    TensorSource pos = ck.get("pos_embed");
    boolean classSlot = true;
    if (pos != null && pos.shape().length == 3) {
      int tokens = pos.shape()[1] - 1;
      int g = (int) Math.round(Math.sqrt(tokens));
      gridH = g;
      gridW = g * g == tokens ? g : 0;
      classSlot = !r.mapping().stream().anyMatch(m -> m.how().startsWith("zero class-token"));
    }
    Distribution dist;
    boolean hubV2 = r.sourceKeys().contains("mask_token")
        || r.sourceKeys().contains("register_tokens");
    if (r.family() == CheckpointLayout.Family.HUGGING_FACE) {
      dist = layerScale || r.sourceKeys().contains("embeddings.mask_token")
          ? Distribution.HUGGING_FACE_DINOV2 : Distribution.HUGGING_FACE_VIT;
    } else if (neuroseg) {
      dist = Distribution.NEUROSEG_2D;
    } else if (hubV2) {
      dist = Distribution.DINOV2_HUB;
    } else if (layerScale || registers > 0) {
      dist = Distribution.TIMM_DINOV2;
    } else if (format.equals("safetensors")) {
      dist = Distribution.TIMM_VIT;
    } else {
      dist = parts.contains("teacher") && parts.contains("student")
          ? Distribution.DINO_TRAINING_CHECKPOINT : Distribution.DINO_BACKBONE;
    }
    List<String> notes = new ArrayList<>();
    int heads = 0;
    String headsSource;
    Map<String, Object> config = huggingFaceConfig(path);
    Object arch = args(others, "arch");
    if (config.get("num_attention_heads") instanceof Long h && h > 0 && h <= Integer.MAX_VALUE) {
      heads = Math.toIntExact(h);
      headsSource = "num_attention_heads of config.json beside the file";
    } else if (arch != null && archHeads(arch.toString()) > 0) {
      heads = archHeads(arch.toString());
      headsSource = "args.arch = " + arch;
    } else if (e % 64 == 0) {
      heads = e / 64;
      headsSource = "E / 64: every DINO and DINOv2 ViT has heads of width 64";
    } else {
      headsSource = "a state dict does not record them and E = " + e + " is no multiple of 64";
    }
    if (config.get("layer_norm_eps") instanceof Number eps
        && Math.abs(eps.doubleValue() - 1e-6) > 1e-9) {
      notes.add("config.json gives layer_norm_eps " + eps + "; neuroseg's network uses 1e-6, "
          + "the value the DINO weights were trained with");
    }
    if (gridW == 0) {
      notes.add(pos == null ? "the file holds no position embedding (pos_embed): inflation will"
          + " refuse it" : "the position embedding " + pos.shapeText() + " is not a square grid:"
          + " inflation will refuse it");
    }
    notes.add("patch " + p + ": tiles must be multiples of " + p + " (e.g. " + 4 * p + " or "
        + 8 * p + ")");
    if (dist == Distribution.DINOV2_HUB || dist == Distribution.TIMM_DINOV2
        || dist == Distribution.HUGGING_FACE_DINOV2) {
      notes.add("position embeddings are resampled bicubically to the tile's grid with a target "
          + "size (timm's way); DINOv2's own code resamples with a scale factor, which differs "
          + "slightly at the borders");
    }
    if (!r.unknown().isEmpty()) {
      notes.add("not recognised (kept by name; inflation reports them): " + r.unknown());
    }
    if (!parts.isEmpty() && dist == Distribution.DINO_TRAINING_CHECKPOINT) {
      notes.add("the teacher is the network DINO's authors evaluate and publish; "
          + "select the student with --part student / pretrainedPart(\"student\")");
    }
    Map<String, Integer> dtypes = new TreeMap<>();
    raw.values().forEach(t -> dtypes.merge(t.dtype(), 1, Integer::sum));
    return new Report(path, format, dist, part, parts, e, layers, p, channels, gridH, gridW,
        classSlot, layerScale, registers, heads, headsSource, dtypes, r.mapping(), r.ignored(),
        notes, others);
  }

  /** The heads of DINO's architecture names ({@code vit_tiny}, {@code vit_small}, ...). */
  private static int archHeads(String arch) {
    return switch (arch.replace("'", "")) {
      case "vit_tiny", "deit_tiny" -> 3;
      case "vit_small", "deit_small" -> 6;
      case "vit_base" -> 12;
      case "vit_large" -> 16;
      case "vit_giant2" -> 24;
      default -> 0;
    };
  }

  /** An option of a DINO training checkpoint's {@code args} (as described), or null. */
  private static Object args(Map<String, String> others, String key) {
    String a = others.get("args");
    if (a == null) {
      return null;
    }
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("[(, ]" + key + "='([^']*)'").matcher(a);
    return m.find() ? m.group(1) : null;
  }

  /** Hugging Face's {@code config.json} beside the file, or an empty map. */
  private static Map<String, Object> huggingFaceConfig(Path file) {
    Path dir = file.toAbsolutePath().getParent();
    Path cfg = dir == null ? null : dir.resolve("config.json");
    if (cfg == null || !Files.isRegularFile(cfg)) {
      return Map.of();
    }
    try {
      Object o = Json.parse(Files.readString(cfg, StandardCharsets.UTF_8), cfg.toString());
      Map<String, Object> m = new LinkedHashMap<>();
      if (o instanceof Map<?, ?> mm) {
        mm.forEach((k, v) -> m.put(String.valueOf(k), v));
      }
      return m;
    } catch (IOException | RuntimeException e) {
      return Map.of();
    }
  }
}
