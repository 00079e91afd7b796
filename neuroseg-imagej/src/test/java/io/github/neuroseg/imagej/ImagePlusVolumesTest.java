package io.github.neuroseg.imagej;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.VoxelSize;
import java.util.SplittableRandom;
import net.imglib2.RandomAccess;
import net.imglib2.type.numeric.RealType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** ImageJ stacks as neuroseg volumes: the current channel and frame, shared, calibrated. */
class ImagePlusVolumesTest {
  private static final long SEED = 5150L;

  @BeforeAll
  static void headless() {
    System.setProperty("java.awt.headless", "true");
  }

  @Test
  void theCurrentChannelAndFrameOfAnyGreyHyperstack() {
    qt().withFixedSeed(SEED).withExamples(60)
        .forAll(integers().between(1, 9), integers().between(1, 9), integers().between(1, 12),
            longs().all())
        .checkAssert((w, h, czt, seed) -> {
          SplittableRandom rnd = new SplittableRandom(seed);
          int channels = 1 + czt % 3;
          int slices = 1 + czt % 4;
          int frames = 1 + czt % 2;
          int bits = new int[] {8, 16, 32}[rnd.nextInt(3)];
          ImagePlus imp = hyperstack(w, h, channels, slices, frames, bits, rnd);
          int c = 1 + rnd.nextInt(channels);
          int t = 1 + rnd.nextInt(frames);
          imp.setPosition(c, 1, t);
          String why = "SEED=" + SEED + " seed=" + seed + " " + w + "x" + h + " c" + channels
              + " z" + slices + " t" + frames + " " + bits + "-bit at c" + c + " t" + t;
          Volume v = ImagePlusVolumes.toVolume(imp);
          assertArrayEquals(new long[] {w, h, slices}, v.dimensions(), why);
          RandomAccess<? extends RealType<?>> ra = v.image().randomAccess();
          for (int z = 0; z < slices; z++) {
            ImageProcessor ip = imp.getStack().getProcessor(imp.getStackIndex(c, z + 1, t));
            for (int y = 0; y < h; y++) {
              for (int x = 0; x < w; x++) {
                ra.setPosition(new long[] {x, y, z});
                assertEquals(ip.getf(x, y), ra.get().getRealFloat(), 0.0,
                    why + " at " + x + "," + y + "," + z);
              }
            }
          }
        });
  }

  @Test
  void theVolumeIsAViewOfTheStackNotACopy() {
    ImagePlus imp = hyperstack(5, 4, 1, 3, 1, 16, new SplittableRandom(SEED));
    Volume v = ImagePlusVolumes.toVolume(imp);
    ((short[]) imp.getStack().getPixels(2))[5 * 1 + 3] = (short) 60000;
    RandomAccess<? extends RealType<?>> ra = v.image().randomAccess();
    ra.setPosition(new long[] {3, 1, 1});
    assertEquals(60000, ra.get().getRealDouble(), 0.0, "unsigned 16-bit, seen through the view");
  }

  @Test
  void calibrationBecomesTheVoxelSize() {
    assertEquals(VoxelSize.microns(0.3, 0.3, 1.5), size(0.3, 0.3, 1.5, "\u00b5m"));
    assertEquals(VoxelSize.microns(2, 2, 2), size(2, 2, 2, "um"));
    assertEquals(VoxelSize.microns(1, 1, 4), size(1, 1, 4, "micron"));
    assertEquals(new VoxelSize(1, 1, 1, "voxel"), size(1, 1, 1, "pixel"));
    assertEquals(new VoxelSize(50, 50, 200, "nm"), size(50, 50, 200, "nm"));
    InvalidInputException zero = assertThrows(InvalidInputException.class,
        () -> size(1, 1, 0, "\u00b5m"));
    assertTrue(zero.getMessage().contains("Image > Properties"), zero.getMessage());
    Calibration mixed = new Calibration();
    mixed.setUnit("\u00b5m");
    mixed.setZUnit("nm");
    assertThrows(InvalidInputException.class, () -> ImagePlusVolumes.voxelSize(mixed));
  }

  @Test
  void colourImagesAreRefusedWithAWayOut() {
    InvalidInputException rgb = assertThrows(InvalidInputException.class,
        () -> ImagePlusVolumes.toVolume(new ImagePlus("rgb", new ColorProcessor(4, 4))));
    assertTrue(rgb.getMessage().contains("Split Channels"), rgb.getMessage());
    // a palette, not a pseudo-colour ramp: what ImageJ opens indexed-colour files as
    byte[] r = new byte[256];
    byte[] g = new byte[256];
    byte[] b = new byte[256];
    SplittableRandom rnd = new SplittableRandom(SEED);
    for (int i = 0; i < 256; i++) {
      r[i] = (byte) rnd.nextInt(256);
      g[i] = (byte) rnd.nextInt(256);
      b[i] = (byte) rnd.nextInt(256);
    }
    ByteProcessor palette = new ByteProcessor(4, 4);
    palette.setColorModel(new java.awt.image.IndexColorModel(8, 256, r, g, b));
    ImagePlus indexed = new ImagePlus("indexed", palette);
    indexed.setTypeToColor256();
    assertEquals(ImagePlus.COLOR_256, indexed.getType());
    InvalidInputException lut = assertThrows(InvalidInputException.class,
        () -> ImagePlusVolumes.toVolume(indexed));
    assertTrue(lut.getMessage().contains("indexed"), lut.getMessage());
  }

  private static VoxelSize size(double x, double y, double z, String unit) {
    Calibration cal = new Calibration();
    cal.pixelWidth = x;
    cal.pixelHeight = y;
    cal.pixelDepth = z;
    cal.setUnit(unit);
    return ImagePlusVolumes.voxelSize(cal);
  }

  private static ImagePlus hyperstack(int w, int h, int channels, int slices, int frames,
      int bits, SplittableRandom rnd) {
    ImageStack stack = new ImageStack(w, h);
    for (int i = 0; i < channels * slices * frames; i++) {
      ImageProcessor ip = switch (bits) {
        case 8 -> new ByteProcessor(w, h);
        case 16 -> new ShortProcessor(w, h);
        default -> new FloatProcessor(w, h);
      };
      for (int p = 0; p < w * h; p++) {
        ip.setf(p, bits == 8 ? rnd.nextInt(256) : bits == 16 ? rnd.nextInt(65536)
            : (float) rnd.nextGaussian() * 1000);
      }
      stack.addSlice(null, ip);
    }
    ImagePlus imp = new ImagePlus("stack", stack);
    imp.setDimensions(channels, slices, frames);
    return imp;
  }
}
