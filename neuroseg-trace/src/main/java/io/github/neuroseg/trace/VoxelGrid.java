package io.github.neuroseg.trace;

import io.github.neuroseg.volume.VoxelSize;

/**
 * The foreground with its voxel size and distance transform: the geometry every stage of a trace
 * measures with. Lengths "in voxels" are physical lengths divided by {@link #unit}, the mean
 * in-plane voxel size, the convention SWC radii use.
 */
final class VoxelGrid {
  final ForegroundSet fg;
  final VoxelSize vs;
  final double vx;
  final double vy;
  final double vz;
  /** Lengths in "voxels" are physical lengths divided by this (mean in-plane voxel size). */
  final double unit;
  /** Distance of every foreground voxel to the background, physical units. */
  final float[] edt;
  /**
   * Where voxel (0, 0, 0) of the foreground lies in the volume it was cut from (0 for a whole
   * volume): output coordinates are the volume's.
   */
  final long ox;
  final long oy;
  final long oz;

  VoxelGrid(ForegroundSet fg, VoxelSize vs, float[] edt) {
    this(fg, vs, edt, new long[3]);
  }

  VoxelGrid(ForegroundSet fg, VoxelSize vs, float[] edt, long[] origin) {
    this.ox = origin[0];
    this.oy = origin[1];
    this.oz = origin[2];
    this.fg = fg;
    this.vs = vs;
    this.vx = vs.x();
    this.vy = vs.y();
    this.vz = vs.z();
    this.unit = (vx + vy) / 2;
    this.edt = edt;
  }

  /** The foreground and its exact distance transform. */
  static VoxelGrid of(ForegroundSet fg, VoxelSize vs, long[] origin) {
    return new VoxelGrid(fg, vs, DistanceTransform.compute(fg, vs.x(), vs.y(), vs.z()), origin);
  }

  int size() {
    return fg.size();
  }

  /** Distance between two voxel centres, in voxels. */
  double length(int a, int b) {
    double dx = (fg.x(a) - fg.x(b)) * vx;
    double dy = (fg.y(a) - fg.y(b)) * vy;
    double dz = (fg.z(a) - fg.z(b)) * vz;
    return Math.sqrt(dx * dx + dy * dy + dz * dz) / unit;
  }

  /** Radius (physical) of a node: EDT less half a voxel, at least half a voxel. */
  double radius(int id) {
    double half = 0.5 * Math.min(vx, vy);
    return Math.max(half, edt[id] - half);
  }
}
