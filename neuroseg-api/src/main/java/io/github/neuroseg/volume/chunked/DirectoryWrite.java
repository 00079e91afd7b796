package io.github.neuroseg.volume.chunked;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.files.AtomicWrite;
import io.github.neuroseg.files.OutputPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a directory store through {@link AtomicWrite}: a temporary sibling directory moved into
 * place only once complete. An existing store at the target is first renamed aside, then the new
 * one is renamed in, then the old one is deleted: at every moment the target is either the old
 * store, absent (between two renames), or the complete new store, and never a mixture. A failed
 * write deletes the temporary directory and leaves any old store as it was. Only a store is ever
 * replaced.
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
   *
   * @throws InvalidInputException when the target is a file or a directory that is not a store
   * @throws io.github.neuroseg.NeuroSegIOException when its folder is not writable
   */
  static void check(Path target) {
    Path absolute = target.toAbsolutePath().normalize();
    if (absolute.getParent() == null) {
      throw new InvalidInputException("cannot write a store at the file-system root");
    }
    checkReplaceable(target, absolute);
    OutputPaths.checkDirectory(target);
  }

  static void write(Path target, Body body) {
    check(target);
    AtomicWrite.writeDirectory(target, body::writeTo);
  }

  /**
   * Checks that a store may be written at {@code target} and creates the temporary sibling
   * directory it is written into.
   *
   * @throws InvalidInputException when the target is a file or a directory that is not a store
   * @throws io.github.neuroseg.NeuroSegIOException when the directory cannot be created
   */
  static Path begin(Path target) {
    check(target);
    return AtomicWrite.beginDirectory(target);
  }

  /**
   * Moves the complete temporary directory into place, replacing an old store; on failure the
   * temporary directory is deleted and any old store is left as it was.
   */
  static void commit(Path temp, Path target) {
    try {
      checkReplaceable(target, target.toAbsolutePath().normalize());
    } catch (RuntimeException e) {
      abort(temp);
      throw e;
    }
    AtomicWrite.commitDirectory(temp, target);
  }

  /** Deletes a temporary directory, quietly: the failure that led here is the one to report. */
  static void abort(Path temp) {
    AtomicWrite.abort(temp);
  }

  private static void checkReplaceable(Path target, Path absolute) {
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
  }
}
