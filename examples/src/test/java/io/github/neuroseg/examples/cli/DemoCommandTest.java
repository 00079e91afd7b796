package io.github.neuroseg.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo runs the bundled model and the tracer and scores both against the ground truth. */
class DemoCommandTest {
  private static final Pattern EVAL = Pattern.compile(
      "EVAL dice=(\\S+) hd95=(\\S+) esa=(\\S+) dsa=(\\S+) pds=(\\S+) f1=(\\S+)");

  @TempDir Path dir;

  @Test
  void writesEverythingAndScoresTheResult() {
    PipelineCommandsTest.Run r = TrainCommandTest.cli("demo", "--output", dir.toString(),
        "--size", "96x96x24", "--seed", "99");
    assertEquals(0, r.code(), r.err());
    for (String f : new String[] {"image.tif", "truth-mask.tif", "truth.swc", "mask.tif",
        "neuron.swc", "result-xy.png", "result-xz.png", "truth-xy.png", "truth-xz.png",
        "metrics.txt"}) {
      assertTrue(Files.isRegularFile(dir.resolve(f)), f);
    }
    List<String> lines = r.out().lines().toList();
    Matcher m = EVAL.matcher(lines.get(lines.size() - 1));
    assertTrue(m.matches(), r.out());
    // a regression floor well below what the bundled model reached when it was trained
    assertTrue(Double.parseDouble(m.group(1)) > 0.6, "dice " + m.group(1));
    assertTrue(Double.parseDouble(m.group(6)) > 0.85, "f1 " + m.group(6));

    // evaluate on the demo's files reproduces the demo's scores
    PipelineCommandsTest.Run e = TrainCommandTest.cli("evaluate",
        "--mask", dir.resolve("mask.tif").toString(),
        "--truth-mask", dir.resolve("truth-mask.tif").toString(),
        "--swc", dir.resolve("neuron.swc").toString(),
        "--truth-swc", dir.resolve("truth.swc").toString());
    assertEquals(0, e.code(), e.err());
    List<String> el = e.out().lines().toList();
    assertEquals(lines.get(lines.size() - 1), el.get(el.size() - 1));
  }
}
