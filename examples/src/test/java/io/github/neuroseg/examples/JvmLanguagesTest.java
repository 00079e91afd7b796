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
  void kotlinExampleRoundTripsAndSegments(@TempDir Path tmp) throws IOException {
    KotlinResult r = KotlinQuickStart.runExample(tmp);
    assertEquals(1.0, r.getDice(), "mask re-rendered from the SWC read back");
    assertEquals(0.0, r.getEsa(), 1e-9);
    assertTrue(r.getNodes() > 1);
    // the bundled model finds the neuron (the demo scores about 0.56 on a similar volume)
    assertTrue(r.getSegmentationDice() > 0.3, "model Dice " + r.getSegmentationDice());
    assertTrue(r.getTracedNodes() > 1, "traced nodes " + r.getTracedNodes());
    assertTrue(r.getF1() > 0.3, "node F1 " + r.getF1());
    for (String f : new String[] {"image.tif", "mask.tif", "neuron.swc", "projection-xy.png",
        "projection-xz.png", "predicted-mask.tif", "traced.swc"}) {
      assertTrue(Files.size(tmp.resolve(f)) > 0, f);
    }
    assertTrue(Files.readString(tmp.resolve("kotlin-report.txt")).startsWith("dice=1.0000\n"));
    KotlinQuickStart.main(new String[] {tmp.resolve("main").toString()});
    assertTrue(Files.exists(tmp.resolve("main/kotlin-report.txt")));
  }

  @Test
  void scalaExampleRoundTripsAndSegments(@TempDir Path tmp) throws IOException {
    ScalaResult r = ScalaQuickStart.run(tmp);
    assertEquals(1.0, r.dice(), "mask re-rendered from the SWC read back");
    assertEquals(0.0, r.esa(), 1e-9);
    assertTrue(r.nodes() > 1);
    assertTrue(r.segmentationDice() > 0.3, "model Dice " + r.segmentationDice());
    assertTrue(r.tracedNodes() > 1, "traced nodes " + r.tracedNodes());
    assertTrue(r.f1() > 0.3, "node F1 " + r.f1());
    for (String f : new String[] {"image.tif", "mask.v3draw", "neuron.swc", "projection-xy.png",
        "projection-xz.png", "predicted-mask.v3draw", "traced.swc"}) {
      assertTrue(Files.size(tmp.resolve(f)) > 0, f);
    }
    assertTrue(Files.readString(tmp.resolve("scala-report.txt")).startsWith("dice=1.0000\n"));
    ScalaQuickStart.main(new String[] {tmp.resolve("main").toString()});
    assertTrue(Files.exists(tmp.resolve("main/scala-report.txt")));
  }
}
