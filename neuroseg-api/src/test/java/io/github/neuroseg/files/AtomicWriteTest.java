package io.github.neuroseg.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.NeuroSegIOException;
import io.github.neuroseg.StateException;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicWriteTest {
  @TempDir Path dir;

  @Test
  void writesContentAndCreatesParents() throws IOException {
    Path target = dir.resolve("a/b/out.txt");
    AtomicWrite.write(target, temp -> Files.writeString(temp, "hello"));
    assertEquals("hello", Files.readString(target));
    assertEquals(List.of(target), listAll());
  }

  @Test
  void failedWriteKeepsThePreviousFileAndLeavesNoTemporaryFile() throws IOException {
    Path target = dir.resolve("out.txt");
    Files.writeString(target, "old");
    NeuroSegIOException e = assertThrows(NeuroSegIOException.class,
        () -> AtomicWrite.write(target, temp -> {
          Files.writeString(temp, "half");
          throw new IOException("disk full");
        }));
    assertTrue(e.getMessage().contains("out.txt") && e.getMessage().contains("disk full"),
        e.getMessage());
    assertEquals("old", Files.readString(target));
    assertEquals(List.of(target), listAll());
  }

  @Test
  void resultIsNotOwnerOnlyWhenTheUmaskAllowsGroupRead() throws IOException {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
    Path probe = Files.createFile(dir.resolve("probe")); // permissions the umask gives new files
    boolean umaskAllowsGroupRead =
        Files.getPosixFilePermissions(probe).contains(PosixFilePermission.GROUP_READ);
    assumeTrue(umaskAllowsGroupRead);
    Path target = dir.resolve("out.txt");
    AtomicWrite.write(target, temp -> Files.writeString(temp, "x"));
    assertEquals(Files.getPosixFilePermissions(probe), Files.getPosixFilePermissions(target));
  }

  private List<Path> listAll() throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).toList();
    }
  }

  @Test
  void aBatchMovesItsFilesIntoPlaceTogether() throws IOException {
    Path a = Files.writeString(dir.resolve("mask.tif"), "old mask");
    Path b = dir.resolve("sub/neuron.swc");
    try (AtomicWrite.Batch batch = AtomicWrite.batch()) {
      AtomicWrite.write(a, temp -> Files.writeString(temp, "new mask"));
      AtomicWrite.write(b, temp -> Files.writeString(temp, "new tree"));
      assertEquals(List.of(a, b), batch.targets());
      // staged, not yet in place
      assertEquals("old mask", Files.readString(a));
      assertFalse(Files.exists(b));
      batch.commit();
    }
    assertEquals("new mask", Files.readString(a));
    assertEquals("new tree", Files.readString(b));
    assertEquals(List.of(a, b), listAll());
  }

  @Test
  void aBatchClosedWithoutACommitLeavesEveryTargetAsItWas() throws IOException {
    Path a = Files.writeString(dir.resolve("a.txt"), "old");
    try (AtomicWrite.Batch batch = AtomicWrite.batch()) {
      AtomicWrite.write(a, temp -> Files.writeString(temp, "new"));
      AtomicWrite.write(dir.resolve("b.txt"), temp -> Files.writeString(temp, "new"));
      // the work fails before the commit
    }
    assertEquals("old", Files.readString(a));
    assertEquals(List.of(a), listAll());
    // the batch is over: writes are immediate again
    AtomicWrite.write(a, temp -> Files.writeString(temp, "now"));
    assertEquals("now", Files.readString(a));
  }

  @Test
  void aMoveFailingPartWayPutsTheFilesAlreadyReplacedBack() throws IOException {
    Path a = Files.writeString(dir.resolve("a.txt"), "old a");
    Path c = dir.resolve("c.txt");
    // a non-empty directory where the second file goes: its move fails
    Path blocked = Files.createDirectories(dir.resolve("b.txt/inside"));
    Files.writeString(blocked.resolve("x"), "x");
    NeuroSegIOException e;
    try (AtomicWrite.Batch batch = AtomicWrite.batch()) {
      AtomicWrite.write(a, temp -> Files.writeString(temp, "new a"));
      AtomicWrite.write(c, temp -> Files.writeString(temp, "new c"));
      AtomicWrite.write(dir.resolve("b.txt"), temp -> Files.writeString(temp, "new b"));
      e = assertThrows(NeuroSegIOException.class, batch::commit);
    }
    assertTrue(e.getMessage().startsWith("cannot write " + dir.resolve("b.txt")),
        e.getMessage());
    assertEquals("old a", Files.readString(a), "the replaced file has its old content back");
    assertFalse(Files.exists(c), "the new file is removed again");
    assertEquals(Set.of(a, blocked.resolve("x")), Set.copyOf(listAll()));
  }

  @Test
  void aDirectoryInABatchIsReplacedWholeOrNotAtAll() throws IOException {
    Path store = Files.createDirectory(dir.resolve("s.zarr"));
    Files.writeString(store.resolve("old"), "old");
    Path blocked = Files.createDirectories(dir.resolve("b.txt/inside"));
    try (AtomicWrite.Batch batch = AtomicWrite.batch()) {
      AtomicWrite.writeDirectory(store, temp -> Files.writeString(temp.resolve("new"), "new"));
      AtomicWrite.write(dir.resolve("b.txt"), temp -> Files.writeString(temp, "b"));
      assertThrows(NeuroSegIOException.class, batch::commit);
    }
    assertEquals(Set.of(store.resolve("old")), Set.copyOf(listAll()));
    Files.delete(blocked);
    try (AtomicWrite.Batch batch = AtomicWrite.batch()) {
      AtomicWrite.writeDirectory(store, temp -> Files.writeString(temp.resolve("new"), "new"));
      AtomicWrite.write(dir.resolve("b.txt/inside"), temp -> Files.writeString(temp, "b"));
      batch.commit();
    }
    assertEquals(Set.of(store.resolve("new"), dir.resolve("b.txt/inside")),
        Set.copyOf(listAll()));
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(2, s.count(), "no temporary or old directory is left");
    }
  }

  @Test
  void aFileIsWrittenOnlyOncePerBatchAndBatchesDoNotNest() {
    Path a = dir.resolve("a.txt");
    try (AtomicWrite.Batch batch = AtomicWrite.batch()) {
      AtomicWrite.write(a, temp -> Files.writeString(temp, "1"));
      assertThrows(InvalidInputException.class,
          () -> AtomicWrite.write(dir.resolve("./a.txt"), temp -> Files.writeString(temp, "2")));
      assertThrows(StateException.class, AtomicWrite::batch);
      batch.commit();
      assertThrows(StateException.class, batch::commit);
    }
  }

  @Test
  void aSymbolicLinkIsWrittenThroughAndStays() throws IOException {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
    Path real = Files.writeString(Files.createDirectory(dir.resolve("data")).resolve("m.tif"),
        "old");
    Path link = Files.createSymbolicLink(dir.resolve("m.tif"), Path.of("data/m.tif"));
    AtomicWrite.write(link, temp -> Files.writeString(temp, "new"));
    assertTrue(Files.isSymbolicLink(link));
    assertEquals("new", Files.readString(real));
    // a dangling link: the file it names is created
    Path dangling = Files.createSymbolicLink(dir.resolve("later.swc"), Path.of("data/l.swc"));
    AtomicWrite.write(dangling, temp -> Files.writeString(temp, "tree"));
    assertTrue(Files.isSymbolicLink(dangling));
    assertEquals("tree", Files.readString(dir.resolve("data/l.swc")));
  }

  @Test
  void aReplacedFileKeepsItsPermissions() throws IOException {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
    Path secret = Files.writeString(dir.resolve("secret.swc"), "old");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
    AtomicWrite.write(secret, temp -> Files.writeString(temp, "new"));
    assertEquals("new", Files.readString(secret));
    assertEquals(PosixFilePermissions.fromString("rw-------"),
        Files.getPosixFilePermissions(secret));
    Path shared = Files.writeString(dir.resolve("shared.swc"), "old");
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rw-rw-r--"));
    try (AtomicWrite.Batch batch = AtomicWrite.batch()) {
      AtomicWrite.write(shared, temp -> Files.writeString(temp, "new"));
      batch.commit();
    }
    assertEquals(PosixFilePermissions.fromString("rw-rw-r--"),
        Files.getPosixFilePermissions(shared));
  }

  @Test
  void leftoversOfAKilledRunAreRemovedAndNothingElse() throws Exception {
    Process gone = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-version").redirectErrorStream(true).start();
    gone.getInputStream().readAllBytes();
    gone.waitFor();
    long dead = gone.pid();
    long self = ProcessHandle.current().pid();
    FileTime quarterHour = FileTime.from(Instant.now().minus(Duration.ofMinutes(12)));
    FileTime twoDays = FileTime.from(Instant.now().minus(Duration.ofDays(2)));
    Path killed = leftover(".mask.tif.neuroseg-" + dead + "-k3x.tmp", quarterHour);
    Path killedBackup = leftover(".mask.tif.neuroseg-" + dead + "-k3y.bak", quarterHour);
    Path justNow = leftover(".mask.tif.neuroseg-" + dead + "-k3z.tmp",
        FileTime.from(Instant.now().minus(Duration.ofMinutes(5))));
    Path running = leftover(".run.swc.neuroseg-" + self + "-r1.tmp", quarterHour);
    Path ancient = leftover(".old.swc.neuroseg-" + self + "-r2.tmp", twoDays);
    Path notOurs = leftover(".mask.tif.tmp", twoDays);
    Path notOursEither = leftover("notes.neuroseg-" + dead + "-k3x.tmp", twoDays);
    // a temporary directory may be a store that processes elsewhere are still filling
    Path store = Files.createDirectory(dir.resolve(".s.zarr.neuroseg-" + dead + "-k4.tmp"));
    Files.setLastModifiedTime(store, twoDays);
    AtomicWrite.write(dir.resolve("out.txt"), temp -> Files.writeString(temp, "x"));
    assertFalse(Files.exists(killed), "a killed run's temporary file");
    assertFalse(Files.exists(killedBackup), "a killed run's backup");
    assertFalse(Files.exists(ancient), "over a day old");
    assertTrue(Files.exists(justNow), "too recent to tell");
    assertTrue(Files.exists(running), "its process is alive");
    assertTrue(Files.exists(notOurs) && Files.exists(notOursEither), "another pattern");
    assertTrue(Files.isDirectory(store), "a directory");
  }

  private Path leftover(String name, FileTime modified) throws IOException {
    Path p = Files.writeString(dir.resolve(name), "half");
    if (modified != null) {
      Files.setLastModifiedTime(p, modified);
    }
    return p;
  }
}
