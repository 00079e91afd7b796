package io.github.neuroseg.imagej;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a command as ImageJ's {@code IJ.run(imp, command, options)} does, without the menu bar
 * that {@code IJ.run} builds first and that a JVM without a display cannot build: the command
 * is looked up in the {@code plugins.config} on the class path (the file ImageJ reads from the
 * plugin jar), the options are set for a thread named as ImageJ names macro threads (so that
 * {@code Macro.getOptions()} returns them), and the plugin runs on that thread with the image
 * as the current one.
 */
final class ImageJMacro {
  private ImageJMacro() {}

  /** Commands to classes, from every {@code plugins.config} entry on the class path. */
  static Map<String, String> commands() {
    Map<String, String> commands = new LinkedHashMap<>();
    try (InputStream in = ImageJMacro.class.getClassLoader()
        .getResourceAsStream("plugins.config")) {
      if (in == null) {
        throw new AssertionError("no plugins.config at the root of the class path");
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        String s = line.trim();
        if (s.length() < 3 || s.startsWith("#")) {
          continue;
        }
        // menu, "command", class name (the format of ImageJ's Menus.installJarPlugin)
        int q1 = s.indexOf('"');
        int q2 = s.indexOf('"', q1 + 1);
        if (q1 < 0 || q2 < 0 || s.indexOf(',', q2) < 0) {
          throw new AssertionError("malformed plugins.config line: " + line);
        }
        commands.put(s.substring(q1 + 1, q2), s.substring(s.indexOf(',', q2) + 1).trim());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return commands;
  }

  /** The plugin instance that ran, as {@code IJ.runPlugIn} returns it. */
  static Object run(ImagePlus imp, String command, String options) {
    String className = commands().get(command);
    if (className == null) {
      throw new AssertionError("no command '" + command + "' in plugins.config: " + commands());
    }
    AtomicReference<Object> plugin = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        Macro.setOptions(options);
        plugin.set(IJ.runPlugIn(imp, className, ""));
      } catch (Throwable e) {
        failure.set(e);
      } finally {
        Macro.setOptions(null);
      }
    }, "Run$_neuroseg-test");
    t.start();
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    if (failure.get() != null) {
      throw new AssertionError("the command threw", failure.get());
    }
    if (plugin.get() == null) {
      throw new AssertionError("ImageJ did not run " + className);
    }
    return plugin.get();
  }
}
