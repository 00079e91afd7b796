package io.github.neuroseg.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import ij.ImagePlus;
import ij.ImageStack;
import ij.io.FileSaver;
import ij.io.Opener;
import ij.measure.Calibration;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ImageJ itself (the reader inside Fiji) opens our stacks, and we open ImageJ's. */
class ImageJCompatibilityTest {
  private static final long SEED = 1254L;

  @TempDir Path tmp;

  @BeforeAll
  static void headless() {
    System.setProperty("java.awt.headless", "true");
  }

  @Test
  void imageJOpensOurStacksWithVoxelsAndCalibration() {
    qt().withFixedSeed(SEED).withExamples(25)
        .forAll(VolumeGens.volumes(integers().between(1, 24), integers().between(1, 24),
            integers().between(1, 7)))
        .checkAssert(v -> {
          int w = (int) v.width();
          int h = (int) v.height();
          int d = (int) v.depth();
          Path f = tmp.resolve("ours.tif");
          Volumes.writeTiff(v, f);
          ImagePlus imp = new Opener().openImage(f.toString());
          String why = "SEED=" + SEED + " " + VolumeGens.describe(v);
          assertNotNull(imp, why);
          assertEquals(w, imp.getWidth(), why);
          assertEquals(h, imp.getHeight(), why);
          assertEquals(d, imp.getStackSize(), why);
          Object type = v.image().getType();
          int bits = type instanceof net.imglib2.type.numeric.integer.UnsignedByteType ? 8
              : type instanceof net.imglib2.type.numeric.integer.UnsignedShortType ? 16 : 32;
          assertEquals(bits, imp.getBitDepth(), why);
          Calibration cal = imp.getCalibration();
          VoxelSize vs = v.voxelSize();
          if (!vs.equals(VoxelSize.UNIT)) {
            assertEquals(vs.x(), cal.pixelWidth, vs.x() * 1e-9, why);
            assertEquals(vs.y(), cal.pixelHeight, vs.y() * 1e-9, why);
            if (d > 1) {
              assertEquals(vs.z(), cal.pixelDepth, vs.z() * 1e-9, why);
            }
            String unit = vs.unit().equals("micron") ? "\u00b5m" : "pixel";
            assertEquals(unit, cal.getUnit(), why);
          }
          var ra = v.image().randomAccess();
          for (int z = 0; z < d; z++) {
            ImageProcessor ip = imp.getStack().getProcessor(z + 1);
            for (int y = 0; y < h; y++) {
              for (int x = 0; x < w; x++) {
                ra.setPosition(new long[] {x, y, z});
                float expected = ra.get().getRealFloat();
                float got = ip.getf(x, y);
                if (Float.floatToIntBits(expected) != Float.floatToIntBits(got)) {
                  throw new AssertionError(why + " at " + x + "," + y + "," + z + ": expected "
                      + expected + ", ImageJ read " + got);
                }
              }
            }
          }
        });
  }

  /** The layout written above 4 GiB (one IFD, contiguous slices), tried on small stacks. */
  @Test
  void oneIfdLayoutOpensWholeInImageJAndHere() {
    qt().withFixedSeed(SEED + 1).withExamples(15)
        .forAll(VolumeGens.volumes(integers().between(1, 24), integers().between(1, 24),
            integers().between(2, 7)))
        .checkAssert(v -> {
          int w = (int) v.width();
          int h = (int) v.height();
          int d = (int) v.depth();
          Path f = tmp.resolve("big-layout.tif");
          TiffWriter.write(v, f, true);
          String why = "SEED=" + (SEED + 1) + " " + VolumeGens.describe(v);
          Volume back = Volumes.read(f);
          VolumesTest.assertSameVoxels(v.image(), back.image(), why);
          VolumesTest.assertSameSize(v.voxelSize(), back.voxelSize(), why);
          ImagePlus imp = new Opener().openImage(f.toString());
          assertNotNull(imp, why);
          assertEquals(d, imp.getStackSize(), why);
          var ra = v.image().randomAccess();
          ImageProcessor last = imp.getStack().getProcessor(d);
          ra.setPosition(new long[] {w - 1, h - 1, d - 1});
          assertEquals(Float.floatToIntBits(ra.get().getRealFloat()),
              Float.floatToIntBits(last.getf(w - 1, h - 1)), why);
        });
  }

  @Test
  void weReadStacksSavedByImageJ() {
    SplittableRandom r = new SplittableRandom(SEED);
    for (int bits : new int[] {8, 16, 32}) {
      int w = 17;
      int h = 11;
      int d = 6;
      ImageStack stack = new ImageStack(w, h);
      for (int z = 0; z < d; z++) {
        ImageProcessor ip = switch (bits) {
          case 8 -> new ByteProcessor(w, h);
          case 16 -> new ShortProcessor(w, h);
          default -> new FloatProcessor(w, h);
        };
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            ip.setf(x, y, switch (bits) {
              case 8 -> r.nextInt(256);
              case 16 -> r.nextInt(65536);
              default -> (float) r.nextDouble(-1e3, 1e3);
            });
          }
        }
        stack.addSlice(ip);
      }
      ImagePlus imp = new ImagePlus("stack", stack);
      Calibration cal = imp.getCalibration();
      cal.pixelWidth = 0.31;
      cal.pixelHeight = 0.29;
      cal.pixelDepth = 1.7;
      cal.setUnit("\u00b5m");
      Path f = tmp.resolve("imagej-" + bits + ".tif");
      assertTrue(new FileSaver(imp).saveAsTiffStack(f.toString()));

      Volume v = Volumes.read(f);
      assertEquals(w, v.width());
      assertEquals(h, v.height());
      assertEquals(d, v.depth());
      // ImageJ stores x/y as rationals over 10^6: exact to about 1e-7
      assertEquals("micron", v.voxelSize().unit());
      assertEquals(0.31, v.voxelSize().x(), 1e-6);
      assertEquals(0.29, v.voxelSize().y(), 1e-6);
      assertEquals(1.7, v.voxelSize().z(), 1e-12);
      var ra = v.image().randomAccess();
      for (int z = 0; z < d; z++) {
        ImageProcessor ip = stack.getProcessor(z + 1);
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            ra.setPosition(new long[] {x, y, z});
            assertEquals(ip.getf(x, y), ra.get().getRealFloat(), bits + "-bit at " + x + ","
                + y + "," + z);
          }
        }
      }
    }
  }
}
