package io.github.neuroseg.synth;

import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.volume.VoxelSize;

/**
 * Draws brightness-carrying tubes and balls into a float image (x fastest), with the geometry of
 * {@link GroundTruth} ({@link TubeGeometry}); overlapping shapes keep the maximum brightness.
 */
final class TubeRaster {
  private final float[] data;
  private final TubeGeometry geometry;
  private final double minR;

  TubeRaster(float[] data, int nx, int ny, int nz, VoxelSize size, double minR) {
    this.data = data;
    this.geometry = new TubeGeometry(nx, ny, nz, size);
    this.minR = minR;
  }

  /**
   * The tube a to b with brightness interpolated from {@code ia} to {@code ib}, multiplied by
   * {@code gapFactor} where the segment parameter lies in {@code [gapStart, gapEnd]}.
   */
  void tube(SwcNode a, SwcNode b, double ia, double ib, double gapStart, double gapEnd,
      double gapFactor) {
    geometry.tube(new double[] {a.x(), a.y(), a.z()}, new double[] {b.x(), b.y(), b.z()},
        a.radius(), b.radius(), minR, new Brightness(ia, ib, gapStart, gapEnd, gapFactor));
  }

  /** A ball of physical radius {@code r}, or {@code rVoxels} in voxel coordinates. */
  void ball(double[] centre, double r, double rVoxels, double bright) {
    geometry.tube(centre, centre, r, r, rVoxels, new Brightness(bright, bright, 2, -1, 1));
  }

  /** Writes the brightness at each covered voxel's segment parameter, keeping the maximum. */
  private final class Brightness implements TubeGeometry.Sink {
    private final double ia;
    private final double ib;
    private final double gapStart;
    private final double gapEnd;
    private final double gapFactor;

    Brightness(double ia, double ib, double gapStart, double gapEnd, double gapFactor) {
      this.ia = ia;
      this.ib = ib;
      this.gapStart = gapStart;
      this.gapEnd = gapEnd;
      this.gapFactor = gapFactor;
    }

    @Override
    public boolean open(int index) {
      return true;
    }

    @Override
    public void cover(int index, double t) {
      double bright = ia + t * (ib - ia);
      if (t >= gapStart && t <= gapEnd) {
        bright *= gapFactor;
      }
      if (bright > data[index]) {
        data[index] = (float) bright;
      }
    }
  }
}
