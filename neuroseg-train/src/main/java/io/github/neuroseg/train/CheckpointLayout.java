package io.github.neuroseg.train;

import io.github.neuroseg.ModelException;
import io.github.neuroseg.internal.Quote;
import io.github.neuroseg.model.FloatTensor;
import io.github.neuroseg.train.PretrainedCheckpoints.KeyMapping;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps the parameter names of the ViT checkpoints in circulation onto neuroseg's (timm's) names:
 *
 * <ul>
 *   <li>wrapper prefixes are dropped: {@code module.} (DistributedDataParallel), {@code
 *       backbone.} (DINO's MultiCropWrapper), {@code _orig_mod.} (torch.compile) and, before
 *       Hugging Face names, {@code vit.} / {@code dinov2.};
 *   <li>timm / DINO / DINOv2 names are kept; DINOv2's {@code register_tokens} becomes {@code
 *       reg_token}; a position embedding without a class-token slot (timm's register variants,
 *       {@code no_embed_class}) gets a zero slot, which adds nothing to the class token, as
 *       those networks do;
 *   <li>Hugging Face ViT (DINO) and DINOv2 names are renamed, and the separate {@code query},
 *       {@code key} and {@code value} projections are concatenated into {@code attn.qkv} in
 *       q, k, v row order;
 *   <li>heads ({@code head.*}, {@code fc_norm.*}, DINO's projection head, DINOv2's {@code
 *       dino_head.*} / {@code ibot_head.*}, Hugging Face's {@code pooler.*} and {@code
 *       classifier.*}) and DINOv2's {@code mask_token} are ignored, each with its reason.
 * </ul>
 *
 * Names that fit none of these are kept as they are (the inflation then reports them as
 * unexpected).
 */
final class CheckpointLayout {
  private static final Pattern HF_LAYER = Pattern.compile("encoder\\.layer\\.(\\d+)\\.(.+)");
  private static final Pattern INDEX = Pattern.compile("\\.(\\d+)(\\.|$)");
  private static final List<String> WRAPPERS = List.of("module.", "backbone.", "_orig_mod.");
  private static final List<String> HF_ROOTS = List.of("embeddings.", "encoder.", "layernorm.",
      "pooler.", "classifier.");

  private CheckpointLayout() {}

  /** The two naming schemes. */
  enum Family { TIMM, HUGGING_FACE }

  /**
   * The mapped checkpoint.
   *
   * @param tensors tensors by neuroseg (timm) name
   * @param family the naming scheme of the file
   * @param mapping the renamings applied, with {@code {i}} for block numbers
   * @param ignored the names left out, each with its reason
   * @param unknown names kept as they are although neuroseg's network has no such weight
   * @param sourceKeys every name in the file (after the wrapper prefixes were dropped)
   */
  record Result(Map<String, TensorSource> tensors, Family family, List<KeyMapping> mapping,
      List<String> ignored, List<String> unknown, Set<String> sourceKeys) {}

  /**
   * Maps the tensors of a state dict.
   *
   * @throws ModelException for a network neuroseg does not implement (DINOv2's SwiGLU MLP)
   */
  static Result map(Map<String, TensorSource> raw) {
    Mapper m = new Mapper();
    Map<String, TensorSource> stripped = new LinkedHashMap<>();
    for (Map.Entry<String, TensorSource> e : raw.entrySet()) {
      String k = e.getKey();
      StringBuilder removed = new StringBuilder();
      boolean again = true;
      while (again) {
        again = false;
        for (String p : WRAPPERS) {
          if (k.startsWith(p)) {
            removed.append(p);
            k = k.substring(p.length());
            again = true;
          }
        }
        for (String p : List.of("vit.", "dinov2.")) {
          String rest = k.startsWith(p) ? k.substring(p.length()) : null;
          if (rest != null && HF_ROOTS.stream().anyMatch(rest::startsWith)) {
            removed.append(p);
            k = rest;
            again = true;
          }
        }
      }
      if (removed.length() > 0) {
        m.mapped(removed + "*", "*", "wrapper prefix dropped");
      }
      stripped.put(k, e.getValue());
    }
    for (String k : stripped.keySet()) {
      if (k.contains("mlp.w12.") || k.contains("mlp.weights_in.")) {
        throw new ModelException(Quote.quote(k) + " belongs to a SwiGLU MLP (DINOv2 ViT-g/14); "
            + "neuroseg's network has the GELU MLP of DINOv2 ViT-S, B and L: use one of those");
      }
    }
    boolean hf = stripped.containsKey("embeddings.patch_embeddings.projection.weight");
    if (hf) {
      huggingFace(stripped, m);
    } else {
      timm(stripped, m);
    }
    return new Result(m.out, hf ? Family.HUGGING_FACE : Family.TIMM,
        List.copyOf(m.mapping.values()), List.copyOf(m.ignored), List.copyOf(m.unknown),
        java.util.Collections.unmodifiableSet(new LinkedHashSet<>(stripped.keySet())));
  }

