package io.github.neuroseg.train;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.ModelException;
import io.github.neuroseg.NeuroSegIOException;
import io.github.neuroseg.internal.IoErrors;
import io.github.neuroseg.training.VitArchitecture;
import io.github.neuroseg.model.FloatTensor;
import io.github.neuroseg.model.VitWeights;
import io.github.neuroseg.training.Inflation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Pretrained 2D ViT weights (DINO / timm layout) turned into the weights of the 3D network.
 *
 * <p>{@link #read(Path)} loads a {@code .safetensors} file or a {@code torch.save} checkpoint
 * (told apart by their first bytes), strips the wrapper prefixes {@code module.} and {@code
 * backbone.}. {@link #inflate} then maps them onto a {@link VitArchitecture}:
 *
 * <ul>
 *   <li>{@code patch_embed.proj.weight [E, C, p, p]}: colour channels summed, then spread over
 *       depth by the {@link Inflation} strategy into {@code [E, 1, D, p, p]} (the {@code [E, 1,
 *       1, p, p]} kernel of a neuroseg model of input depth 1 counts as a 2D kernel, so a 2D
 *       neuroseg checkpoint can be inflated too);
 *   <li>{@code pos_embed [1, 1 + G*G, E]}: the square grid resampled bicubically to the tile's
 *       token grid ({@link PositionEmbedding});
 *   <li>class token, blocks and final norm: copied;
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
   * Reads a checkpoint of either format.
   *
   * @throws FormatException when the file is neither a safetensors file nor a zip checkpoint
   * @throws NeuroSegIOException when it cannot be read
   */
  static Map<String, FloatTensor> read(Path path) {
    byte[] head = new byte[8];
    int n;
    try (InputStream in = Files.newInputStream(path)) {
      n = in.readNBytes(head, 0, 8);
    } catch (IOException e) {
      throw IoErrors.cannotRead(path, e);
    }
    Map<String, FloatTensor> raw;
    if (n >= 2 && head[0] == 'P' && head[1] == 'K') {
      raw = TorchCheckpoint.read(path);
    } else if (n == 8) {
      raw = SafeTensors.read(path).tensors();
    } else {
      throw FormatException.of(path.toString(), "file of " + n
          + " bytes is neither safetensors nor a torch.save zip checkpoint");
    }
    Map<String, FloatTensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, FloatTensor> e : raw.entrySet()) {
      String k = e.getKey();
      for (String prefix : new String[] {"module.", "backbone."}) {
        if (k.startsWith(prefix)) {
          k = k.substring(prefix.length());
        }
      }
      out.put(k, e.getValue());
    }
    return out;
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
            out.put(k, inflateKernel(t, target.inputDepth(), inflation));
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
    problems.throwIfAny("the pretrained checkpoint does not fit a ViT with E=" + e + ", "
        + target.layers() + " blocks, patch " + p);
    return out;
  }

  /** {@code [E, C, p, p]} to {@code [E, 1, D, p, p]}: channels summed, spread over depth. */
  static FloatTensor inflateKernel(FloatTensor k2d, int depth, Inflation inflation) {
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
