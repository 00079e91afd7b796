package io.github.neuroseg.imagej;

import java.nio.file.Files;
import java.nio.file.Path;
import net.imagej.patcher.LegacyEnvironment;

/**
 * Runs a macro file in ImageJ 1.x patched for headless use by ij1-patcher, the patcher behind
 * Fiji's {@code --headless} mode; plugins come from the folder in {@code -Dplugins.dir}, as in
 * an installation. Started by {@link FijiLayoutIT} in a JVM of its own; it must not load any
 * ImageJ class before the patcher does, so nothing here imports {@code ij.*}.
 */
public final class PatchedImageJ {
  private PatchedImageJ() {}

  /** {@code args[0]}: the macro file. Exits 0 when the macro ran to its end. */
  public static void main(String[] args) throws Exception {
    String macro = Files.readString(Path.of(args[0]));
    new LegacyEnvironment(null, true).runMacro(macro, "");
    System.exit(0);
  }
}
