package io.github.neuroseg.train;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.FormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints built to break the readers: each is refused with a FormatException. */
class HostileCheckpointsTest {
  @TempDir Path tmp;

  static Path safetensors(Path f, String header, byte[] data) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    Files.write(f, b.array());
    return f;
  }

  private static FormatException refused(Path f, String... parts) {
    FormatException e = assertThrows(FormatException.class, () -> SafeTensors.read(f));
    assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), e.getMessage());
    }
    return e;
  }

  @Test
  void deeplyNestedJsonHeadersAreRefusedWithoutRecursingDeeply() throws IOException {
    // 20 kB of nested arrays: a recursive parser without a limit overflows the stack
    String deep = "{\"x\":" + "[".repeat(200_000) + "]".repeat(200_000) + "}";
    refused(safetensors(tmp.resolve("deep.safetensors"), deep, new byte[0]),
        "nested deeper than 64 levels");
    // nesting within the limit is still parsed (and then refused as a bad entry)
    String fine = "{\"x\":" + "[".repeat(60) + "]".repeat(60) + "}";
    refused(safetensors(tmp.resolve("fine.safetensors"), fine, new byte[0]),
        "entry 'x' must be an object");
  }
}
