package io.github.neuroseg.trace;

/**
 * The tree fast marching leaves: a parent for every reached foreground voxel.
 *
 * @param parent the parent id of each voxel; -1 for the seeds and for voxels not reached
 * @param order the reached ids in the order they were fixed, so parents come before children;
 *     only the first {@code alive} entries are used
 * @param alive the number of reached voxels
 */
record MarchedTree(int[] parent, int[] order, int alive) {}
