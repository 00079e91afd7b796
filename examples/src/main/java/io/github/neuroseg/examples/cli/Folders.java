package io.github.neuroseg.examples.cli;

import io.github.neuroseg.NeuroSegIOException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Output folders of the commands that write several files. */
final class Folders {
  private Folders() {}

  /**
   * Creates {@code folder} and its parents where missing.
   *
   * @throws NeuroSegIOException naming the folder when it cannot be created
   */
  static void create(Path folder) {
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw new NeuroSegIOException("cannot create " + folder + ": " + e, e);
    }
  }
}
