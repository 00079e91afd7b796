package io.github.neuroseg.train;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.ModelException;
import io.github.neuroseg.NeuroSegIOException;
import io.github.neuroseg.training.VitArchitecture;
import io.github.neuroseg.model.FloatTensor;
import io.github.neuroseg.model.VitWeights;
import io.github.neuroseg.training.ChannelReduction;
import io.github.neuroseg.training.Inflation;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Pretrained 2D ViT weights (DINO / timm layout) turned into the weights of the 3D network.
 *
 * <p>{@link #read(Path)} loads a {@code .safetensors} file or a {@code torch.save} checkpoint
 * (told apart by their first bytes) and maps its names to neuroseg's ({@link CheckpointLayout}:
 * wrapper prefixes dropped, Hugging Face names renamed, q, k, v concatenated). {@link #inflate}
 * then maps them onto a {@link VitArchitecture}:
 *
 * <ul>
 *   <li>{@code patch_embed.proj.weight [E, C, p, p]}: colour channels summed (or averaged, {@link
 *       ChannelReduction}), then spread over
 *       depth by the {@link Inflation} strategy into {@code [E, 1, D, p, p]} (the {@code [E, 1,
 *       1, p, p]} kernel of a neuroseg model of input depth 1 counts as a 2D kernel, so a 2D
 *       neuroseg checkpoint can be inflated too);
 *   <li>{@code pos_embed [1, 1 + G*G, E]}: the square grid resampled bicubically to the tile's
 *       token grid ({@link PositionEmbedding});
 *   <li>class token, register tokens, blocks (with their LayerScale factors) and final norm:
 *       copied;
 *   <li>the segmentation {@code head}: not part of a 2D backbone, so freshly initialised from
 *       the seed; a classification head in the checkpoint ({@code head.*}, {@code fc_norm.*},
 *       {@code head_drop.*}) is ignored.
 * </ul>
 *
 * <p>Every shape is validated; missing, unexpected and wrongly shaped keys are reported together,
 * by name, in a {@link ModelException}.
 */
final class PretrainedWeights {
  private PretrainedWeights() {}

  /**
   * Reads a checkpoint of either format, mapped to neuroseg's names (see {@link
   * PretrainedCheckpoints}); from a training checkpoint of several networks, the teacher.
   *
   * @throws FormatException when the file is neither a safetensors file nor a zip checkpoint
   * @throws ModelException when it holds no ViT with DINO / timm / Hugging Face names
   * @throws NeuroSegIOException when it cannot be read
   */
  static Map<String, FloatTensor> read(Path path) {
    return read(path, "teacher").tensors();
  }

  /**
   * A checkpoint read and mapped, with its report.
   *
   * @param report what was found
   * @param tensors the weights by neuroseg (timm) name
   */
  record Read(PretrainedCheckpoints.Report report, Map<String, FloatTensor> tensors) {}

  /**
   * Reads a checkpoint, taking network {@code part} of a training checkpoint of several.
   *
   * @throws FormatException when the file is neither format or has no such network
   * @throws ModelException when it holds no ViT with DINO / timm / Hugging Face names
   * @throws NeuroSegIOException when it cannot be read
   */
  static Read read(Path path, String part) {
    try (PretrainedCheckpoints.Loaded l = PretrainedCheckpoints.load(path, part)) {
      Map<String, FloatTensor> out = new LinkedHashMap<>();
      l.tensors().forEach((k, t) -> out.put(k, t.load()));
      return new Read(l.report(), out);
    }
  }

  /**
   * The 3D network's weights from a 2D checkpoint.
   *
   * @param checkpoint 2D weights by timm name
   * @param target the 3D network
   * @param inflation how the patch kernel is spread over depth
   * @param seed seed of the freshly initialised segmentation head
   * @throws ModelException naming every missing, unexpected or wrongly shaped key
   */
  static Map<String, FloatTensor> inflate(Map<String, FloatTensor> checkpoint,
      VitArchitecture target, Inflation inflation, long seed) {
    return inflate(checkpoint, target, inflation, ChannelReduction.SUM, seed);
  }

  /**
   * The 3D network's weights from a 2D checkpoint, the colour channels of the patch kernel
   * reduced as {@code reduction} says.
   *
   * @throws ModelException naming every missing, unexpected or wrongly shaped key
   */
  static Map<String, FloatTensor> inflate(Map<String, FloatTensor> checkpoint,
      VitArchitecture target, Inflation inflation, ChannelReduction reduction, long seed) {
    Map<String, int[]> expected = target.weightShapes();
    Map<String, FloatTensor> fresh = VitWeights.initial(target, seed);
    Map<String, FloatTensor> out = new LinkedHashMap<>();
    StateDicts.Problems problems = new StateDicts.Problems();
    int e = target.embedDim();
    int p = target.patch();
    for (Map.Entry<String, int[]> x : expected.entrySet()) {
      String k = x.getKey();
      if (k.startsWith("head.")) {
        out.put(k, fresh.get(k));
        continue;
      }
      FloatTensor t = checkpoint.get(k);
      if (t == null) {
        problems.missing(k);
        continue;
      }
      switch (k) {
        case "patch_embed.proj.weight" -> {
          if (t.shape().length == 5 && t.shape()[1] == 1 && t.shape()[2] == 1) {
            // a neuroseg 2D model (input depth 1): its Conv3d kernel is a 2D kernel
            t = new FloatTensor(new int[] {t.shape()[0], 1, t.shape()[3], t.shape()[4]},
                t.values());
          }
          int[] s = t.shape();
          if (s.length != 4 || s[0] != e || s[2] != p || s[3] != p) {
            problems.wrongShape(k, t, "a 2D kernel [" + e + ", C, " + p + ", " + p + "]");
          } else {
            out.put(k, inflateKernel(t, target.inputDepth(), inflation, reduction));
          }
        }
        case "pos_embed" -> {
          int[] s = t.shape();
          int grid = s.length == 3 ? (int) Math.round(Math.sqrt(s[1] - 1)) : -1;
          if (s.length != 3 || s[0] != 1 || s[2] != e || grid * grid != s[1] - 1) {
            problems.wrongShape(k, t, "[1, 1 + G*G, " + e + "] for a square grid G x G");
          } else {
            float[] r = PositionEmbedding.resample(t.values(), e, grid, grid, target.gridHeight(),
                target.gridWidth());
            out.put(k, new FloatTensor(x.getValue(), r));
          }
        }
        default -> {
          if (!t.hasShape(x.getValue())) {
            problems.wrongShape(k, t, Arrays.toString(x.getValue()));
          } else {
            out.put(k, t);
          }
        }
      }
    }
    for (String k : checkpoint.keySet()) {
      if (!expected.containsKey(k) && !k.startsWith("head.") && !k.startsWith("fc_norm.")
          && !k.startsWith("head_drop.")) {
        problems.unexpected(k);
      }
    }
    problems.throwIfAny("the pretrained checkpoint does not fit " + target);
    return out;
  }

  /** {@code [E, C, p, p]} to {@code [E, 1, D, p, p]}: channels summed, spread over depth. */
  static FloatTensor inflateKernel(FloatTensor k2d, int depth, Inflation inflation) {
    return inflateKernel(k2d, depth, inflation, ChannelReduction.SUM);
  }

  /**
   * {@code [E, C, p, p]} to {@code [E, 1, D, p, p]}: channels summed (or averaged), spread over
   * depth.
   */
  static FloatTensor inflateKernel(FloatTensor k2d, int depth, Inflation inflation,
      ChannelReduction reduction) {
    int e = k2d.shape()[0];
    int c = k2d.shape()[1];
    int pp = k2d.shape()[2] * k2d.shape()[3];
    float[] out = new float[e * depth * pp];
    float[] in = k2d.values();
    for (int o = 0; o < e; o++) {
      for (int i = 0; i < pp; i++) {
        double sum = 0;
        for (int ch = 0; ch < c; ch++) {
          sum += in[(o * c + ch) * pp + i];
        }
        if (reduction == ChannelReduction.MEAN) {
          sum /= c;
        }
        if (inflation == Inflation.AVERAGE) {
          for (int z = 0; z < depth; z++) {
            out[(o * depth + z) * pp + i] = (float) (sum / depth);
          }
        } else {
          out[(o * depth + depth / 2) * pp + i] = (float) sum;
        }
      }
    }
    return new FloatTensor(new int[] {e, 1, depth, k2d.shape()[2], k2d.shape()[3]}, out);
  }
}
