package io.github.neuroseg.internal;

import io.github.neuroseg.NeuroSegIOException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;

/**
 * The translation of an {@link IOException} into a {@link NeuroSegIOException} that names the
 * file and the cause, in one message shape: {@code cannot <action> <target>: <cause>}, where a
 * missing target reads {@code no such file} instead of the exception's class and path. Not API:
 * it may change in any release.
 */
public final class IoErrors {
  private IoErrors() {}

  /**
   * A failure to read {@code file}.
   *
   * @param file the file (or resource) that could not be read
   * @param cause the failure
   * @return {@code cannot read <file>: <cause>}, to throw
   */
  public static NeuroSegIOException cannotRead(Object file, IOException cause) {
    return cannot("read", file, cause);
  }

  /**
   * A failure to write {@code file}.
   *
   * @param file the file that could not be written
   * @param cause the failure
   * @return {@code cannot write <file>: <cause>}, to throw
   */
  public static NeuroSegIOException cannotWrite(Object file, IOException cause) {
    return cannot("write", file, cause);
  }

  /**
   * A failure to do {@code action} on {@code target}, e.g. {@code cannot("list", folder, e)}.
   *
   * @param action what was being done, e.g. {@code "list"} or {@code "read SWC file"}
   * @param target the file, folder or stream it was done to
   * @param cause the failure
   * @return {@code cannot <action> <target>: <cause>}, to throw
   */
  public static NeuroSegIOException cannot(String action, Object target, IOException cause) {
    return new NeuroSegIOException("cannot " + action + " " + target + ": "
        + describe(cause, target), cause);
  }

  private static String describe(IOException e, Object target) {
    if (e instanceof NoSuchFileException missing) {
      // another missing file than the target (a vanished folder, say) is named
      String file = missing.getFile();
      return file == null || file.equals(target.toString()) ? "no such file"
          : "no such file " + file;
    }
    return e.toString();
  }
}
