package io.github.neuroseg.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.volume.CraftedFiles.Entry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Headers whose sizes claim more data than the file holds: refused before the voxel arrays are
 * allocated, with the file named.
 */
class HostileHeadersTest {
  @TempDir Path tmp;

  private FormatException refused(String name, byte[] bytes, String... parts) throws IOException {
    Path f = tmp.resolve(name);
    Files.write(f, bytes);
    FormatException e = assertThrows(FormatException.class, () -> Volumes.read(f));
    assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), e.getMessage());
    }
    return e;
  }

  @Test
  void v3drawSizesWhoseProductWrapsAroundToTheFileSize() throws IOException {
    // 2^15 * 2^15 * 2^30 * 2^4 = 2^64: a 64-bit product wraps to 0, the size of the voxel data
    byte[] f = CraftedFiles.v3draw(1, new long[] {1 << 15, 1 << 15, 1 << 30, 16}, new byte[0]);
    refused("wrap.v3draw", f, "more than 2^63 bytes", "the file holds 0 bytes");
  }

  @Test
  void v3drawSizesPastTheFileEnd() throws IOException {
    byte[] f = CraftedFiles.v3draw(2, new long[] {4000, 4000, 4000, 1}, new byte[100]);
    refused("big.v3draw", f, "128000000000 bytes", "holds 100 bytes");
  }

  @Test
  void compressedPagesClaimingMoreThanTheirCodecCanExpand() throws IOException {
    // 64 MiB from 40 kB of LZW is 1678:1; LZW reaches about 1400:1 at most
    byte[] data = new byte[40_000];
    byte[] f = CraftedFiles.tiff(data, List.of(CraftedFiles.page(8192, 8192, 5, 8,
        data.length)), 0);
    refused("lzw.tif", f, "1 compressed pages of 8192 x 8192", "expand at most 1400 times");
    // PackBits expands at most 64 times
    byte[] pb = CraftedFiles.tiff(data, List.of(CraftedFiles.page(2048, 2048, 32773, 8,
        data.length)), 0);
    refused("packbits.tif", pb, "expand at most 64 times");
  }

  @Test
  void manyPagesPointingAtOneStrip() throws IOException {
    byte[] strip = new byte[64 * 64];
    List<List<Entry>> ifds = Collections.nCopies(8000,
        CraftedFiles.page(64, 64, 1, 8, strip.length));
    refused("shared.tif", CraftedFiles.tiff(strip, ifds, 0),
        "8000 uncompressed pages of 64 x 64", "holds 4096 bytes");
    // each page with its own strip is read
    List<List<Entry>> own = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      own.add(CraftedFiles.page(64, 64, 1, 8 + k * strip.length, strip.length));
    }
    Path ok = tmp.resolve("own.tif");
    Files.write(ok, CraftedFiles.tiff(new byte[3 * strip.length], own, 0));
    assertArrayEquals(new long[] {64, 64, 3}, Volumes.read(ok).dimensions());
  }

  @Test
  void manyPagesPointingAtOneLargeValueArray() throws IOException {
    // 1000 IFDs share one array of 50000 strip offsets: 50 million values from a 300 kB file
    long[] offsets = new long[50_000];
    java.util.Arrays.fill(offsets, 8);
    List<Entry> page = new ArrayList<>(CraftedFiles.page(64, 64, 1, 8, 64));
    page.set(5, new Entry(TiffStructure.STRIP_OFFSETS, 4, offsets));
    page.set(6, Entry.of(TiffStructure.ROWS_PER_STRIP, 1));
    page.set(7, new Entry(TiffStructure.STRIP_BYTE_COUNTS, 4, offsets));
    byte[] data = new byte[4 * offsets.length];
    refused("values.tif", CraftedFiles.tiff(data, Collections.nCopies(1000, page), 8),
        "share their value arrays");
  }

  @Test
  void voxelsBeyondTheHeapAreRefusedBeforeAllocating() throws IOException {
    Path f = tmp.resolve("any.v3draw");
    Files.write(f, CraftedFiles.v3draw(1, new long[] {1, 1, 1, 1}, new byte[1]));
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> VolumeFile.read(f,
        file -> file.allocate(1 << 30, 1 << 30, 1 << 30, SampleKind.F32)));
    assertTrue(e.getMessage().startsWith(f + ": 1073741824 x 1073741824 x 1073741824 32-bit"
        + " float voxels would take more than 2^63 bytes, more than the JVM's maximum heap"),
        e.getMessage());
  }
}
