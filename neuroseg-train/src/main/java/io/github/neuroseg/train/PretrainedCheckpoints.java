package io.github.neuroseg.train;

import io.github.neuroseg.ModelException;
import io.github.neuroseg.model.FloatTensor;
import io.github.neuroseg.training.VitArchitecture;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a pretrained 2D ViT checkpoint ({@code .safetensors} or {@code torch.save} {@code .pth},
 * DINO / timm parameter names) holds, read before any training starts, so that a caller can size
 * the 3D network to it.
 */
public final class PretrainedCheckpoints {
  private PretrainedCheckpoints() {}

  /**
   * The 3D network that inflates this checkpoint: its width, blocks and patch come from the
   * checkpoint's tensors; the heads (which a state dict does not record), the input depth and the
   * tile are the caller's.
   *
   * @param checkpoint the 2D checkpoint
   * @param heads attention heads of the checkpoint's network (6 for ViT-S, 12 for ViT-B)
   * @throws ModelException when the file has no {@code cls_token}, patch kernel or blocks
   * @throws io.github.neuroseg.FormatException when the file is neither format
   * @throws io.github.neuroseg.InvalidInputException when the sizes break the architecture's
   *     rules (e.g. a tile that is not a multiple of the patch)
   */
  public static VitArchitecture architecture(Path checkpoint, int heads, int inputDepth,
      int tileHeight, int tileWidth) {
    Map<String, FloatTensor> ck = PretrainedWeights.read(checkpoint);
    FloatTensor cls = ck.get("cls_token");
    FloatTensor kernel = ck.get("patch_embed.proj.weight");
    if (cls == null || kernel == null) {
      throw new ModelException(checkpoint + " has no cls_token or patch_embed.proj.weight: it "
          + "is not a ViT checkpoint with DINO / timm parameter names (keys: "
          + ck.keySet().stream().limit(8).toList() + (ck.size() > 8 ? ", ..." : "") + ")");
    }
    int layers = 0;
    while (ck.containsKey("blocks." + layers + ".norm1.weight")) {
      layers++;
    }
    if (layers == 0) {
      throw new ModelException(checkpoint + " has no transformer blocks (blocks.0.norm1.weight)");
    }
    int e = cls.shape()[cls.shape().length - 1];
    int p = kernel.shape()[kernel.shape().length - 1];
    return VitArchitecture.of(e, layers, heads, p, inputDepth, tileHeight, tileWidth);
  }
}
