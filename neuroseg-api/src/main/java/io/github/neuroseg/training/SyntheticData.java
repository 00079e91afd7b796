package io.github.neuroseg.training;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.NeuroSegException;
import io.github.neuroseg.internal.Checks;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.synth.NeuronGenerator;
import io.github.neuroseg.synth.NeuronRenderer;
import io.github.neuroseg.synth.TreeFitting;
import io.github.neuroseg.volume.VoxelSize;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;

/**
 * Training volumes rendered from neuron trees: real reconstructions fitted into the volume (so
 * their shape and branching are real; radii scaled and clamped to {@value #FIT_MAX_RADIUS} voxels) and seeded generated neurons, each rendered with
 * {@link NeuronRenderer} (blur, background, noise, distractors) and its exact mask. The same seed
 * gives the same volumes.
 */
public final class SyntheticData {
  /** Margin in voxels between a fitted reconstruction and the volume's border. */
  public static final int FIT_MARGIN = 3;

  /**
   * Largest neurite radius in voxels after fitting: thick reconstructions scaled into a small
   * volume would otherwise fill it (one shared file became 45% foreground at the default 12).
   */
  public static final double FIT_MAX_RADIUS = 3;

  /** Bright blobs that are not neuron, per volume. */
  public static final int DISTRACTORS = 4;

  private SyntheticData() {}

  /**
   * Renders every readable reconstruction in {@code swcFiles} plus {@code generated} generated
   * neurons into volumes of size {@code dims} with unit voxels.
   *
   * @param swcFiles real reconstructions, fitted into the volume
   * @param generated how many generated neurons to add
   * @param dims volume size {@code x, y, z} in voxels
   * @param seed seed of the generator and the renderer
   * @param skipped told of each file that cannot be read or fitted (it is left out)
   * @return the labelled volumes, files first (in the given order), then generated neurons
   * @throws InvalidInputException for a size that is not 3 positive numbers or a negative count
   */
  public static List<LabeledVolume> render(List<Path> swcFiles, int generated, long[] dims,
      long seed, BiConsumer<Path, NeuroSegException> skipped) {
    checkSizes(generated, dims);
    List<LabeledVolume> v = new ArrayList<>();
    long k = 0;
    for (Path f : swcFiles) {
      k++;
      try {
        NeuronTree t = TreeFitting.fit(Swc.read(f), dims, VoxelSize.UNIT, FIT_MARGIN,
            TreeFitting.DEFAULT_MIN_RADIUS_VOXELS, FIT_MAX_RADIUS);
        v.add(LabeledVolume.of(renderer(seed * 1000 + k).render(t, dims, VoxelSize.UNIT),
            f.getFileName().toString()));
      } catch (NeuroSegException e) {
        skipped.accept(f, e);
      }
    }
    for (int i = 0; i < generated; i++) {
      NeuronTree t = NeuronGenerator.newBuilder().bounds(dims[0], dims[1], dims[2])
          .seed(seed * 7919 + i).build().generate();
      v.add(LabeledVolume.of(renderer(seed * 2000 + i).render(t, dims, VoxelSize.UNIT),
          "generated-" + i));
    }
    return v;
  }

  /**
   * As {@link #render}, but every volume gets its own randomly drawn microscopy look (see the
   * class description of the looks: contrast-to-noise 1 to 20, noisy floor or pre-masked zero
   * background, structured background, bright blobs, other fibres in the image but not in the
   * label, dim and broken branches, z steps of 1 to 3 voxels, 8- or 16-bit storage), so that a
   * network trained on them meets real stacks prepared in many ways. Each volume's look is
   * reported to {@code looks} (name and a one-line description).
   *
   * @throws InvalidInputException for a size that is not 3 positive numbers or a negative count
   */
  public static List<LabeledVolume> randomized(List<Path> swcFiles, int generated, long[] dims,
      long seed, BiConsumer<Path, NeuroSegException> skipped,
      BiConsumer<String, String> looks) {
    checkSizes(generated, dims);
    List<LabeledVolume> v = new ArrayList<>();
    SplittableRandom r = new SplittableRandom(seed);
    long k = 0;
    for (Path f : swcFiles) {
      k++;
      try {
        NeuronTree t = TreeFitting.fit(Swc.read(f), dims, VoxelSize.UNIT, FIT_MARGIN,
            TreeFitting.DEFAULT_MIN_RADIUS_VOXELS, FIT_MAX_RADIUS);
        String name = f.getFileName().toString() + "~" + k;
        MicroscopyLooks.Look look = MicroscopyLooks.draw(r.split());
        v.add(MicroscopyLooks.render(t, dims, look, seed * 1000 + k, name));
        looks.accept(name, look.describe());
      } catch (NeuroSegException e) {
        skipped.accept(f, e);
      }
    }
    for (int i = 0; i < generated; i++) {
      NeuronTree t = NeuronGenerator.newBuilder().bounds(dims[0], dims[1], dims[2])
          .seed(seed * 7919 + i).build().generate();
      String name = "generated-" + i;
      MicroscopyLooks.Look look = MicroscopyLooks.draw(r.split());
      v.add(MicroscopyLooks.render(t, dims, look, seed * 2000 + i, name));
      looks.accept(name, look.describe());
    }
    return v;
  }

  private static NeuronRenderer renderer(long seed) {
    return NeuronRenderer.newBuilder().seed(seed).distractors(DISTRACTORS).build();
  }

  private static void checkSizes(int generated, long[] dims) {
    if (dims.length != 3 || dims[0] <= 0 || dims[1] <= 0 || dims[2] <= 0) {
      throw new InvalidInputException("volume size must be 3 positive numbers, got "
          + Arrays.toString(dims));
    }
    Checks.atLeast("generated neurons", generated, 0);
  }
}
