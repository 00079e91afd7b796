package io.github.neuroseg.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.volume.CraftedFiles.Entry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TIFF Orientation tag: stacks stored bottom-up or mirrored (as some tools write them) are
 * read the way viewers show them, whichever decoder reads the strips.
 */
class OrientationTest {
  @TempDir Path tmp;

  /** The 3 x 2 picture as a viewer shows it: rows top to bottom. */
  private static final double[] UPRIGHT = {1, 2, 3, 4, 5, 6};

  private static List<Entry> page(int compression, long offset, long bytes, long orientation) {
    List<Entry> e = new ArrayList<>(CraftedFiles.page(3, 2, compression, offset, bytes));
    e.add(Entry.of(TiffStructure.ORIENTATION, orientation));
    return e;
  }

  private Volume read(String name, byte[] bytes) throws IOException {
    return Volumes.read(Files.write(tmp.resolve(name), bytes));
  }

  private static double[] voxels(Volume v) {
    List<Double> out = new ArrayList<>();
    for (RealType<?> t : Views.flatIterable(v.image())) {
      out.add(t.getRealDouble());
    }
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }

  @Test
  void orientationsOneToFourAreReadUpright() throws IOException {
    // the bytes each orientation stores for the same upright picture
    byte[][] stored = {
        {1, 2, 3, 4, 5, 6}, // 1: top-left
        {3, 2, 1, 6, 5, 4}, // 2: top-right (mirrored)
        {6, 5, 4, 3, 2, 1}, // 3: bottom-right (rotated 180 degrees)
        {4, 5, 6, 1, 2, 3}}; // 4: bottom-left (rows bottom to top)
    for (int o = 1; o <= 4; o++) {
      Volume v = read("o" + o + ".tif", CraftedFiles.tiff(stored[o - 1],
          List.of(page(1, 8, 6, o)), 0));
      assertArrayEquals(UPRIGHT, voxels(v), "orientation " + o);
      assertEquals(o == 1 ? null : Integer.toString(o), v.metadata().get("tiff.orientation"));
    }
  }

  @Test
  void compressedStripsAreTurnedUprightToo() throws IOException {
    // PackBits, read by neuroseg's own decoder: one literal run per row
    byte[] packBits = {2, 4, 5, 6, 2, 1, 2, 3};
    Volume v = read("pb.tif", CraftedFiles.tiff(packBits, List.of(page(32773, 8,
        packBits.length, 4)), 0));
    assertArrayEquals(UPRIGHT, voxels(v));
  }

  @Test
  void bilevelPagesReadByTheFallbackDecoderAreTurnedUpright() throws IOException {
    // 1-bit pixels go to the TwelveMonkeys decoder: an 8 x 2 page, row 0 stored last
    byte[] rows = {(byte) 0b0000_0001, (byte) 0b1000_0000};
    List<List<Entry>> normal = List.of(bilevel(1));
    List<List<Entry>> bottomUp = List.of(bilevel(4));
    double[] upright = voxels(read("b1.tif", CraftedFiles.tiff(new byte[] {rows[1], rows[0]},
        normal, 0)));
    assertFalse(Arrays.equals(Arrays.copyOfRange(upright, 0, 8),
        Arrays.copyOfRange(upright, 8, 16)), "the rows differ, so a flip shows");
    assertArrayEquals(upright, voxels(read("b4.tif", CraftedFiles.tiff(rows, bottomUp, 0))));
  }

  private static List<Entry> bilevel(long orientation) {
    List<Entry> e = new ArrayList<>(CraftedFiles.page(8, 2, 1, 8, 2));
    e.set(2, Entry.of(TiffStructure.BITS_PER_SAMPLE, 1));
    e.add(Entry.of(TiffStructure.ORIENTATION, orientation));
    return e;
  }

  private static final byte[] UPRIGHT_BYTES = {1, 2, 3, 4, 5, 6};

  @Test
  void rotatedAndInvalidOrientationsAndMixedPagesAreRefused() throws IOException {
    for (int o : new int[] {5, 6, 7, 8}) {
      Path f = Files.write(tmp.resolve("r" + o + ".tif"), CraftedFiles.tiff(UPRIGHT_BYTES,
          List.of(page(1, 8, 6, o)), 0));
      FormatException e = assertThrows(FormatException.class, () -> Volumes.read(f));
      assertTrue(e.getMessage().contains("orientation " + o + " (the stored rows are the"
          + " image's columns") && e.getMessage().contains("not supported"), e.getMessage());
    }
    Path bad = Files.write(tmp.resolve("r9.tif"), CraftedFiles.tiff(UPRIGHT_BYTES,
        List.of(page(1, 8, 6, 9)), 0));
    assertTrue(assertThrows(FormatException.class, () -> Volumes.read(bad)).getMessage()
        .contains("invalid orientation 9"));
    byte[] two = {1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6};
    Path mixed = Files.write(tmp.resolve("mixed.tif"), CraftedFiles.tiff(two,
        List.of(page(1, 8, 6, 1), page(1, 14, 6, 4)), 0));
    assertTrue(assertThrows(FormatException.class, () -> Volumes.read(mixed)).getMessage()
        .contains("page 1 has orientation 4 but page 0 has 1"));
  }
}
