package io.github.neuroseg.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import ij.Macro;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** Macro options as ImageJ's recorder writes them, read back without a dialog. */
class MacroOptionsTest {
  private static final long SEED = 77031L;

  /** Pieces of values, including the checkbox keys, spaces and path characters. */
  private static final String[] PIECES = {"a", "Z", "0", "/", ".", "_", "-", " ", "trace",
      "probability", "swc", "\u00b5m", "x", ":"};

  @Test
  void theMacroKeysAreTheDocumentedOnes() {
    // docs/imagej.md and the SegmentAndTrace Javadoc document these keys
    assertEquals("model", Macro.trimKey(Settings.MODEL));
    assertEquals("device", Macro.trimKey(Settings.DEVICE));
    assertEquals("tile", Macro.trimKey(Settings.TILE));
    assertEquals("threshold", Macro.trimKey(Settings.THRESHOLD));
    assertEquals("probability", Macro.trimKey(Settings.PROBABILITY));
    assertEquals("trace", Macro.trimKey(Settings.TRACE));
    assertEquals("swc", Macro.trimKey(Settings.SWC));
  }

  @Test
  void recordedOptionsReadBackAsRecorded() {
    qt().withFixedSeed(SEED).withExamples(300)
        .forAll(value(), value(), booleans().all(), booleans().all())
        .checkAssert((model, swc, probability, trace) -> {
          // the recorder's format: key=value, [value] when it is empty or has a space, bare
          // checkbox keys; ImageJ 1.54f recorded "tile=[] threshold=[]" for blank fields
          String options = "model=" + quote(model) + " device=cpu tile=[] threshold="
              + (probability ? " probability" : "") + (trace ? " trace" : "")
              + " swc=" + quote(swc);
          MacroOptions m = new MacroOptions(options);
          String why = "SEED=" + SEED + " options: " + options;
          assertEquals(model, m.string(Settings.MODEL, "?"), why);
          assertEquals(swc, m.string(Settings.SWC, "?"), why);
          assertEquals("cpu", m.string(Settings.DEVICE, "?"), why);
          assertEquals("", m.string(Settings.TILE, "?"), why);
          assertEquals("", m.string(Settings.THRESHOLD, "?"), why);
          assertEquals(probability, m.flag(Settings.PROBABILITY), why);
          assertEquals(trace, m.flag(Settings.TRACE), why);
        });
  }

  @Test
  void blankFieldsMayBeBracketedOrBare() {
    MacroOptions m = new MacroOptions("tile=[] threshold= trace");
    assertEquals("", m.string(Settings.TILE, "?"));
    assertEquals("", m.string(Settings.THRESHOLD, "?"));
    assertTrue(m.flag(Settings.TRACE));
  }

  @Test
  void absentFieldsTakeTheirDefaultsAndKeysInsideValuesAreNoCheckboxes() {
    MacroOptions m = new MacroOptions("swc=[/data/trace probability/n.swc] model=trace");
    assertEquals("bundled", m.string(Settings.DEVICE, "bundled"));
    assertEquals("trace", m.string(Settings.MODEL, "?"));
    assertFalse(m.flag(Settings.TRACE));
    assertFalse(m.flag(Settings.PROBABILITY));
    assertTrue(new MacroOptions("trace").flag(Settings.TRACE));
    assertTrue(new MacroOptions("model='a b' trace ").flag(Settings.TRACE));
    assertFalse(new MacroOptions("model='a trace'").flag(Settings.TRACE));
    assertFalse(new MacroOptions("traced").flag(Settings.TRACE));
  }

  private static Gen<String> value() {
    return lists().of(integers().between(0, PIECES.length - 1)).ofSizeBetween(0, 6)
        .map(MacroOptionsTest::join);
  }

  private static String join(List<Integer> idx) {
    StringBuilder sb = new StringBuilder();
    for (int i : idx) {
      sb.append(PIECES[i]);
    }
    return sb.toString();
  }

  private static String quote(String v) {
    return v.isEmpty() || v.indexOf(' ') >= 0 ? "[" + v + "]" : v;
  }
}
