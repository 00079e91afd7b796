package io.github.neuroseg.training;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.internal.IoErrors;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.synth.GroundTruth;
import io.github.neuroseg.synth.RenderedNeuron;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.NeuroSegIOException;
import io.github.neuroseg.volume.Volumes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
  private static final Logger LOG = LoggerFactory.getLogger(LabeledVolume.class);

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

  /** Image extensions {@link #readPairs} looks for beside each SWC file, in this order. */
  public static final List<String> IMAGE_EXTENSIONS = List.of(".tif", ".tiff", ".v3draw");

  /**
   * Every SWC file of a folder with the image of the same base name beside it ({@code a.swc}
   * with {@code a.tif}, {@code a.tiff} or {@code a.v3draw}; extensions in any case), each as
   * {@link #of(Volume, NeuronTree, String)} makes it and named by the base name ({@code a}),
   * sorted by file name.
   *
   * @param folder the folder holding the pairs
   * @throws InvalidInputException when the path is not a folder, holds no SWC file, or an SWC
   *     file has no image beside it (naming the files looked for)
   * @throws io.github.neuroseg.NeuroSegIOException when the folder cannot be listed
   */
  public static List<LabeledVolume> readPairs(Path folder) {
    return readPairs(folder, PairOptions.DEFAULT);
  }

  /**
   * As {@link #readPairs(Path)}, with the SWC coordinates read as {@code options} says (voxels or
   * physical units) and each tree optionally aligned to its image first ({@link SwcAlignment});
   * the aligned shift is logged.
   *
   * @throws InvalidInputException as {@link #readPairs(Path)}, or when a tree lies outside its
   *     image
   */
  public static List<LabeledVolume> readPairs(Path folder, PairOptions options) {
    if (!Files.isDirectory(folder)) {
      throw new InvalidInputException("not a folder: " + folder);
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(folder)) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw IoErrors.cannot("list", folder, e);
    }
    List<LabeledVolume> out = new ArrayList<>();
    for (Path swc : files) {
      String name = swc.getFileName().toString();
      if (!name.toLowerCase(Locale.ROOT).endsWith(".swc")) {
        continue;
      }
      String base = name.substring(0, name.length() - 4);
      Path image = files.stream()
          .filter(f -> {
            String n = f.getFileName().toString();
            return IMAGE_EXTENSIONS.stream().anyMatch(ext -> n.length() == base.length()
                + ext.length() && n.startsWith(base) && n.substring(base.length())
                .equalsIgnoreCase(ext));
          })
          .findFirst()
          .orElseThrow(() -> new InvalidInputException("no image for " + swc + ": expected "
              + base + ".tif, .tiff or .v3draw beside it"));
      Volume volume = Volumes.read(image);
      NeuronTree tree = Swc.read(swc);
      NeuronTree voxels = options.swcInVoxels() ? tree : tree.toVoxels(volume.voxelSize());
      if (options.alignRadius() > 0) {
        SwcAlignment.Shift shift = SwcAlignment.bestShift(volume, voxels, options.alignRadius(),
            0.5);
        LOG.info("{}: aligned by ({}, {}) voxels, mean intensity along the tree {} -> {}",
            swc.getFileName(), shift.dx(), shift.dy(), shift.unshiftedIntensity(),
            shift.meanIntensity());
        voxels = voxels.translate(shift.dx(), shift.dy(), 0);
      }
      out.add(of(volume, voxels.toPhysical(volume.voxelSize()), base));
    }
    if (out.isEmpty()) {
      throw new InvalidInputException("no SWC files in " + folder);
    }
    return out;
  }

  /** A rendered synthetic neuron with its exact mask. */
  public static LabeledVolume of(RenderedNeuron rendered, String name) {
    return new LabeledVolume(rendered.image(), rendered.mask(), name);
  }
}
