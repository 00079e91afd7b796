package io.github.neuroseg.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.NeuroSegIOException;
import io.github.neuroseg.volume.Volumes;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputPathsTest {
  @TempDir Path dir;

  @Test
  void aFileMayBeWrittenBesideOthersOrInFoldersStillToBeCreated() throws IOException {
    OutputPaths.checkFile(dir.resolve("out.tif"));
    OutputPaths.checkFile(dir.resolve("a/b/c/out.tif"));
    Files.writeString(dir.resolve("old.swc"), "1 1 0 0 0 1 -1\n");
    OutputPaths.checkFile(dir.resolve("old.swc"));
    OutputPaths.checkDirectory(dir.resolve("new/store.zarr"));
    OutputPaths.checkDirectory(dir);
    assertEquals(0, Files.list(dir).filter(p -> !p.endsWith("old.swc")).count(),
        "checking creates nothing");
  }

  @Test
  void aDirectoryOrAFileInTheWayIsRefusedAsAPathThatCannotBeTheOutput() throws IOException {
    Path file = Files.writeString(dir.resolve("file.txt"), "x");
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> OutputPaths.checkFile(dir));
    assertEquals("cannot write the file " + dir + ": it is a directory", e.getMessage());
    e = assertThrows(InvalidInputException.class,
        () -> OutputPaths.checkFile(file.resolve("sub/out.tif")));
    assertEquals("cannot write " + file.resolve("sub/out.tif") + ": " + file
        + " is a file, not a folder", e.getMessage());
    e = assertThrows(InvalidInputException.class, () -> OutputPaths.checkDirectory(file));
    assertEquals("cannot write the folder " + file + ": it is a file, not a folder",
        e.getMessage());
  }

  @Test
  void aFolderThatCannotBeWrittenIsAnIoError() throws IOException {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
    Path locked = Files.createDirectory(dir.resolve("locked"));
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      assumeFalse(Files.isWritable(locked), "permissions are not enforced (run as root)");
      NeuroSegIOException e = assertThrows(NeuroSegIOException.class,
          () -> OutputPaths.checkFile(locked.resolve("sub/out.tif")));
      assertEquals("cannot write " + locked.resolve("sub/out.tif") + ": the folder " + locked
          + " is not writable", e.getMessage());
    } finally {
      Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  @Test
  void volumesAreCheckedByFormatBeforeAnyWork() throws IOException {
    Volumes.checkWritable(dir.resolve("m.tif"));
    Volumes.checkWritable(dir.resolve("m.V3DRAW"));
    Volumes.checkWritable(dir.resolve("m.zarr"));
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> Volumes.checkWritable(dir.resolve("m.png")));
    assertTrue(e.getMessage().startsWith("cannot tell the volume format of "), e.getMessage());
    Path folder = Files.createDirectory(dir.resolve("photos.zarr"));
    Files.writeString(folder.resolve("holiday.jpg"), "x");
    e = assertThrows(InvalidInputException.class, () -> Volumes.checkWritable(folder));
    assertTrue(e.getMessage().startsWith("refusing to replace " + folder), e.getMessage());
    assertThrows(InvalidInputException.class,
        () -> Volumes.checkWritable(Files.createDirectory(dir.resolve("d.tif"))));
  }

  @Test
  void sameFileSeesThroughRelativePathsLinksAndFoldersNotYetCreated() throws IOException {
    Path input = Files.writeString(dir.resolve("in.tif"), "stack");
    Path cwd = Path.of("").toAbsolutePath();
    assertTrue(OutputPaths.sameFile(input, cwd.relativize(input)));
    assertTrue(OutputPaths.sameFile(input, dir.resolve("sub/../in.tif")));
    assertTrue(OutputPaths.sameFile(dir.resolve("new/out.tif"), dir.resolve("new/./out.tif")));
    assertFalse(OutputPaths.sameFile(input, dir.resolve("out.tif")));
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
    Path link = Files.createSymbolicLink(dir.resolve("link.tif"), input.getFileName());
    assertTrue(OutputPaths.sameFile(link, input));
    Path folderLink = Files.createSymbolicLink(dir.resolve("alias"), dir);
    assertTrue(OutputPaths.sameFile(folderLink.resolve("in.tif"), input));
    assertTrue(OutputPaths.sameFile(folderLink.resolve("later/x.swc"),
        dir.resolve("later/x.swc")));
    Path dangling = Files.createSymbolicLink(dir.resolve("dangling.tif"), Path.of("later.tif"));
    assertTrue(OutputPaths.sameFile(dangling, dir.resolve("later.tif")));
    Path hard = Files.createLink(dir.resolve("hard.tif"), input);
    assertTrue(OutputPaths.sameFile(hard, input));
  }
}
