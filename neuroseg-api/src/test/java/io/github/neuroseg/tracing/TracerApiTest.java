package io.github.neuroseg.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.MissingImplementationException;
import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.volume.VoxelSize;
import java.util.List;
import net.imglib2.img.array.ArrayImgs;
import org.junit.jupiter.api.Test;

class TracerApiTest {

  @Test
  void defaultsAreDocumentedValues() {
    TracerConfig c = NeuroSeg.tracer().config();
    assertEquals(TracerBuilder.DEFAULT_THRESHOLD, c.threshold());
    assertEquals(TracerBuilder.DEFAULT_MIN_COMPONENT_SIZE, c.minComponentSize());
    assertEquals(TracerBuilder.DEFAULT_PRUNE_LENGTH, c.pruneLength());
    assertEquals(TracerBuilder.DEFAULT_COVERAGE_RATIO, c.coverageRatio());
    assertEquals(SpeedSource.AUTO, c.speed());
    assertEquals(List.of(), c.seeds());
    assertEquals(0, c.resampleStep());
    assertEquals(TracerBuilder.DEFAULT_SMOOTHING, c.smoothing());
    assertEquals(TracerBuilder.DEFAULT_PRUNE_RADIUS_FACTOR, c.pruneRadiusFactor());
    assertEquals(TracerBuilder.DEFAULT_SOMA_RATIO, c.somaRatio());
    assertEquals(TracerBuilder.DEFAULT_BRIDGE_GAP, c.bridgeGap());
    assertEquals(TracerBuilder.DEFAULT_BRIDGE_ANGLE, c.bridgeAngle());
  }

  @Test
  void imperfectMaskSettingsTurnOffWithZeroAndRejectBadValues() {
    TracerConfig off = NeuroSeg.tracer().pruneRadiusFactor(0).somaRatio(0).bridgeGap(0).config();
    assertEquals(0, off.pruneRadiusFactor());
    assertEquals(0, off.somaRatio());
    assertEquals(0, off.bridgeGap());
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> NeuroSeg.tracer().somaRatio(0.5).config());
    assertTrue(e.getMessage().contains("0.5") && e.getMessage().contains(">= 1"), e.getMessage());
    e = assertThrows(InvalidInputException.class, () -> NeuroSeg.tracer().bridgeGap(51).config());
    assertTrue(e.getMessage().contains("[0, 50]"), e.getMessage());
    e = assertThrows(InvalidInputException.class, () -> NeuroSeg.tracer().bridgeAngle(0).config());
    assertTrue(e.getMessage().contains("(0, 180]"), e.getMessage());
    assertThrows(InvalidInputException.class,
        () -> NeuroSeg.tracer().pruneRadiusFactor(-1).config());
    assertThrows(InvalidInputException.class,
        () -> NeuroSeg.tracer().pruneRadiusFactor(Double.POSITIVE_INFINITY).config());
    assertThrows(InvalidInputException.class,
        () -> NeuroSeg.tracer().bridgeGap(Double.NaN).config());
    assertThrows(InvalidInputException.class,
        () -> NeuroSeg.tracer().bridgeAngle(181).config());
    assertEquals(180, NeuroSeg.tracer().bridgeAngle(180).config().bridgeAngle());
  }

  @Test
  void builderValidatesSettings() {
    assertThrows(InvalidInputException.class, () -> NeuroSeg.tracer().minComponentSize(0).config());
    assertThrows(InvalidInputException.class, () -> NeuroSeg.tracer().coverageRatio(0).config());
    assertThrows(InvalidInputException.class, () -> NeuroSeg.tracer().coverageRatio(1.5).config());
    assertThrows(InvalidInputException.class, () -> NeuroSeg.tracer().pruneLength(-1).config());
    assertThrows(InvalidInputException.class,
        () -> NeuroSeg.tracer().threshold(Double.NaN).config());
    assertThrows(InvalidInputException.class, () -> NeuroSeg.tracer().smoothing(-1).config());
    assertThrows(InvalidInputException.class, () -> new Seed(-1, 0, 0));
  }

  @Test
  void missingImplementationNamesTheArtifact() {
    MissingImplementationException e =
        assertThrows(MissingImplementationException.class, () -> NeuroSeg.tracer().build());
    assertTrue(e.getMessage().contains("io.github.neuroseg:neuroseg-trace"), e.getMessage());
  }

  @Test
  void traceInputChecksDimensions() {
    var mask = ArrayImgs.unsignedBytes(4, 5, 6);
    assertThrows(InvalidInputException.class,
        () -> TraceInput.of(mask, VoxelSize.UNIT).withIntensities(ArrayImgs.floats(4, 5, 7)));
    assertThrows(InvalidInputException.class,
        () -> TraceInput.of(ArrayImgs.unsignedBytes(4, 5), VoxelSize.UNIT));
    TraceInput ok = TraceInput.of(mask, VoxelSize.UNIT).withIntensities(ArrayImgs.floats(4, 5, 6));
    assertEquals(0.25, ok.withThreshold(0.25).threshold());
  }
}
