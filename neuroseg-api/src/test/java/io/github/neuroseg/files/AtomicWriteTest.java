package io.github.neuroseg.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.neuroseg.NeuroSegIOException;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
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
}
