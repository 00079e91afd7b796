/**
 * 3D images with physical voxel size ({@link io.github.neuroseg.volume.Volume}) and their file
 * formats: multi-page TIFF stacks and Vaa3D {@code .v3draw}.
 */
@NullMarked
package io.github.neuroseg.volume;

import org.jspecify.annotations.NullMarked;
