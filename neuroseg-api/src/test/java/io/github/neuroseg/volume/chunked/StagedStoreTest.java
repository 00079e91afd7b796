package io.github.neuroseg.volume.chunked;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.NeuroSegIOException;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.Volumes;
import io.github.neuroseg.volume.VoxelSize;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stores written chunk by chunk, in any order and from several threads, then committed. */
class StagedStoreTest {
  @TempDir Path tmp;

  @Test
  void chunksWrittenInAnyOrderGiveTheStoreTheWholeWriteGives() {
    qt().withFixedSeed(5L).withExamples(12).forAll(integers().between(0, 7),
        integers().between(0, 2), longs().all()).checkAssert((typeIndex, fmt, seed) -> {
          SplittableRandom r = new SplittableRandom(seed);
          long[] dims = {r.nextInt(1, 30), r.nextInt(1, 20), r.nextInt(1, 9)};
          Img<? extends RealType<?>> img = ChunkedRoundTripTest.randomImage(typeIndex, dims, seed);
          ChunkedFormat format = ChunkedFormat.values()[fmt];
          ChunkedWriter writer = ChunkedWriter.newBuilder().format(format)
              .chunkSize(r.nextInt(1, 12), r.nextInt(1, 12), r.nextInt(1, 5))
              .codec(ChunkedRoundTripTest.codec(r.nextInt(0, 6))).build();
          Path whole = tmp.resolve("whole-" + seed + ".zarr");
          Path staged = tmp.resolve("staged-" + seed + ".zarr");
          VoxelSize vs = new VoxelSize(0.5, 0.5, 2, "micron");
          writer.write(new Volume(img, vs, "v", Map.of()), whole);
          StagedStore s = roundTrip(writer.stage(staged, dims, img.getType(), vs, "v"));
          assertFalse(Files.exists(staged), "nothing at the target before the commit");
          long[] g = s.grid();
          List<long[]> chunks = new ArrayList<>();
          for (long z = 0; z < g[2]; z++) {
            for (long y = 0; y < g[1]; y++) {
              for (long x = 0; x < g[0]; x++) {
                chunks.add(new long[] {x, y, z});
              }
            }
          }
          Collections.shuffle(chunks, new java.util.Random(seed));
          // each chunk from a translated copy of its block only, on several threads
          IntStream.range(0, chunks.size()).parallel().forEach(i -> {
            long[] c = chunks.get(i);
            RandomAccessibleInterval<? extends RealType<?>> block =
                Views.interval(img, s.chunkMin(c), s.chunkMax(c));
            s.writeChunk(c, block);
          });
          s.commit();
          assertFalse(Files.exists(s.directory()));
          Volume a = Volumes.read(whole);
          Volume b = Volumes.read(staged);
          assertEquals(a.voxelSize(), b.voxelSize());
          assertArrayEquals(a.dimensions(), b.dimensions());
          Cursor<? extends RealType<?>> ca = Views.flatIterable(a.image()).cursor();
          Cursor<? extends RealType<?>> cb = Views.flatIterable(b.image()).cursor();
          while (ca.hasNext()) {
            assertEquals(Double.doubleToLongBits(ca.next().getRealDouble()),
                Double.doubleToLongBits(cb.next().getRealDouble()));
          }
        });
  }

  @Test
  void commitReplacesAnOldStoreAndAbortLeavesItAlone() throws IOException {
    Img<? extends RealType<?>> img = ChunkedRoundTripTest.randomImage(0, new long[] {4, 4, 2}, 1);
    Path target = tmp.resolve("m.zarr");
    ChunkedWriter w = ChunkedWriter.newBuilder().chunkSize(2, 2, 2).build();
    w.write(new Volume(img, VoxelSize.UNIT, "old", Map.of()), target);
    StagedStore aborted = w.stage(target, new long[] {4, 4, 2}, img.getType(), VoxelSize.UNIT,
        "new");
    aborted.writeChunk(new long[] {0, 0, 0}, img);
    aborted.abort();
    assertFalse(Files.exists(aborted.directory()));
    assertThrows(NeuroSegIOException.class, aborted::commit);
    assertEquals("m", Volumes.read(target).name());
    StagedStore s = w.stage(target, new long[] {4, 4, 2}, img.getType(), VoxelSize.UNIT, "new");
    assertThrows(InvalidInputException.class, () -> s.writeChunk(new long[] {2, 0, 0}, img));
    assertThrows(InvalidInputException.class, () -> s.chunkMin(new long[] {0, -1, 0}));
    s.writeChunk(new long[] {1, 1, 0}, img);
    s.commit();
    Volume back = Volumes.read(target);
    // unwritten chunks read as 0, the written one as the image
    assertEquals(0, back.image().getAt(0, 0, 0).getRealDouble());
    assertEquals(img.getAt(3, 3, 1).getRealDouble(), back.image().getAt(3, 3, 1).getRealDouble());
    Files.writeString(tmp.resolve("plain.zarr"), "x");
    assertThrows(InvalidInputException.class, () -> w.stage(tmp.resolve("plain.zarr"),
        new long[] {1, 1, 1}, img.getType(), VoxelSize.UNIT, "p"));
    assertThrows(InvalidInputException.class, () -> w.stage(tmp.resolve("e.zarr"),
        new long[] {0, 1, 1}, img.getType(), VoxelSize.UNIT, "p"));
    assertTrue(s.toString().contains("m.zarr"));
  }

  private static StagedStore roundTrip(StagedStore s) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
        out.writeObject(s);
      }
      try (ObjectInputStream in =
          new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
        return (StagedStore) in.readObject();
      }
    } catch (IOException | ClassNotFoundException e) {
      throw new AssertionError(e);
    }
  }
}