  private static void timm(Map<String, TensorSource> in, Mapper m) {
    for (Map.Entry<String, TensorSource> e : in.entrySet()) {
      String k = e.getKey();
      TensorSource t = e.getValue();
      if (ignoredHead(k, m)) {
        continue;
      }
      switch (k) {
        case "mask_token" -> m.ignore(k, t, "DINOv2's mask token, used only by its "
            + "masked-image pre-training");
        case "register_tokens" -> m.put(k, "reg_token", t, "renamed (DINOv2 hub name)");
        case "pos_embed" -> m.put(k, "pos_embed", withClassSlot(t, m), "");
        default -> m.put(k, k, t, "");
      }
    }
  }

  private static boolean ignoredHead(String k, Mapper m) {
    for (String[] h : new String[][] {{"head.", "classification or projection head"},
        {"fc_norm.", "norm of the classification head"}, {"head_drop.", "classification head"},
        {"dino_head.", "DINOv2's DINO head"}, {"ibot_head.", "DINOv2's iBOT head"},
        {"pooler.", "Hugging Face's pooler (a classification head)"},
        {"classifier.", "classification head"}}) {
      if (k.startsWith(h[0])) {
        m.ignoreGroup(h[0] + "*", h[1] + ", not part of the backbone");
        return true;
      }
    }
    return false;
  }

  /**
   * A position embedding {@code [1, G*G, E]} (no class-token slot) gets a zero slot in front;
   * {@code [1, 1 + G*G, E]} is returned as it is.
   */
  private static TensorSource withClassSlot(TensorSource t, Mapper m) {
    int[] s = t.shape();
    if (s.length != 3 || !square(s[1]) || square(s[1] - 1)) {
      return t;
    }
    m.mapped("pos_embed " + Arrays.toString(s), "pos_embed [1, 1 + " + s[1] + ", " + s[2] + "]",
        "zero class-token slot added: this network gives the class token no position "
            + "embedding (timm's no_embed_class)");
    return new TensorSource() {
      @Override
      public int[] shape() {
        return new int[] {1, 1 + s[1], s[2]};
      }

      @Override
      public String dtype() {
        return t.dtype();
      }

      @Override
      public FloatTensor load() {
        float[] v = t.load().values();
        float[] out = new float[v.length + s[2]];
        System.arraycopy(v, 0, out, s[2], v.length);
        return new FloatTensor(shape(), out);
      }
    };
  }

  static boolean square(int n) {
    if (n < 1) {
      return false;
    }
    int r = (int) Math.round(Math.sqrt(n));
    return r * r == n;
  }

