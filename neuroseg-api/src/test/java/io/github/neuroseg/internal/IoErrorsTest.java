package io.github.neuroseg.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.github.neuroseg.NeuroSegIOException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class IoErrorsTest {

  @Test
  void aMissingTargetReadsNoSuchFile() {
    Path p = Path.of("data", "stack.tif");
    NoSuchFileException missing = new NoSuchFileException(p.toString());
    NeuroSegIOException e = IoErrors.cannotRead(p, missing);
    assertEquals("cannot read " + p + ": no such file", e.getMessage());
    assertSame(missing, e.getCause());
  }

  @Test
  void anotherMissingFileIsNamed() {
    NeuroSegIOException e = IoErrors.cannotWrite(Path.of("out/a.tif"),
        new NoSuchFileException("out/.a.tif.x1.tmp"));
    assertEquals("cannot write out/a.tif: no such file out/.a.tif.x1.tmp", e.getMessage());
  }

  @Test
  void otherFailuresKeepTheirDescription() {
    IOException denied = new AccessDeniedException("/root/x.swc");
    assertEquals("cannot read SWC file /root/x.swc: " + denied,
        IoErrors.cannot("read SWC file", "/root/x.swc", denied).getMessage());
    assertEquals("cannot list runs: java.io.IOException: disk on fire",
        IoErrors.cannot("list", "runs", new IOException("disk on fire")).getMessage());
  }
}
