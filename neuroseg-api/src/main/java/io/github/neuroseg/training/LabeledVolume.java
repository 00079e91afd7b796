package io.github.neuroseg.training;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.synth.GroundTruth;
import io.github.neuroseg.synth.RenderedNeuron;
import io.github.neuroseg.volume.Volume;
import java.nio.file.Path;
import java.util.Arrays;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import org.jspecify.annotations.Nullable;

/**
 * One training example: an image and its binary ground-truth mask of the same size (non-zero =
 * neuron), usually rendered from an SWC reconstruction with {@link GroundTruth}.
 *
 * @param image the microscopy volume
 * @param mask the ground truth, same size as the image
 * @param name a label for messages and reports
 */
public record LabeledVolume(
    Volume image, RandomAccessibleInterval<? extends RealType<?>> mask, String name) {

  /**
   * Checks that image and mask agree in size.
   *
   * @throws InvalidInputException when they do not
   */
  public LabeledVolume {
    long[] a = image.dimensions();
    long[] b = mask.dimensionsAsLongArray();
    if (!Arrays.equals(a, b)) {
      throw new InvalidInputException("mask size " + Arrays.toString(b)
          + " differs from the image size " + Arrays.toString(a) + " of " + name);
    }
  }

  /**
   * The image with the ground truth rendered from {@code tree}, whose coordinates are physical
   * units of the image's voxel size.
   *
   * @throws InvalidInputException when a node lies outside the image (more than one voxel past
   *     its border)
   */
  public static LabeledVolume of(Volume image, NeuronTree tree, @Nullable String name) {
    String label = name != null ? name : (image.name() != null ? image.name() : "volume");
    long[] dims = image.dimensions();
    double[] vs = {image.voxelSize().x(), image.voxelSize().y(), image.voxelSize().z()};
    if (tree.isEmpty()) {
      throw new InvalidInputException("the reconstruction of " + label + " has no nodes");
    }
    for (SwcNode n : tree.nodes()) {
      double[] p = {n.x() / vs[0], n.y() / vs[1], n.z() / vs[2]};
      for (int d = 0; d < 3; d++) {
        if (!(p[d] >= -1 && p[d] <= dims[d])) {
          throw new InvalidInputException("SWC node " + n.id() + " at voxel (" + p[0] + ", "
              + p[1] + ", " + p[2] + ") lies outside the image " + Arrays.toString(dims)
              + " of " + label + "; coordinates must be in units of the voxel size "
              + image.voxelSize());
        }
      }
    }
    return new LabeledVolume(image, GroundTruth.render(tree, dims, image.voxelSize()), label);
  }

  /** The image with the ground truth of an SWC file (see {@link #of(Volume, NeuronTree, String)}). */
  public static LabeledVolume of(Volume image, Path swc) {
    return of(image, Swc.read(swc), swc.getFileName().toString());
  }

  /** A rendered synthetic neuron with its exact mask. */
  public static LabeledVolume of(RenderedNeuron rendered, String name) {
    return new LabeledVolume(rendered.image(), rendered.mask(), name);
  }
}
