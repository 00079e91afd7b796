package io.github.neuroseg.volume.chunked;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.files.OutputPaths;
import io.github.neuroseg.internal.IoErrors;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;

/**
 * Writes a directory store through a temporary sibling directory that is moved into place only
 * once complete. An existing store at the target is first renamed aside, then the new one is
 * renamed in, then the old one is deleted: at every moment the target is either the old store,
 * absent (between two renames), or the complete new store, and never a mixture. A failed write
 * deletes the temporary directory and leaves any old store as it was.
 */
final class DirectoryWrite {
  private static final SecureRandom RANDOM = new SecureRandom();

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
    Path absolute = target.toAbsolutePath().normalize();
    Path parent = absolute.getParent();
    Path temp = null;
    try {
      Files.createDirectories(parent);
      temp = sibling(absolute, "tmp");
      Files.createDirectory(temp);
      body.writeTo(temp);
      if (Files.exists(absolute)) {
        Path old = sibling(absolute, "old");
        move(absolute, old);
        try {
          move(temp, absolute);
        } catch (IOException e) {
          move(old, absolute);
          throw e;
        }
        temp = null;
        deleteTree(old);
      } else {
        move(temp, absolute);
        temp = null;
      }
    } catch (IOException e) {
      throw IoErrors.cannotWrite(target, e);
    } finally {
      if (temp != null) {
        try {
          deleteTree(temp);
        } catch (IOException ignored) {
          // the original failure is the one worth reporting
        }
      }
    }
  }

  private static Path sibling(Path target, String kind) {
    return target.resolveSibling("." + target.getFileName() + "."
        + Long.toUnsignedString(RANDOM.nextLong(), 36) + "." + kind);
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
        if (exc != null) {
          throw exc;
        }
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
