package io.github.neuroseg.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the Kotlin and Scala callers that the build compiled, and checks what they wrote. */
class JvmLanguagesTest {

  @Test
  void kotlinExampleRoundTripsExactly(@TempDir Path tmp) throws IOException {
    KotlinResult r = KotlinQuickStart.runExample(tmp);
    assertEquals(1.0, r.getDice(), "mask re-rendered from the SWC read back");
    assertEquals(0.0, r.getEsa(), 1e-9);
    assertTrue(r.getNodes() > 1);
    // the bundled model and the tracer on the rendered image (regression floors)
    assertTrue(r.getSegmentationDice() > 0.5, "segmentation Dice " + r.getSegmentationDice());
    assertTrue(r.getTracedF1() > 0.8, "traced F1 " + r.getTracedF1());
    for (String f : new String[] {"image.tif", "mask.tif", "neuron.swc", "projection-xy.png",
        "projection-xz.png"}) {
      assertTrue(Files.size(tmp.resolve(f)) > 0, f);
    }
    assertTrue(Files.readString(tmp.resolve("kotlin-report.txt")).startsWith("dice=1.0000\n"));
    KotlinQuickStart.main(new String[] {tmp.resolve("main").toString()});
    assertTrue(Files.exists(tmp.resolve("main/kotlin-report.txt")));
  }

  @Test
  void scalaExampleRoundTripsExactly(@TempDir Path tmp) throws IOException {
    ScalaResult r = ScalaQuickStart.run(tmp);
    assertEquals(1.0, r.dice(), "mask re-rendered from the SWC read back");
    assertEquals(0.0, r.esa(), 1e-9);
    assertTrue(r.nodes() > 1);
    assertTrue(r.segmentationDice() > 0.5, "segmentation Dice " + r.segmentationDice());
    assertTrue(r.tracedF1() > 0.8, "traced F1 " + r.tracedF1());
    for (String f : new String[] {"image.tif", "mask.v3draw", "neuron.swc", "projection-xy.png",
        "projection-xz.png"}) {
      assertTrue(Files.size(tmp.resolve(f)) > 0, f);
    }
    assertTrue(Files.readString(tmp.resolve("scala-report.txt")).startsWith("dice=1.0000\n"));
    ScalaQuickStart.main(new String[] {tmp.resolve("main").toString()});
    assertTrue(Files.exists(tmp.resolve("main/scala-report.txt")));
  }
}
