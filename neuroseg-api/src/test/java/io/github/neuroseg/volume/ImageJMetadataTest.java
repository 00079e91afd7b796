package io.github.neuroseg.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;

import ij.ImagePlus;
import ij.ImageStack;
import ij.io.FileInfo;
import ij.io.FileOpener;
import ij.io.FileSaver;
import ij.measure.Calibration;
import ij.process.ByteProcessor;
import io.github.neuroseg.FormatException;
import io.github.neuroseg.volume.ImageJMetadata.Layout;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * ImageJ's image description, checked against ImageJ 1.54f itself: ImageJ's description parser
 * reads what we write, and we read the hyperstack layout and calibration that ImageJ writes.
 */
class ImageJMetadataTest {
  private static final long SEED = 3141L;

  @BeforeAll
  static void headless() {
    System.setProperty("java.awt.headless", "true");
  }

  private record Written(VoxelSize voxelSize, int depth, SampleKind kind, double min,
      double max) {}

  private static Gen<Written> written() {
    Gen<Double> exponents = doubles().between(-3, 3);
    Gen<VoxelSize> sizes = exponents.zip(exponents, exponents,
        Generate.pick(List.of("micron", "voxel", "nm")),
        (x, y, z, unit) -> new VoxelSize(Math.pow(10, x), Math.pow(10, y), Math.pow(10, z),
            unit));
    // the display range: a finite value, or one that must be left out (unknown, infinite)
    Gen<Double> bound = Generate.frequency(Pair.of(4, doubles().between(-1e6, 1e6)),
        Pair.of(1, Generate.pick(List.of(Double.NaN, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY, 0.0, 65535.0))));
    return sizes.zip(integers().between(1, 300),
        Generate.pick(List.of(SampleKind.U8, SampleKind.U16, SampleKind.F32)), bound, bound,
        Written::new);
  }

  @Test
  void imageJReadsTheDescriptionsWeWrite() {
    qt().withFixedSeed(SEED).withExamples(200).forAll(written()).checkAssert(c -> {
      String desc = ImageJMetadata.description(c.voxelSize(), c.depth(), c.kind(), c.min(),
          c.max());
      String why = "SEED=" + SEED + " " + c + ":\n" + desc;
      FileInfo fi = new FileInfo();
      fi.description = desc;
      Properties p = new FileOpener(fi).decodeDescriptionString(fi);
      assertNotNull(p, why);
      String unit = switch (c.voxelSize().unit()) {
        case "micron" -> "\u00b5m";
        case "voxel" -> "pixel";
        default -> c.voxelSize().unit();
      };
      assertEquals(unit, fi.unit, why);
      assertEquals(c.voxelSize().z(), fi.pixelDepth, why);
      assertEquals(c.depth(), fi.nImages, why);
      boolean range = c.kind() != SampleKind.U8 && c.min() <= c.max()
          && Double.isFinite(c.min()) && Double.isFinite(c.max());
      if (range) {
        assertEquals(c.min(), Double.parseDouble(p.getProperty("min")), why);
        assertEquals(c.max(), Double.parseDouble(p.getProperty("max")), why);
      } else {
        assertNull(p.getProperty("min"), why);
        assertNull(p.getProperty("max"), why);
      }
      // and we read back what we wrote (x and y travel in the resolution tags)
      VoxelSize vs = c.voxelSize();
      assertEquals(vs, ImageJMetadata.voxelSize(desc, vs.x(), vs.y(), 1), why);
      assertEquals(Layout.plain(c.depth()),
          ImageJMetadata.layout(desc, c.depth(), false, "test.tif", 0), why);
    });
  }

  private record Hyper(int channels, int slices, int frames, String unit, double width,
      double height, double depth) {}

  /** Units as ImageJ users set them, with the factor to microns and the unit we report. */
  private static final Map<String, Pair<Double, String>> UNITS = Map.of(
      "\u00b5m", Pair.of(1.0, "micron"), "um", Pair.of(1.0, "micron"),
      "micron", Pair.of(1.0, "micron"), "mm", Pair.of(1e3, "micron"),
      "cm", Pair.of(1e4, "micron"), "inch", Pair.of(25400.0, "micron"),
      "pixel", Pair.of(1.0, "voxel"), "nm", Pair.of(1.0, "nm"));