  private static void huggingFace(Map<String, TensorSource> in, Mapper m) {
    // q, k, v of each layer and suffix, gathered before they are concatenated
    Map<String, TensorSource[]> qkv = new LinkedHashMap<>();
    for (Map.Entry<String, TensorSource> e : in.entrySet()) {
      String k = e.getKey();
      TensorSource t = e.getValue();
      if (ignoredHead(k, m)) {
        continue;
      }
      switch (k) {
        case "embeddings.cls_token" -> m.put(k, "cls_token", t, "renamed");
        case "embeddings.mask_token" -> m.ignore(k, t, "the mask token, used only by masked-"
            + "image pre-training");
        case "embeddings.register_tokens" -> m.put(k, "reg_token", t, "renamed");
        case "embeddings.position_embeddings" -> m.put(k, "pos_embed", withClassSlot(t, m),
            "renamed");
        case "embeddings.patch_embeddings.projection.weight" ->
            m.put(k, "patch_embed.proj.weight", t, "renamed");
        case "embeddings.patch_embeddings.projection.bias" ->
            m.put(k, "patch_embed.proj.bias", t, "renamed");
        case "layernorm.weight" -> m.put(k, "norm.weight", t, "renamed");
        case "layernorm.bias" -> m.put(k, "norm.bias", t, "renamed");
        default -> {
          Matcher x = HF_LAYER.matcher(k);
          if (!x.matches()) {
            m.keep(k, t);
            continue;
          }
          String b = "blocks." + x.group(1) + ".";
          String rest = x.group(2);
          Matcher a = Pattern.compile("attention\\.attention\\.(query|key|value)\\.(weight|bias)")
              .matcher(rest);
          if (a.matches()) {
            TensorSource[] slot = qkv.computeIfAbsent(b + "attn.qkv." + a.group(2),
                n -> new TensorSource[3]);
            slot[switch (a.group(1)) {
              case "query" -> 0;
              case "key" -> 1;
              default -> 2;
            }] = t;
            continue;
          }
          String target = switch (rest) {
            case "layernorm_before.weight", "norm1.weight" -> "norm1.weight";
            case "layernorm_before.bias", "norm1.bias" -> "norm1.bias";
            case "attention.output.dense.weight" -> "attn.proj.weight";
            case "attention.output.dense.bias" -> "attn.proj.bias";
            case "layer_scale1.lambda1" -> "ls1.gamma";
            case "layernorm_after.weight", "norm2.weight" -> "norm2.weight";
            case "layernorm_after.bias", "norm2.bias" -> "norm2.bias";
            case "intermediate.dense.weight", "mlp.fc1.weight" -> "mlp.fc1.weight";
            case "intermediate.dense.bias", "mlp.fc1.bias" -> "mlp.fc1.bias";
            case "output.dense.weight", "mlp.fc2.weight" -> "mlp.fc2.weight";
            case "output.dense.bias", "mlp.fc2.bias" -> "mlp.fc2.bias";
            case "layer_scale2.lambda1" -> "ls2.gamma";
            default -> null;
          };
          if (target == null) {
            m.keep(k, t);
          } else {
            m.put(k, b + target, t, "renamed");
          }
        }
      }
    }
    for (Map.Entry<String, TensorSource[]> e : qkv.entrySet()) {
      String target = e.getKey();
      TensorSource[] s = e.getValue();
      String suffix = target.substring(target.lastIndexOf('.') + 1);
      String layer = target.substring("blocks.".length(), target.indexOf(".attn"));
      String src = "encoder.layer." + layer + ".attention.attention.{query,key,value}." + suffix;
      if (s[0] == null || s[1] == null || s[2] == null
          || !Arrays.equals(s[0].shape(), s[1].shape())
          || !Arrays.equals(s[0].shape(), s[2].shape())) {
        String[] names = {"query", "key", "value"};
        for (int k = 0; k < 3; k++) {
          if (s[k] != null) {
            m.keep("encoder.layer." + layer + ".attention.attention." + names[k] + "." + suffix,
                s[k]);
          }
        }
        m.unknown.add(src + " (incomplete or of differing shapes: cannot form qkv)");
        continue;
      }
      m.put(src, target, concatRows(s), "concatenated along the output rows in q, k, v order");
    }
  }

  /** Three tensors of one shape stacked along their first axis, in order. */
  private static TensorSource concatRows(TensorSource[] parts) {
    int[] one = parts[0].shape();
    int[] shape = one.clone();
    shape[0] *= parts.length;
    return new TensorSource() {
      @Override
      public int[] shape() {
        return shape.clone();
      }

      @Override
      public String dtype() {
        return parts[0].dtype();
      }

      @Override
      public FloatTensor load() {
        int n = 1;
        for (int d : one) {
          n *= d;
        }
        float[] out = new float[n * parts.length];
        for (int k = 0; k < parts.length; k++) {
          System.arraycopy(parts[k].load().values(), 0, out, k * n, n);
        }
        return new FloatTensor(shape, out);
      }
    };
  }

  /** Collects the output and the report of one mapping. */
  private static final class Mapper {
    final Map<String, TensorSource> out = new LinkedHashMap<>();
    final Map<String, KeyMapping> mapping = new LinkedHashMap<>();
    final Set<String> ignored = new LinkedHashSet<>();
    final List<String> unknown = new ArrayList<>();

    void put(String source, String target, TensorSource t, String how) {
      out.put(target, t);
      mapped(source, target, how.isEmpty() ? "as it is" : how);
    }

    void mapped(String source, String target, String how) {
      KeyMapping km = new KeyMapping(pattern(source), pattern(target), how);
      mapping.putIfAbsent(km.source() + " -> " + km.target(), km);
    }

    void keep(String k, TensorSource t) {
      out.put(k, t);
      unknown.add(k + " " + t.shapeText());
    }

    void ignore(String k, TensorSource t, String why) {
      ignored.add(k + " " + t.shapeText() + ": " + why);
    }

    void ignoreGroup(String pattern, String why) {
      ignored.add(pattern + ": " + why);
    }

    /** A name with its block numbers as {@code {i}}, so that the report lists each rule once. */
    static String pattern(String name) {
      return INDEX.matcher(name).replaceAll(r -> ".{i}" + r.group(2));
    }
  }
}
