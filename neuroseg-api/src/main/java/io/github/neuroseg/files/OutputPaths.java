package io.github.neuroseg.files;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.NeuroSegIOException;
import io.github.neuroseg.internal.IoErrors;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks of the paths results are to be written to, made before the work that produces them, so
 * that a path that cannot be written fails at once instead of after a long segmentation. What
 * cannot be known in advance (a full disk) is still reported by the write itself.
 */
public final class OutputPaths {
  private OutputPaths() {}

  /**
   * Checks that a file can be written at {@code target}: it is not a directory, no file stands
   * where a folder above it is needed, and the nearest existing folder above it is writable
   * (missing folders are created by the write). A symbolic link is checked where it points.
   *
   * @param target the file to create or replace
   * @throws InvalidInputException when {@code target} is a directory or the file-system root,
   *     or a file stands where one of its folders should be
   * @throws NeuroSegIOException when its nearest existing folder is not writable
   */
  public static void checkFile(Path target) {
    Path file = AtomicWrite.linkTarget(target);
    if (file.getFileName() == null) {
      throw new InvalidInputException("cannot write a file at " + target
          + ": it is the file-system root");
    }
    if (Files.isDirectory(file)) {
      throw new InvalidInputException("cannot write the file " + target
          + ": it is a directory");
    }
    checkFolderAbove(target, file);
  }

  /**
   * Checks that a directory (a chunked store, a folder of results) can be written at {@code
   * target}: it is an existing writable directory, or it can be created because the nearest
   * existing folder above it is writable and no file stands in the way.
   *
   * @param target the directory to create or fill
   * @throws InvalidInputException when {@code target} or a folder above it is a file
   * @throws NeuroSegIOException when the directory, or the nearest existing folder above it, is
   *     not writable
   */
  public static void checkDirectory(Path target) {
    Path dir = AtomicWrite.linkTarget(target);
    if (Files.isDirectory(dir)) {
      checkWritable(target, dir);
      return;
    }
    if (Files.exists(dir)) {
      throw new InvalidInputException("cannot write the folder " + target
          + ": it is a file, not a folder");
    }
    checkFolderAbove(target, dir);
  }

  /**
   * Whether two paths name the same file or directory, whether or not it exists: relative and
   * absolute paths, {@code ..}, symbolic links (of the file and of folders above it) and hard
   * links are seen through, so that an output can be refused when it would replace an input.
   *
   * @param a a path
   * @param b another path
   * @return {@code true} when writing one would replace the other
   */
  public static boolean sameFile(Path a, Path b) {
    if (canonical(a).equals(canonical(b))) {
      return true;
    }
    try {
      // hard links: two names of one existing file
      return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The path with its links resolved: the real path of its longest existing part, followed by
   * the rest.
   */
  static Path canonical(Path path) {
    Path p = AtomicWrite.linkTarget(path);
    Path root = p.getRoot();
    for (int i = p.getNameCount(); i > 0; i--) {
      Path prefix = root == null ? p.subpath(0, i) : root.resolve(p.subpath(0, i));
      if (Files.exists(prefix)) {
        try {
          Path real = prefix.toRealPath();
          return i == p.getNameCount() ? real
              : real.resolve(p.subpath(i, p.getNameCount())).normalize();
        } catch (IOException e) {
          break;
        }
      }
    }
    return p.normalize();
  }

  private static void checkFolderAbove(Path target, Path resolved) {
    Path dir = resolved.getParent();
    while (dir != null && !Files.exists(dir)) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw IoErrors.cannotWrite(target, new IOException("no existing folder above it"));
    }
    if (!Files.isDirectory(dir)) {
      throw new InvalidInputException("cannot write " + target + ": " + dir
          + " is a file, not a folder");
    }
    checkWritable(target, dir);
  }

  private static void checkWritable(Path target, Path dir) {
    if (!Files.isWritable(dir)) {
      throw new NeuroSegIOException("cannot write " + target + ": the folder " + dir
          + " is not writable", new AccessDeniedException(dir.toString()));
    }
  }
}