  @Test
  void weReadTheLayoutAndCalibrationOfImageJHyperstacks() {
    Gen<Double> sizes = doubles().between(0.01, 100);
    Gen<int[]> shapes = integers().between(1, 4).zip(integers().between(2, 6),
        integers().between(1, 4), (c, z, t) -> new int[] {c, z, t});
    Gen<Hyper> hypers = shapes.zip(Generate.pick(List.copyOf(UNITS.keySet())), sizes, sizes,
        sizes, (s, unit, w, h, d) -> new Hyper(s[0], s[1], s[2], unit, w, h, d));
    qt().withFixedSeed(SEED + 1).withExamples(60).forAll(hypers).checkAssert(c -> {
      int images = c.channels() * c.slices() * c.frames();
      ImageStack stack = new ImageStack(2, 2);
      for (int i = 0; i < images; i++) {
        stack.addSlice(new ByteProcessor(2, 2));
      }
      ImagePlus imp = new ImagePlus("hyper", stack);
      imp.setDimensions(c.channels(), c.slices(), c.frames());
      imp.setOpenAsHyperStack(true);
      Calibration cal = imp.getCalibration();
      cal.pixelWidth = c.width();
      cal.pixelHeight = c.height();
      cal.pixelDepth = c.depth();
      cal.setUnit(c.unit());
      String desc = new FileSaver(imp).getDescriptionString();
      String why = "SEED=" + (SEED + 1) + " " + c + ":\n" + desc;
      assertEquals(new Layout(c.channels(), c.slices(), c.frames()),
          ImageJMetadata.layout(desc, images, false, "test.tif", 0), why);
      double f = UNITS.get(c.unit())._1;
      VoxelSize vs = ImageJMetadata.voxelSize(desc, c.width(), c.height(), 1);
      assertEquals(UNITS.get(c.unit())._2, vs.unit(), why);
      assertEquals(c.width() * f, vs.x(), c.width() * f * 1e-12, why);
      assertEquals(c.height() * f, vs.y(), c.height() * f * 1e-12, why);
      assertEquals(c.depth() * f, vs.z(), c.depth() * f * 1e-12, why);
    });
  }

  @Test
  void propertiesAreTrimmedKeyValueLines() {
    assertEquals(Map.of("ImageJ", "1.54f", "unit", "\\u00B5m", "a", "b=c"),
        ImageJMetadata.properties("ImageJ=1.54f\n unit = \\u00B5m \nno value here\n=x\na=b=c\n"));
  }

  @Test
  void layoutsThatTheFileCannotHoldAreRefused() {
    // a contiguous stack over 4 GiB: one IFD, ten slices announced
    String ten = "ImageJ=1.54f\nimages=10\nslices=10\n";
    assertEquals(Layout.plain(10), ImageJMetadata.layout(ten, 1, false, "s.tif", 8));
    var compressed = assertThrows(FormatException.class,
        () -> ImageJMetadata.layout(ten, 1, true, "s.tif", 8));
    assertEquals("s.tif at byte 8: ImageJ description says 10 images but the file has 1"
        + " compressed pages", compressed.getMessage());
    var tooMany = assertThrows(FormatException.class, () -> ImageJMetadata.layout(
        "ImageJ=1.54f\nimages=4\nchannels=2\nslices=3\n", 4, false, "h.tif", 8));
    assertTrue(tooMany.getMessage().contains("2 channels x 3 slices x 1 frames but the file"
        + " holds 4 images"), tooMany.getMessage());
    assertThrows(FormatException.class, () -> ImageJMetadata.layout(
        "ImageJ=1.54f\nchannels=0\n", 4, false, "h.tif", 8));
    // numbers that do not parse fall back to the page count
    assertEquals(Layout.plain(5),
        ImageJMetadata.layout("ImageJ=1.54f\nslices=many\n", 5, false, "p.tif", 8));
  }

  @Test
  void calibrationDefaultsAndOddSpacings() {
    // no unit: centimetres when the TIFF resolution unit says so, else pixels
    assertEquals(new VoxelSize(1e4, 2e4, 1e4, "micron"),
        ImageJMetadata.voxelSize("ImageJ=1.54f\n", 1, 2, 3));
    assertEquals(new VoxelSize(0.5, 0.5, 1, "voxel"),
        ImageJMetadata.voxelSize("ImageJ=1.54f\n", 0.5, 0.5, 2));
    assertEquals(2.5, ImageJMetadata.voxelSize("ImageJ=1\nunit=um\nspacing=-2.5\n", 1, 1, 1).z());
    assertEquals(1, ImageJMetadata.voxelSize("ImageJ=1\nunit=um\nspacing=0\n", 1, 1, 1).z());
    assertThrows(NumberFormatException.class,
        () -> ImageJMetadata.voxelSize("ImageJ=1\nspacing=abc\n", 1, 1, 1));
  }

  @Test
  void aSingleByteSliceNeedsNoStackKeysAndNoRange() {
    String d = ImageJMetadata.description(VoxelSize.UNIT, 1, SampleKind.U8, 0, 255);
    assertEquals("ImageJ=1.11a\nunit=pixel\nloop=false\n", d);
    assertTrue(ImageJMetadata.isImageJ(d));
    assertFalse(ImageJMetadata.isImageJ("<OME>"));
    assertFalse(ImageJMetadata.isImageJ(null));
  }
}
