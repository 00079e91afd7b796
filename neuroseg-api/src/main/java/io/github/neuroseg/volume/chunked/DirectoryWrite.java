package io.github.neuroseg.volume.chunked;

import io.github.neuroseg.InvalidInputException;
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

  static void write(Path target, Body body) {
    Path temp = begin(target);
    try {
      body.writeTo(temp);
    } catch (IOException e) {
      abort(temp);
      throw IoErrors.cannotWrite(target, e);
    } catch (RuntimeException | Error e) {
      abort(temp);
      throw e;
    }
    commit(temp, target);
  }

  /**
   * Checks that a store may be written at {@code target} and creates the temporary sibling
   * directory it is written into.
   *
   * @throws InvalidInputException when the target is a file or a directory that is not a store
   * @throws io.github.neuroseg.NeuroSegIOException when the directory cannot be created
   */
  static Path begin(Path target) {
    Path absolute = target.toAbsolutePath().normalize();
    Path parent = absolute.getParent();
    if (parent == null) {
      throw new InvalidInputException("cannot write a store at the file-system root");
    }
    checkReplaceable(target, absolute);
    try {
      Files.createDirectories(parent);
      Path temp = sibling(absolute, "tmp");
      Files.createDirectory(temp);
      return temp;
    } catch (IOException e) {
      throw IoErrors.cannotWrite(target, e);
    }
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

  /**
   * Moves the complete temporary directory into place, replacing an old store; on failure the
   * temporary directory is deleted and any old store is left as it was.
   */
  static void commit(Path temp, Path target) {
    Path absolute = target.toAbsolutePath().normalize();
    try {
      checkReplaceable(target, absolute);
      if (Files.exists(absolute)) {
        Path old = sibling(absolute, "old");
        move(absolute, old);
        try {
          move(temp, absolute);
        } catch (IOException e) {
          move(old, absolute);
          throw e;
        }
        deleteTree(old);
      } else {
        move(temp, absolute);
      }
    } catch (IOException e) {
      abort(temp);
      throw IoErrors.cannotWrite(target, e);
    } catch (RuntimeException e) {
      abort(temp);
      throw e;
    }
  }

  /** Deletes a temporary directory, quietly: the failure that led here is the one to report. */
  static void abort(Path temp) {
    try {
      deleteTree(temp);
    } catch (IOException ignored) {
      // the original failure is the one worth reporting
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
