package io.github.neuroseg.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.volume.TiffStructure.Page;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where a TIFF's voxel size comes from, in the order docs/io.md gives, and unit spellings. */
class TiffCalibrationTest {

  /** A first page with resolution tags (pixels per unit) and a resolution unit. */
  private static Page page(double xres, double yres, long unit) {
    Map<Integer, Object> tags = new HashMap<>();
    tags.put(TiffStructure.X_RESOLUTION, new double[] {xres});
    tags.put(TiffStructure.Y_RESOLUTION, new double[] {yres});
    tags.put(TiffStructure.RESOLUTION_UNIT, new long[] {unit});
    return new Page(8, tags);
  }

  @Test
  void everySpellingOfMicrometreIsMicron() {
    for (String u : new String[] {"micron", "microns", "um", "UM", " \u00b5m ", "\u03bcm",
        "\\u00B5m", "micrometer", "micrometre"}) {
      assertEquals(new VoxelSize(0.5, 0.25, 2, "micron"),
          TiffCalibration.calibrated(0.5, 0.25, 2, u), u);
    }
    for (String u : new String[] {"pixel", "pixels", "", "voxel"}) {
      assertEquals(new VoxelSize(0.5, 0.25, 2, "voxel"),
          TiffCalibration.calibrated(0.5, 0.25, 2, u), u);
    }
  }

  @Test
  void lengthUnitsBecomeMicronsAndOthersStay() {
    assertEquals(new VoxelSize(1e4, 2e4, 3e4, "micron"),
        TiffCalibration.calibrated(1, 2, 3, "cm"));
    assertEquals(new VoxelSize(1e3, 2e3, 3e3, "micron"),
        TiffCalibration.calibrated(1, 2, 3, "mm"));
    assertEquals(new VoxelSize(25400, 50800, 76200, "micron"),
        TiffCalibration.calibrated(1, 2, 3, "inch"));
    assertEquals(new VoxelSize(100, 100, 250, "nm"), TiffCalibration.calibrated(100, 100, 250,
        "nm"));
  }

  @Test
  void sizesThatAreNotFiniteAndPositiveGiveUnit() {
    for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertEquals(VoxelSize.UNIT, TiffCalibration.calibrated(bad, 1, 1, "um"), "x " + bad);
      assertEquals(VoxelSize.UNIT, TiffCalibration.calibrated(1, 1, bad, "um"), "z " + bad);
    }
    // finite sizes whose conversion overflows
    assertEquals(VoxelSize.UNIT, TiffCalibration.calibrated(1e300, 1e300, 1, "cm"));
  }

  @Test
  void imageJDescriptionFirstThenOmeThenCentimetreTags() {
    Page tagged = page(2, 4, 3); // 0.5 x 0.25 cm by the tags alone
    assertEquals(new VoxelSize(0.5, 0.25, 3, "micron"), TiffCalibration.voxelSize(tagged,
        "ImageJ=1.54f\nunit=um\nspacing=3\n", "a.tif"));
    String ome = "<OME><Image><Pixels PhysicalSizeX=\"0.2\" PhysicalSizeXUnit=\"nm\""
        + " PhysicalSizeY=\"0.3\" PhysicalSizeZ=\"1.5\" SizeZ=\"4\"/></Image></OME>";
    assertEquals(new VoxelSize(0.2, 0.3, 1.5, "nm"), TiffCalibration.voxelSize(tagged, ome,
        "a.ome.tif"));
    assertEquals(new VoxelSize(1, 1, 1, "micron"), TiffCalibration.voxelSize(
        page(1e4, 1e4, 3), "<OME><Pixels SizeZ=\"1\"/></OME>", "b.ome.tif"));
    assertEquals(new VoxelSize(5000, 2500, 1e4, "micron"),
        TiffCalibration.voxelSize(tagged, null, "c.tif"));
    assertEquals(new VoxelSize(5000, 2500, 1e4, "micron"),
        TiffCalibration.voxelSize(tagged, "made by a camera", "c.tif"));
  }

  @Test
  void inchTagsAndMissingTagsGiveUnitAsDoUnreadableDescriptions() {
    assertEquals(VoxelSize.UNIT, TiffCalibration.voxelSize(page(300, 300, 2), null, "d.tif"));
    assertEquals(VoxelSize.UNIT, TiffCalibration.voxelSize(new Page(8, Map.of()), null,
        "e.tif"));
    assertEquals(VoxelSize.UNIT, TiffCalibration.voxelSize(page(2, 2, 1),
        "ImageJ=1.54f\nunit=um\nspacing=1,5\n", "f.tif"));
    assertEquals(VoxelSize.UNIT, TiffCalibration.voxelSize(page(2, 2, 1),
        "<OME><Pixels PhysicalSizeX=\"wide\"/></OME>", "g.tif"));
  }

  @Test
  void omeTiffsWithSeveralChannelsOrTimePointsAreRefused() {
    OmeMetadata.checkZStack("<OME><Pixels SizeC=\"1\" SizeT=\"1\" SizeZ=\"9\"/></OME>", 5,
        "z.ome.tif", 8);
    var e = assertThrows(FormatException.class, () -> OmeMetadata.checkZStack(
        "<OME><Pixels SizeC=\"2\" SizeT=\"3\"/></OME>", 6, "c.ome.tif", 8));
    assertTrue(e.getMessage().startsWith("c.ome.tif at byte 8: OME-TIFF with 2 channels and 3"
        + " time points"), e.getMessage());
  }
}
