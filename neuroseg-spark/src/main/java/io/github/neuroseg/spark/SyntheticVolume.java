package io.github.neuroseg.spark;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.VoxelSize;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.imglib2.img.basictypeaccess.array.ShortArray;
import net.imglib2.img.cell.Cell;
import net.imglib2.img.cell.CellGrid;
import net.imglib2.img.cell.LazyCellImg;
import net.imglib2.type.numeric.integer.UnsignedShortType;

/**
 * A generated 16-bit volume of any size that is never held in memory: a lazy image whose cells
 * are drawn when first read, so that it can be written block by block as a chunked store.
 * Neurons are a bright soma and a few wandering neurites each (tubes of radius 1.5 to 3 voxels),
 * over a noisy background; the same seed gives the same voxels.
 */
final class SyntheticVolume {
  private SyntheticVolume() {}

  /** A tube piece: two centre points and a radius, in voxels. */
  private record Segment(double[] a, double[] b, double r) {}

  /** The volume: {@code neurons} neurons spread over {@code w x h x d} voxels. */
  static Volume of(long w, long h, long d, int neurons, long seed) {
    if (w < 1 || h < 1 || d < 1 || neurons < 0) {
      throw new InvalidInputException("a generated volume needs sizes >= 1 and neurons >= 0, got "
          + w + " x " + h + " x " + d + " and " + neurons);
    }
    SplittableRandom r = new SplittableRandom(seed);
    List<Segment> segs = new ArrayList<>();
    for (int n = 0; n < neurons; n++) {
      double[] soma = {r.nextDouble(0.1, 0.9) * w, r.nextDouble(0.1, 0.9) * h,
          r.nextDouble(0.2, 0.8) * d};
      segs.add(new Segment(soma, soma, Math.max(3, Math.min(8, 0.02 * Math.min(w, h)))));
      int neurites = r.nextInt(2, 5);
      for (int k = 0; k < neurites; k++) {
        double[] p = soma.clone();
        double theta = r.nextDouble(0, 2 * Math.PI);
        double phi = r.nextDouble(-0.3, 0.3);
        double radius = r.nextDouble(1.5, 3);
        int steps = (int) (0.4 * Math.max(w, h) / 4);
        for (int s = 0; s < steps; s++) {
          theta += r.nextDouble(-0.25, 0.25);
          phi = Math.max(-0.6, Math.min(0.6, phi + r.nextDouble(-0.1, 0.1)));
          double[] q = {p[0] + 4 * Math.cos(theta) * Math.cos(phi),
              p[1] + 4 * Math.sin(theta) * Math.cos(phi), p[2] + 4 * Math.sin(phi)};
          if (q[0] < 0 || q[1] < 0 || q[2] < 0 || q[0] >= w || q[1] >= h || q[2] >= d) {
            break;
          }
          segs.add(new Segment(p, q, radius));
          p = q;
          radius = Math.max(1.2, radius * 0.995);
        }
      }
    }
    int[] cell = {(int) Math.min(64, w), (int) Math.min(64, h), (int) Math.min(64, d)};
    CellGrid grid = new CellGrid(new long[] {w, h, d}, cell);
    LazyCellImg<UnsignedShortType, ShortArray> img = new LazyCellImg<>(grid,
        new UnsignedShortType(), index -> {
          long[] min = new long[3];
          int[] size = new int[3];
          long[] gpos = new long[3];
          grid.getCellGridPositionFlat(index, gpos);
          grid.getCellDimensions(gpos, min, size);
          return new Cell<>(size, min, draw(min, size, segs, seed));
        });
    return new Volume(img, VoxelSize.microns(1, 1, 1), "generated", Map.of());
  }

  /** One cell: hashed background noise, then every tube piece that reaches into the cell. */
  private static ShortArray draw(long[] min, int[] size, List<Segment> segs, long seed) {
    short[] v = new short[size[0] * size[1] * size[2]];
    for (int z = 0; z < size[2]; z++) {
      for (int y = 0; y < size[1]; y++) {
        for (int x = 0; x < size[0]; x++) {
          long h = ((min[0] + x) * 0x9E3779B97F4A7C15L) ^ ((min[1] + y) * 0xC2B2AE3D27D4EB4FL)
              ^ ((min[2] + z) * 0x165667B19E3779F9L) ^ seed;
          h ^= h >>> 29;
          h *= 0xBF58476D1CE4E5B9L;
          h ^= h >>> 32;
          v[(z * size[1] + y) * size[0] + x] = (short) (100 + (h & 63));
        }
      }
    }
    for (Segment s : segs) {
      int[] lo = new int[3];
      int[] hi = new int[3];
      boolean inside = true;
      for (int d = 0; d < 3 && inside; d++) {
        double a = Math.min(s.a()[d], s.b()[d]) - s.r() - 1;
        double b = Math.max(s.a()[d], s.b()[d]) + s.r() + 1;
        lo[d] = (int) Math.max(0, Math.floor(a - min[d]));
        hi[d] = (int) Math.min(size[d] - 1, Math.ceil(b - min[d]));
        inside = lo[d] <= hi[d];
      }
      if (!inside) {
        continue;
      }
      double[] ab = {s.b()[0] - s.a()[0], s.b()[1] - s.a()[1], s.b()[2] - s.a()[2]};
      double len2 = ab[0] * ab[0] + ab[1] * ab[1] + ab[2] * ab[2];
      for (int z = lo[2]; z <= hi[2]; z++) {
        for (int y = lo[1]; y <= hi[1]; y++) {
          for (int x = lo[0]; x <= hi[0]; x++) {
            double px = min[0] + x - s.a()[0];
            double py = min[1] + y - s.a()[1];
            double pz = min[2] + z - s.a()[2];
            double t = len2 == 0 ? 0
                : Math.max(0, Math.min(1, (px * ab[0] + py * ab[1] + pz * ab[2]) / len2));
            double dx = px - t * ab[0];
            double dy = py - t * ab[1];
            double dz = pz - t * ab[2];
            double dist = Math.sqrt(dx * dx + dy * dy + dz * dz);
            if (dist <= s.r() + 1) {
              // a soft edge over the last voxel
              int bright = (int) (900 * Math.min(1, s.r() + 1 - dist));
              int i = (z * size[1] + y) * size[0] + x;
              v[i] = (short) Math.max(v[i] & 0xffff, 100 + bright);
            }
          }
        }
      }
    }
    return new ShortArray(v);
  }
}
