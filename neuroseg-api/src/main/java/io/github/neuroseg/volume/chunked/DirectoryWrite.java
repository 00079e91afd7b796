package io.github.neuroseg.volume.chunked;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.files.AtomicWrite;
import io.github.neuroseg.files.OutputPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a directory store through {@link AtomicWrite#writeDirectory}: a temporary sibling
 * directory moved into place only once complete. An existing store at the target is first renamed
 * aside, then the new one is renamed in, then the old one is deleted: at every moment the target
 * is either the old store, absent (between two renames), or the complete new store, and never a
 * mixture. A failed write deletes the temporary directory and leaves any old store as it was.
 * Only a store is ever replaced.
 */
final class DirectoryWrite {
  private DirectoryWrite() {}

  /** What fills the temporary directory. */
  @FunctionalInterface
  interface Body {
    void writeTo(Path dir) throws IOException;
  }

  /**
   * Checks that a store can be written at {@code target}: not the root, not a file, not a
   * directory other than a store, its folder writable.
   */
  static void check(Path target) {
    Path absolute = target.toAbsolutePath().normalize();
    if (absolute.getParent() == null) {
      throw new InvalidInputException("cannot write a store at the file-system root");
    }
    if (Files.exists(absolute)) {
      if (!Files.isDirectory(absolute)) {
        throw new InvalidInputException("cannot write a chunked store to " + target
            + ": it exists and is a file, not a store directory");
      }
      if (!StoreMetadata.isStore(absolute)) {
        throw new InvalidInputException("refusing to replace " + target + ": it is a directory"
            + " but not a Zarr or N5 store (no .zarray, .zgroup, .zattrs, zarr.json or"
            + " attributes.json at its top)");
      }
    }
    OutputPaths.checkDirectory(target);
  }

  static void write(Path target, Body body) {
    check(target);
    AtomicWrite.writeDirectory(target, body::writeTo);
  }
}
