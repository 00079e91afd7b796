package io.github.neuroseg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.segmentation.SegmenterBuilder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CoreContractsTest {

  @Test
  void formatExceptionMessagesNameSourceAndLocation() {
    FormatException line = FormatException.atLine("a.swc", 12, "parent 7 does not exist");
    assertEquals("a.swc line 12: parent 7 does not exist", line.getMessage());
    assertEquals(FormatException.LocationKind.LINE, line.locationKind());
    assertEquals(12, line.location());
    assertEquals("parent 7 does not exist", line.problem());

    FormatException off = FormatException.atOffset("b.tif", 4096, "truncated strip");
    assertEquals("b.tif at byte 4096: truncated strip", off.getMessage());
    assertEquals(-1, FormatException.of("c.onnx", "not ONNX").location());
  }

  @Test
  void everyExceptionIsInTheUncheckedFamily() {
    NeuroSegException[] all = {
      new InvalidInputException("x"), FormatException.of("f", "x"), new ModelException("x"),
      new DeviceException("x"), new MissingImplementationException("x"),
      new NeuroSegIOException("x", new java.io.IOException("io")), new TrainingException("x")
    };
    for (NeuroSegException e : all) {
      assertInstanceOf(RuntimeException.class, e);
    }
  }

  @Test
  void deviceParsingAndValidation() {
    assertEquals(Device.cpu(), Device.parse("CPU"));
    assertEquals(Device.cuda(0), Device.parse("cuda"));
    assertEquals(Device.cuda(3), Device.parse(" cuda:3 "));
    assertEquals("cuda:3", Device.cuda(3).toString());
    InvalidInputException bad = assertThrows(InvalidInputException.class,
        () -> Device.parse("tpu"));
    assertTrue(bad.getMessage().contains("'tpu'"), bad.getMessage());
    assertThrows(InvalidInputException.class, () -> Device.cuda(-1));
  }

  @Test
  void progressFractionAndBounds() {
    assertEquals(0.25, new Progress("segment", 1, 4).fraction());
    assertEquals(0.0, new Progress("trace", 5, 0).fraction());
    assertEquals("segment 1/4 (25%)", new Progress("segment", 1, 4).toString());
    assertThrows(InvalidInputException.class, () -> new Progress("x", 5, 4));
    assertThrows(InvalidInputException.class, () -> new Progress("x", -1, 4));
  }

  @Test
  void segmenterBuilderWithoutImplementationNamesTheArtifact() {
    // neuroseg-api alone has no SegmenterProvider on its test class path
    MissingImplementationException e = assertThrows(MissingImplementationException.class,
        () -> new SegmenterBuilder().model(Path.of("m.onnx")).build());
    assertTrue(e.getMessage().contains("io.github.neuroseg:neuroseg-infer-onnx"), e.getMessage());
  }

  @Test
  void segmenterBuilderValidatesSettings() {
    assertThrows(InvalidInputException.class, () -> new SegmenterBuilder().build());
    assertThrows(InvalidInputException.class,
        () -> new SegmenterBuilder().model(Path.of("m.onnx")).batchSize(0).config());
    assertThrows(InvalidInputException.class,
        () -> new SegmenterBuilder().model(Path.of("m.onnx")).threshold(1.5).config());
    assertThrows(InvalidInputException.class,
        () -> new SegmenterBuilder().model(Path.of("m.onnx")).tile(0, 64).config());
    assertEquals(8, new SegmenterBuilder().model(Path.of("m.onnx")).config().batchSize());
  }

  @Test
  void bundledModelWithoutTheModelsArtifactNamesIt() {
    // neuroseg-api's tests do not have neuroseg-models on the class path
    MissingImplementationException e =
        assertThrows(MissingImplementationException.class, NeuroSeg::bundledModel);
    assertTrue(e.getMessage().contains("io.github.neuroseg:neuroseg-models"), e.getMessage());
  }
}
