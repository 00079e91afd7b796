package io.github.neuroseg.model;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.internal.Checks;
import io.github.neuroseg.training.VitArchitecture;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Weights for a {@link VitArchitecture} made from a seed: the initialisation training starts
 * from, and random weights for tests and benchmarks. Both are deterministic for the seed, and
 * every parameter draws from a random stream of its own, so that e.g. the head does not change
 * with the input depth. Each call returns a new map, in {@link VitArchitecture#weightShapes()}
 * order, that the caller owns.
 */
public final class VitWeights {
  /**
   * Initial value of every LayerScale factor of a network trained from scratch: 1e-5, as DINOv2
   * trains its ViTs (each block starts close to the identity).
   */
  public static final float LAYER_SCALE_INIT = 1e-5f;

  private VitWeights() {}

  /**
   * The initialisation of a network trained from scratch (as timm's ViT): linear weights, the
   * class token and the position embedding from a normal distribution of standard deviation
   * 0.02 truncated at two standard deviations, the patch kernel uniform in {@code +-1/sqrt(fan
   * in)}, biases 0, norm scales 1, LayerScale factors {@value #LAYER_SCALE_INIT}, register
   * tokens as the class token. The convolutions of a {@link VitArchitecture.Head#CONV}
   * decoder are normal with standard deviation {@code sqrt(2 / fan in)} (He, for the ReLUs that
   * follow them; a transposed convolution of stride = kernel has a fan in of its input channels),
   * and {@code sqrt(1 / fan in)} for the last one.
   *
   * @throws InvalidInputException when the weights need more memory than the JVM's maximum heap
   */
  public static Map<String, FloatTensor> initial(VitArchitecture a, long seed) {
    checkMemory(a);
    Map<String, FloatTensor> w = new LinkedHashMap<>();
    a.weightShapes().forEach((name, shape) -> {
      SplittableRandom rnd = stream(seed, name);
      float[] data = new float[count(shape)];
      if (name.equals("patch_embed.proj.weight")) {
        double bound = 1.0 / Math.sqrt((double) shape[2] * shape[3] * shape[4]);
        for (int i = 0; i < data.length; i++) {
          data[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
      } else if (isNormScale(name)) {
        Arrays.fill(data, 1f);
      } else if (isLayerScale(name)) {
        Arrays.fill(data, LAYER_SCALE_INIT);
      } else if (name.startsWith("head.") && shape.length == 4 && !name.endsWith(".bias")) {
        boolean transposed = name.startsWith("head.proj.") || name.startsWith("head.up");
        int fanIn = transposed ? shape[0] : shape[1] * shape[2] * shape[3];
        double std = Math.sqrt((name.startsWith("head.out.") ? 1.0 : 2.0) / fanIn);
        for (int i = 0; i < data.length; i++) {
          data[i] = (float) (std * rnd.nextGaussian());
        }
      } else if (!name.endsWith(".bias")) {
        for (int i = 0; i < data.length; i++) {
          data[i] = (float) (0.02 * truncatedGaussian(rnd));
        }
      }
      w.put(name, new FloatTensor(shape, data));
    });
    return w;
  }

  /**
   * Random weights that exercise every term of the network (non-zero biases, norm scales other
   * than 1), for tests and benchmarks: norm scales and LayerScale factors {@code 1 + spread / 3 *
   * g}, everything else
   * {@code spread * g}, with {@code g} standard normal.
   *
   * @param spread standard deviation of the weights, {@code > 0}
   * @throws InvalidInputException for a spread that is not finite and positive, or weights that
   *     need more memory than the JVM's maximum heap
   */
  public static Map<String, FloatTensor> random(VitArchitecture a, long seed, double spread) {
    Checks.positiveFinite("spread", spread);
    checkMemory(a);
    Map<String, FloatTensor> w = new LinkedHashMap<>();
    a.weightShapes().forEach((name, shape) -> {
      SplittableRandom rnd = stream(seed, name);
      boolean norm = isNormScale(name) || isLayerScale(name);
      float[] data = new float[count(shape)];
      for (int i = 0; i < data.length; i++) {
        double g = rnd.nextGaussian();
        data[i] = (float) (norm ? 1 + spread / 3 * g : spread * g);
      }
      w.put(name, new FloatTensor(shape, data));
    });
    return w;
  }

  /** Refuses, before any allocation, a network whose weights the heap could never hold. */
  private static void checkMemory(VitArchitecture a) {
    Checks.fitsHeap("the " + a.parameterCount() + " weights of " + a + " as 32-bit floats",
        Checks.product(a.parameterCount(), Float.BYTES));
  }

  private static boolean isNormScale(String name) {
    return name.endsWith("norm1.weight") || name.endsWith("norm2.weight")
        || name.equals("norm.weight");
  }

  private static boolean isLayerScale(String name) {
    return name.endsWith(".ls1.gamma") || name.endsWith(".ls2.gamma");
  }

  private static SplittableRandom stream(long seed, String name) {
    return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
  }

  private static int count(int[] shape) {
    int n = 1;
    for (int d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  private static double truncatedGaussian(SplittableRandom rnd) {
    while (true) {
      // Box-Muller; resampled outside +-2 as timm's trunc_normal_
      double u = 1 - rnd.nextDouble();
      double v = rnd.nextDouble();
      double g = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
      if (Math.abs(g) <= 2) {
        return g;
      }
    }
  }
}
