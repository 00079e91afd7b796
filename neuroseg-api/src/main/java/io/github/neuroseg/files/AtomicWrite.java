package io.github.neuroseg.files;

import io.github.neuroseg.NeuroSegIOException;
import io.github.neuroseg.internal.IoErrors;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;

/**
 * Writes a file through a temporary sibling that is moved into place only once complete, so a
 * reader never sees a half-written file and a failed write leaves any previous file untouched.
 * Every neuroseg writer (SWC, volumes, pictures, models) goes through this class.
 */
public final class AtomicWrite {
  private static final SecureRandom RANDOM = new SecureRandom();

  private AtomicWrite() {}

  /** What writes the content of the temporary file. */
  @FunctionalInterface
  public interface Body {
    /**
     * Writes the complete content into {@code temp} (an empty file that already exists).
     *
     * @param temp the temporary file
     * @throws IOException when writing fails; the temporary file is then deleted
     */
    void writeTo(Path temp) throws IOException;
  }

  /**
   * Writes {@code target} atomically: {@code body} fills a temporary file in the same folder,
   * which then replaces {@code target}. Missing parent folders are created.
   *
   * @param target the file to create or replace
   * @param body what writes the content
   * @throws NeuroSegIOException when the file cannot be written; no temporary file is left
   */
  public static void write(Path target, Body body) {
    Path absolute = target.toAbsolutePath();
    Path dir = absolute.getParent();
    Path temp = null;
    try {
      if (dir != null) {
        Files.createDirectories(dir);
      }
      // a sibling, so the final move stays on one file system and can be atomic
      temp = createSibling(absolute);
      body.writeTo(temp);
      try {
        Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
      }
      temp = null;
    } catch (IOException e) {
      throw IoErrors.cannotWrite(target, e);
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // the original failure is the one worth reporting
        }
      }
    }
  }

  /**
   * Where {@code target} leads: the absolute path of the file a chain of symbolic links ends in
   * (which need not exist), or {@code target} itself when it is no link.
   */
  static Path linkTarget(Path target) {
    Path p = target.toAbsolutePath();
    // the kernel's own limit on a chain of links; a longer chain fails when written
    for (int hops = 0; hops < 40 && Files.isSymbolicLink(p); hops++) {
      try {
        p = p.resolveSibling(Files.readSymbolicLink(p));
      } catch (IOException e) {
        return p; // the write reports it
      }
    }
    return p;
  }

  // Files.createTempFile would give the final file owner-only permissions (0600); createFile
  // applies the process umask like any other writer, so users and group members can read results.
  private static Path createSibling(Path target) throws IOException {
    Path dir = target.getParent();
    String prefix = "." + target.getFileName() + ".";
    for (int attempt = 0; ; attempt++) {
      Path candidate = dir.resolve(prefix + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".tmp");
      try {
        return Files.createFile(candidate);
      } catch (FileAlreadyExistsException e) {
        if (attempt >= 100) {
          throw e;
        }
      }
    }
  }
}
