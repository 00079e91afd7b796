package io.github.neuroseg.swc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.github.neuroseg.testing.SharedData;
import java.util.List;
import org.junit.jupiter.api.Test;

class CoordinateUnitTest {

  private static CoordinateUnit of(String... lines) {
    return CoordinateUnit.declaredBy(List.of(lines));
  }

  @Test
  void headerStatementsOfCommonDialects() {
    assertEquals(CoordinateUnit.MICRON, of(" unit: um"));
    assertEquals(CoordinateUnit.MICRON, of("UNITS = Micrometres"));
    assertEquals(CoordinateUnit.MICRON, of(" Unit \u00b5m"));
    assertEquals(CoordinateUnit.MICRON, of(" units are microns"));
    assertEquals(CoordinateUnit.MICRON, of(" All positions and radii in \u03bcm"));
    assertEquals(CoordinateUnit.VOXEL, of(" coordinates in voxels"));
    assertEquals(CoordinateUnit.VOXEL, of(" positions are in pixels"));
    assertEquals(CoordinateUnit.NANOMETER, of("unit=nm"));
    assertEquals(CoordinateUnit.MILLIMETER, of(" coordinates in millimeters"));
    // neuroseg's tracer states the voxel size its coordinates are in
    assertEquals(CoordinateUnit.VOXEL,
        of("APP2-style trace, voxel size 1.0 x 1.0 x 1.0 voxel"));
    assertEquals(CoordinateUnit.MICRON,
        of("APP2-style trace, voxel size 0.5 x 0.5 x 2.0 micron"));
  }

  @Test
  void noStatementOrDisagreementGivesNull() {
    assertNull(of());
    assertNull(of("name APP2_Tracing", "##n,type,x,y,z,radius,parent"));
    // SNT's voxel separation says what the image was, not what the coordinates are
    assertNull(of(" Voxel separation (x,y,z): 0.33, 0.33, 0.99"));
    assertNull(of(" unit conversion done elsewhere", " coordinates in the image frame"));
    assertNull(of(" unit: um", " coordinates in voxels"));
    assertEquals(CoordinateUnit.MICRON, of(" unit: um", " all positions in microns"));
  }

  @Test
  void unitWords() {
    assertEquals(CoordinateUnit.MICRON, CoordinateUnit.parse("Micron"));
    assertEquals(CoordinateUnit.MICRON, CoordinateUnit.parse("um"));
    assertEquals(CoordinateUnit.VOXEL, CoordinateUnit.parse("px"));
    assertNull(CoordinateUnit.parse("furlong"));
    assertEquals("micron", CoordinateUnit.MICRON.label());
  }

  @Test
  void realHeaders() {
    // SNT exports: "All positions and radii in microns" / "in µm"
    assertEquals(CoordinateUnit.MICRON,
        CoordinateUnit.declaredBy(Swc.read(SharedData.require("swc/OP_1-gs.swc"))));
    assertEquals(CoordinateUnit.MICRON,
        CoordinateUnit.declaredBy(Swc.read(SharedData.require("swc/TreeV.swc"))));
    // APP2 (Vaa3D) and MouseLight headers state no unit
    assertNull(CoordinateUnit.declaredBy(Swc.read(SharedData.require("stacks/crop1_app2.swc"))));
    assertNull(CoordinateUnit.declaredBy(Swc.read(SharedData.require("swc/AA0001.swc"))));
  }
}
