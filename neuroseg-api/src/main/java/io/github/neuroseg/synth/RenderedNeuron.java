package io.github.neuroseg.synth;

import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.volume.Volume;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.type.numeric.integer.UnsignedByteType;

/**
 * A rendered synthetic neuron: the microscopy-like image, its exact ground-truth mask and the tree
 * both were made from.
 *
 * @param image the 16-bit image (unsigned short counts) with the voxel size it was rendered at
 * @param mask the ground truth, 0/1 per voxel, same size as the image (see {@link GroundTruth})
 * @param tree the tree in physical units of the image's voxel size
 */
public record RenderedNeuron(
    Volume image, ArrayImg<UnsignedByteType, ByteArray> mask, NeuronTree tree) {}
