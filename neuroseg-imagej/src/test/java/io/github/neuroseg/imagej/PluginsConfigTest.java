package io.github.neuroseg.imagej;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.plugin.PlugIn;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The menu entry ImageJ reads from the jar's root. */
class PluginsConfigTest {
  @Test
  void registersSegmentAndTraceUnderPluginsNeuroseg() throws Exception {
    Map<String, String> commands = ImageJMacro.commands();
    assertEquals(Map.of(SegmentAndTrace.COMMAND, SegmentAndTrace.class.getName()), commands);
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("plugins.config")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(text.startsWith("Plugins>Neuroseg, \"Segment and Trace\","), text);
    }
    Class<?> c = Class.forName(commands.get(SegmentAndTrace.COMMAND));
    assertTrue(PlugIn.class.isAssignableFrom(c), "a PlugIn");
    c.getConstructor().newInstance();
  }
}
