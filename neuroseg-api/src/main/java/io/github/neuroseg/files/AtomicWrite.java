package io.github.neuroseg.files;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.NeuroSegIOException;
import io.github.neuroseg.StateException;
import io.github.neuroseg.internal.IoErrors;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Writes files (and directory stores) through a temporary sibling that is moved into place only
 * once complete, so a reader never sees a half-written file and a failed write leaves any
 * previous file untouched. Every neuroseg writer (SWC, volumes, pictures, models) goes through
 * this class.
 *
 * <ul>
 *   <li><b>Durable:</b> the temporary file is flushed to the disk ({@code fsync}) before it is
 *       renamed, and the folder after, so a power loss leaves the old file or the new one.
 *   <li><b>Links:</b> a symbolic link at the target is written through: the file it points to
 *       is replaced and the link stays.
 *   <li><b>Permissions:</b> a replaced file keeps its POSIX permissions (a {@code 0600} file
 *       stays {@code 0600}); a new one gets what the umask gives.
 *   <li><b>Sets:</b> the writes made on one thread while a {@link #batch()} is open are staged
 *       and moved into place together by {@link Batch#commit()}: all new files, or, when the
 *       batch fails before or during the commit, all old ones (as far as the file system allows:
 *       the old files are kept as hard links until every new one is in place).
 *   <li><b>Leftovers:</b> the temporary files are named {@code .<name>.neuroseg-<pid>-<random>}
 *       with {@code .tmp} (new content) or {@code .bak} (old content during a commit). A write
 *       removes those of its folder that a killed run left behind: ones whose process is gone and
 *       that are over a minute old, or any over a day old. Nothing else is touched.
 * </ul>
 */
public final class AtomicWrite {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String TAG = ".neuroseg-";
  private static final Pattern OURS =
      Pattern.compile("\\..+\\.neuroseg-(\\d{1,19})-[0-9a-z]{1,13}\\.(?:tmp|bak)");
  /**
   * A leftover whose process is gone (on this machine) is removed once this old: a writer on
   * another machine sharing the folder keeps its file younger while it writes.
   */
  static final Duration ORPHAN_AGE = Duration.ofMinutes(10);
  /** Any leftover of our pattern is removed once this old. */
  static final Duration STALE_AGE = Duration.ofDays(1);
  private static final ThreadLocal<@Nullable Batch> OPEN = new ThreadLocal<>();

  private AtomicWrite() {}

  /** What writes the content of the temporary file. */
  @FunctionalInterface
  public interface Body {
    /**
     * Writes the complete content into {@code temp}: an empty file that already exists, or for
     * {@link #writeDirectory} an empty directory.
     *
     * @param temp the temporary file or directory
     * @throws IOException when writing fails; the temporary file is then deleted
     */
    void writeTo(Path temp) throws IOException;
  }

  /**
   * Writes {@code target} atomically: {@code body} fills a temporary file in the same folder,
   * which is flushed to the disk and then replaces {@code target} (or, within a {@link
   * #batch()}, waits for its commit). Missing parent folders are created.
   *
   * @param target the file to create or replace; a symbolic link is written through
   * @param body what writes the content
   * @throws NeuroSegIOException when the file cannot be written; no temporary file is left
   */
  public static void write(Path target, Body body) {
    write(target, body, false);
  }

  /**
   * Writes a directory (a chunked store) atomically: {@code body} fills a temporary sibling
   * directory, whose files are flushed to the disk; then an existing directory at {@code target}
   * is renamed aside, the new one renamed in and the old one deleted, so {@code target} is the
   * old directory, briefly absent, or the complete new one, never a mixture. The caller decides
   * whether an existing directory may be replaced.
   *
   * @param target the directory to create or replace
   * @param body what fills the (empty, existing) temporary directory
   * @throws NeuroSegIOException when the directory cannot be written; no temporary one is left
   */
  public static void writeDirectory(Path target, Body body) {
    write(target, body, true);
  }

  /**
   * Opens a batch on the calling thread: the writes of this class made on the thread until the
   * batch is closed are staged and moved into place together by {@link Batch#commit()}; closing
   * the batch without a commit deletes what was staged and leaves every target as it was.
   *
   * <pre>{@code
   * try (AtomicWrite.Batch outputs = AtomicWrite.batch()) {
   *   Volumes.write(mask, maskPath);
   *   Swc.write(tree, swcPath);
   *   outputs.commit(); // both new, or (on a failure) both old
   * }
   * }</pre>
   *
   * @return the open batch, to close
   * @throws StateException when a batch is already open on this thread
   */
  public static Batch batch() {
    if (OPEN.get() != null) {
      throw new StateException("a batch of writes is already open on this thread; commit or"
          + " close it first");
    }
    Batch b = new Batch(Thread.currentThread());
    OPEN.set(b);
    return b;
  }

  /** One staged write: the complete temporary file or directory and where it goes. */
  private record Staged(Path target, Path file, Path temp, boolean directory) {}

  private static void write(Path target, Body body, boolean directory) {
    Path file = linkTarget(target);
    Batch batch = openBatch();
    if (batch != null) {
      batch.checkNotStaged(target, file);
    }
    Path temp = null;
    try {
      temp = begin(target, file, directory);
      body.writeTo(temp);
      finish(target, file, temp, directory, true, batch);
      temp = null;
    } catch (IOException e) {
      throw IoErrors.cannotWrite(target, e);
    } finally {
      if (temp != null) {
        deleteQuietly(temp);
      }
    }
  }

  /**
   * Starts writing a directory (a chunked store) that is filled over time, possibly by other
   * processes sharing the file system: an empty temporary sibling directory of {@code target},
   * to be moved into place by {@link #commitDirectory} or deleted by {@link #abort}.
   *
   * @param target the directory to create or replace
   * @return the temporary directory to fill
   * @throws NeuroSegIOException when it cannot be created
   */
  public static Path beginDirectory(Path target) {
    try {
      return begin(target, linkTarget(target), true);
    } catch (IOException e) {
      throw IoErrors.cannotWrite(target, e);
    }
  }

  /**
   * Moves a directory started by {@link #beginDirectory} into place, as {@link #writeDirectory}
   * does once its body has filled it (within a {@link #batch()}, at the batch's commit). The
   * files in it are not flushed here: the processes that wrote them, perhaps on other machines,
   * flush their own.
   *
   * @param temp the temporary directory {@link #beginDirectory} returned, now complete
   * @param target the directory it replaces
   * @throws InvalidInputException when {@code temp} is not a temporary sibling of {@code target}
   * @throws NeuroSegIOException when it cannot be moved into place; it is then deleted
   */
  public static void commitDirectory(Path temp, Path target) {
    Path file = linkTarget(target);
    Path t = temp.toAbsolutePath();
    if (!OURS.matcher(String.valueOf(t.getFileName())).matches()
        || !String.valueOf(t.getFileName()).startsWith("." + file.getFileName() + TAG)
        || !OutputPaths.sameFile(t.getParent(), file.getParent())) {
      throw new InvalidInputException(temp + " is not a temporary directory of " + target
          + " (made by AtomicWrite.beginDirectory)");
    }
    Batch batch = openBatch();
    boolean done = false;
    try {
      if (batch != null) {
        batch.checkNotStaged(target, file);
      }
      finish(target, file, t, true, false, batch);
      done = true;
    } catch (IOException e) {
      throw IoErrors.cannotWrite(target, e);
    } finally {
      if (!done) {
        deleteQuietly(t);
      }
    }
  }

  /**
   * Deletes a temporary file or directory and everything in it, quietly: the failure that led
   * here is the one to report.
   *
   * @param temp what {@link #beginDirectory} returned
   */
  public static void abort(Path temp) {
    deleteQuietly(temp);
  }

  private static @Nullable Batch openBatch() {
    Batch batch = OPEN.get();
    if (batch != null && batch.closed) {
      OPEN.remove(); // closed from another thread
      return null;
    }
    return batch;
  }

  /** Creates the folder, tidies leftovers in it and creates the empty temporary sibling. */
  private static Path begin(Path target, Path file, boolean directory) throws IOException {
    Path dir = file.getParent();
    if (dir == null) {
      throw new InvalidInputException("cannot write " + target + ": it is the file-system root");
    }
    Files.createDirectories(dir);
    removeLeftovers(dir);
    // a sibling, so the final move stays on one file system and can be atomic
    return createSibling(file, "tmp", directory);
  }

  /**
   * Flushes the complete temporary file (or a directory's files, when {@code contents}; else only
   * its entries), then stages it in the batch or moves it into place.
   */
  private static void finish(Path target, Path file, Path temp, boolean directory,
      boolean contents, @Nullable Batch batch) throws IOException {
    if (contents) {
      sync(temp, directory);
    } else {
      syncFolder(temp);
    }
    keepPermissions(file, temp);
    Staged s = new Staged(target, file, temp, directory);
    if (batch != null) {
      batch.staged.add(s);
    } else {
      commit(List.of(s));
    }
  }

  /**
   * Moves staged writes into place. With several, or for a directory, the old content is kept
   * first (existing files as hard links, so they stay in place; a directory renamed aside), so
   * that a move failing part-way can put everything back.
   *
   * @throws NeuroSegIOException naming the target that could not be moved into place
   */
  private static void commit(List<Staged> staged) {
    if (staged.size() == 1 && !staged.get(0).directory()) {
      Staged s = staged.get(0);
      try {
        move(s.temp(), s.file()); // one rename: atomic by itself
      } catch (IOException e) {
        throw IoErrors.cannotWrite(s.target(), e);
      }
      syncFolder(s.file().getParent());
      return;
    }
    List<@Nullable Path> old = new ArrayList<>();
    boolean[] existed = new boolean[staged.size()];
    int done = 0;
    Staged current = staged.get(0);
    try {
      for (int i = 0; i < staged.size(); i++) {
        current = staged.get(i);
        existed[i] = Files.exists(current.file(), LinkOption.NOFOLLOW_LINKS);
        old.add(existed[i] ? keepOld(current) : null);
      }
      for (Staged s : staged) {
        current = s;
        move(s.temp(), s.file());
        done++;
      }
    } catch (IOException e) {
      rollBack(staged, old, existed, done);
      throw IoErrors.cannotWrite(current.target(), e);
    }
    for (Staged s : staged) {
      syncFolder(s.file().getParent());
    }
    for (Path o : old) {
      if (o != null) {
        deleteQuietly(o);
      }
    }
  }

  /**
   * The old content of a target, kept until the commit is complete: a hard link to an existing
   * file (the file itself stays in place), or the existing directory renamed aside; {@code null}
   * when the file system has no hard links (the old file cannot then be put back).
   */
  private static @Nullable Path keepOld(Staged s) throws IOException {
    Path old = siblingName(s.file(), "bak");
    if (s.directory()) {
      move(s.file(), old);
      return old;
    }
    try {
      return Files.createLink(old, s.file());
    } catch (UnsupportedOperationException | IOException e) {
      return null;
    }
  }

  /**
   * Puts back what the first {@code done} moves replaced, and directories renamed aside but not
   * yet replaced; what cannot be undone stays new, and old content that could not be put back
   * stays in its {@code .bak} file.
   */
  private static void rollBack(List<Staged> staged, List<@Nullable Path> old, boolean[] existed,
      int done) {
    for (int i = 0; i < old.size(); i++) {
      Staged s = staged.get(i);
      Path o = old.get(i);
      try {
        if (i < done) {
          if (o != null) {
            if (s.directory()) {
              deleteTree(s.file());
            }
            move(o, s.file());
          } else if (!existed[i]) {
            deleteTree(s.file());
          }
        } else if (o != null) {
          if (s.directory()) {
            move(o, s.file()); // renamed aside but not yet replaced
          } else {
            Files.deleteIfExists(o); // the file itself was never replaced
          }
        }
      } catch (IOException ignored) {
        // the move that failed is the one worth reporting
      }
    }
  }

  /** Writes made on one thread, moved into place together; see {@link AtomicWrite#batch()}. */
  public static final class Batch implements AutoCloseable {
    private final Thread owner;
    private final List<Staged> staged = new ArrayList<>();
    private boolean closed;

    private Batch(Thread owner) {
      this.owner = owner;
    }

    private void checkNotStaged(Path target, Path file) {
      Path canonical = OutputPaths.canonical(file);
      for (Staged s : staged) {
        if (OutputPaths.canonical(s.file()).equals(canonical)) {
          throw new InvalidInputException("cannot write " + target + " twice in one batch (it"
              + " is also " + s.target() + ")");
        }
      }
    }

    /** The targets staged so far, in the order they were written. */
    public List<Path> targets() {
      return staged.stream().map(Staged::target).toList();
    }

    /**
     * Moves every staged write into place and ends the batch. When a move fails, the targets
     * already replaced get their old content back (where the file system keeps hard links) and
     * the staged files are deleted.
     *
     * @throws NeuroSegIOException naming the target that could not be moved into place
     * @throws StateException when the batch is closed or called from another thread
     */
    public void commit() {
      checkOpen();
      try {
        if (!staged.isEmpty()) {
          AtomicWrite.commit(new ArrayList<>(staged));
        }
        staged.clear();
      } finally {
        close();
      }
    }

    /** Ends the batch; what was staged and not committed is deleted, the targets unchanged. */
    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (Thread.currentThread() == owner) {
        OPEN.remove();
      }
      for (Staged s : staged) {
        deleteQuietly(s.temp());
      }
      staged.clear();
    }

    private void checkOpen() {
      if (closed) {
        throw new StateException("this batch of writes is closed");
      }
      if (Thread.currentThread() != owner) {
        throw new StateException("a batch of writes is committed by the thread that opened it");
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

  /**
   * Removes the temporary files (not directories) of our pattern in {@code dir} that a killed
   * run left: those of a process that is gone, once {@link #ORPHAN_AGE} old, and any once {@link
   * #STALE_AGE} old.
   */
  static void removeLeftovers(Path dir) {
    Instant now = Instant.now();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, ".*" + TAG + "*")) {
      for (Path p : s) {
        Matcher m = OURS.matcher(p.getFileName().toString());
        if (!m.matches()) {
          continue;
        }
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          continue; // a directory may be a store other processes are still filling
        }
        FileTime t = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
        Duration age = Duration.between(t.toInstant(), now);
        boolean alive;
        try {
          alive = ProcessHandle.of(Long.parseLong(m.group(1))).isPresent();
        } catch (NumberFormatException e) {
          alive = false;
        }
        if (age.compareTo(STALE_AGE) > 0 || !alive && age.compareTo(ORPHAN_AGE) > 0) {
          deleteQuietly(p);
        }
      }
    } catch (IOException | RuntimeException ignored) {
      // tidying is best effort; the write itself reports real problems
    }
  }

  // Files.createTempFile would give the final file owner-only permissions (0600); createFile
  // applies the process umask like any other writer, so users and group members can read results.
  private static Path createSibling(Path target, String kind, boolean directory)
      throws IOException {
    for (int attempt = 0; ; attempt++) {
      Path candidate = siblingName(target, kind);
      try {
        return directory ? Files.createDirectory(candidate) : Files.createFile(candidate);
      } catch (FileAlreadyExistsException e) {
        if (attempt >= 100) {
          throw e;
        }
      }
    }
  }

  private static Path siblingName(Path target, String kind) {
    return target.resolveSibling("." + target.getFileName() + TAG + ProcessHandle.current().pid()
        + "-" + Long.toUnsignedString(RANDOM.nextLong() >>> 1, 36) + "." + kind);
  }

  /** An existing file's POSIX permissions carried over to its replacement. */
  private static void keepPermissions(Path file, Path temp) throws IOException {
    PosixFileAttributeView from = Files.getFileAttributeView(file, PosixFileAttributeView.class);
    if (from != null && Files.exists(file)) {
      Files.setPosixFilePermissions(temp, from.readAttributes().permissions());
    }
  }

  private static void sync(Path temp, boolean directory) throws IOException {
    if (!directory) {
      try (FileChannel c = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        c.force(true);
      }
      return;
    }
    Files.walkFileTree(temp, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
        if (attrs.isRegularFile()) {
          try (FileChannel c = FileChannel.open(f, StandardOpenOption.WRITE)) {
            c.force(true);
          }
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException exc) {
        syncFolder(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** Flushes a folder's entries (the renames) to the disk, where the platform allows it. */
  private static void syncFolder(@Nullable Path dir) {
    if (dir == null) {
      return;
    }
    try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
      c.force(true);
    } catch (IOException | UnsupportedOperationException ignored) {
      // not every platform opens folders (Windows does not); the files themselves are synced
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      deleteTree(p);
    } catch (IOException ignored) {
      // the original failure is the one worth reporting
    }
  }

  /** Deletes a file, or a directory with everything in it; nothing when it does not exist. */
  static void deleteTree(Path p) throws IOException {
    if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      Files.deleteIfExists(p);
      return;
    }
    Files.walkFileTree(p, new SimpleFileVisitor<>() {
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
