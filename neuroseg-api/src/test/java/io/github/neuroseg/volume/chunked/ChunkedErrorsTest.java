package io.github.neuroseg.volume.chunked;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.NeuroSegException;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.Volumes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import net.imglib2.Cursor;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad stores give a FormatException that names the file and the problem. */
class ChunkedErrorsTest {
  private static final long SEED = 20261202L;

  @TempDir Path tmp;

  private int copies;

  private Path copy(String fixture) throws IOException {
    return copyTo(fixture, tmp.resolve("copy" + copies++).resolve(fixture));
  }

  /** Reads every voxel, so every chunk is decoded. */
  private static double sum(Volume v) {
    double s = 0;
    Cursor<? extends RealType<?>> c = Views.flatIterable(v.image()).cursor();
    while (c.hasNext()) {
      s += c.next().getRealDouble();
    }
    return s;
  }

  private static FormatException readFails(Path store) {
    return assertThrows(FormatException.class, () -> sum(Volumes.read(store)));
  }

  private static void assertMentions(Exception e, String... parts) {
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "expected \"" + p + "\" in: " + e.getMessage());
    }
  }

  private static void edit(Path file, String from, String to) throws IOException {
    String s = Files.readString(file);
    assertTrue(s.contains(from), file + " should contain " + from);
    Files.writeString(file, s.replace(from, to));
  }

  @Test
  void missingMetadataIsNamed() throws IOException {
    Path s = copy("ome04-multiscale.zarr");
    Files.delete(s.resolve("0/.zarray"));
    assertMentions(readFails(s), ".zarray", s.resolve("0").toString());

    Path v3 = copy("v3-uint16-gzip.zarr");
    Files.delete(v3.resolve("0/zarr.json"));
    assertMentions(readFails(v3), "zarr.json");

    Path n5 = copy("n5-multiscale.n5");
    Files.delete(n5.resolve("s0/attributes.json"));
    assertMentions(readFails(n5), "s0");

    Path empty = tmp.resolve("empty.zarr");
    Files.createDirectories(empty);
    assertMentions(readFails(empty), ".zarray", "zarr.json", "attributes.json");
  }

  @Test
  void unknownTypesAndCodecsAreNamed() throws IOException {
    Path s = copy("v2-uint16-gzip.zarr");
    edit(s.resolve(".zarray"), "\"<u2\"", "\"<c8\"");
    assertMentions(readFails(s), "unsupported dtype", "<c8");

    Path c = copy("v2-uint16-gzip.zarr");
    edit(c.resolve(".zarray"), "\"gzip\"", "\"bz2\"");
    assertMentions(readFails(c), "unsupported compressor", "bz2");

    Path v3 = copy("v3-uint16-zstd.zarr");
    edit(v3.resolve("0/zarr.json"), "\"zstd\"", "\"lzma\"");
    assertMentions(readFails(v3), "unsupported codec", "lzma");

    Path n5 = copy("n5-uint16-gzip.n5");
    edit(n5.resolve("attributes.json"), "\"uint16\"", "\"complex64\"");
    assertMentions(readFails(n5), "unsupported dataType", "complex64");
  }

  @Test
  void chunksOfTheWrongSizeAreNamed() throws IOException {
    Path s = copy("v2-uint16-raw.zarr");
    Path chunk = s.resolve("0.0.0");
    byte[] b = Files.readAllBytes(chunk);
    Files.write(chunk, java.util.Arrays.copyOf(b, b.length - 2));
    assertMentions(readFails(s), chunk.toString(), "expected a chunk of " + b.length);

    Path n5 = copy("n5-uint16-raw.n5");
    Path block = n5.resolve("0/0/0");
    byte[] nb = Files.readAllBytes(block);
    nb[7] = 99; // the header's x size: 99 > the block size 7
    Files.write(block, nb);
    assertMentions(readFails(n5), block.toString(), "block size");
  }

  @Test
  void headersClaimingSizesPastTheFileAreNamed() throws IOException {
    Path s = copy("v2-uint16-blosc-zstd-shuffle.zarr");
    Path chunk = s.resolve("0.0.0");
    byte[] b = Files.readAllBytes(chunk);
    b[12] = (byte) 0xff; // compressed size
    b[13] = (byte) 0xff;
    Files.write(chunk, b);
    assertMentions(readFails(s), chunk.toString(), "compressed bytes");

    Path n5 = copy("n5-uint16-gzip.n5");
    Path block = n5.resolve("0/0/0");
    Files.write(block, java.util.Arrays.copyOf(Files.readAllBytes(block), 9));
    assertMentions(readFails(n5), block.toString(), "header");

    Path sh = copy("v3-uint16-sharded-gzip.zarr");
    Path shard = sh.resolve("0/c/0/0/0");
    Files.write(shard, java.util.Arrays.copyOf(Files.readAllBytes(shard), 20));
    assertMentions(readFails(sh), shard.toString(), "shard");
  }

  @Test
  void truncatedCompressedDataIsNamed() throws IOException {
    for (String f : new String[] {"v2-uint16-gzip.zarr", "v2-uint16-zlib.zarr",
        "v2-uint16-zstd.zarr", "v2-uint16-lz4.zarr", "v2-uint16-blosc-lz4-shuffle.zarr",
        "v2-uint16-blosc-zlib-bitshuffle.zarr"}) {
      Path s = copy(f);
      Path chunk = s.resolve("0.0.0");
      byte[] b = Files.readAllBytes(chunk);
      Files.write(chunk, java.util.Arrays.copyOf(b, b.length * 2 / 3));
      assertMentions(readFails(s), chunk.toString());
    }
  }

  @Test
  void badJsonIsNamed() throws IOException {
    Path s = copy("v2-uint16-gzip.zarr");
    Files.writeString(s.resolve(".zarray"), "{\"zarr_format\": 2, \"shape\": [7, 11");
    assertMentions(readFails(s), ".zarray", "JSON");
  }

  /**
   * Fuzzing: random damage to chunk files and metadata of every kind of store. Each read must
   * end, quickly, in a typed neuroseg error or in voxel values; never another exception, a hang
   * or an allocation beyond the file's claims.
   */
  @Test
  void damagedStoresGiveTypedErrorsOrValues() throws IOException {
    String[] fixtures = {"v2-uint16-blosc-lz4-shuffle.zarr", "v2-uint16-blosc-zstd-bitshuffle.zarr",
        "v2-uint16-blosc-zlib-noshuffle.zarr", "v2-uint16-blosc-snappy-shuffle.zarr",
        "v2-uint16-gzip.zarr", "v2-uint16-zstd.zarr", "v2-uint16-lz4.zarr",
        "v2-uint16-big-blosc-snappy-shuffle.zarr", "ome04-multiscale.zarr", "n5-uint16-gzip.n5",
        "n5-int16-blosc.n5", "n5-multiscale.n5", "v3-uint16-sharded-gzip.zarr",
        "v3-uint16-blosc-bitshuffle-crc32c.zarr", "v3-float32-bigendian-blosc.zarr"};
    SplittableRandom r = new SplittableRandom(SEED);
    int errors = 0;
    int values = 0;
    for (int trial = 0; trial < 300; trial++) {
      String fixture = fixtures[trial % fixtures.length];
      Path store = tmp.resolve("fuzz" + trial);
      Files.createDirectories(store);
      Path s = copyTo(fixture, store.resolve(fixture));
      List<Path> files = new ArrayList<>();
      try (Stream<Path> w = Files.walk(s)) {
        w.filter(Files::isRegularFile).forEach(files::add);
      }
      files.sort(null);
      boolean metadata = r.nextInt(3) == 0;
      List<Path> pool = files.stream().filter(p -> isMetadata(p) == metadata).toList();
      Path victim = pool.get(r.nextInt(pool.size()));
      String what = "trial " + trial + " (seed " + SEED + "): " + fixture + " "
          + s.relativize(victim) + " " + mutate(victim, r, metadata);
      try {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
          Volume vol = Volumes.read(s);
          // bounded work even when a mutated shape is huge: the original extent at most
          long[] d = vol.dimensions();
          double acc = 0;
          var ra = vol.image().randomAccess();
          for (long z = 0; z < Math.min(d[2], 8); z++) {
            for (long y = 0; y < Math.min(d[1], 41); y++) {
              for (long x = 0; x < Math.min(d[0], 49); x++) {
                ra.setPosition(new long[] {x, y, z});
                acc += ra.get().getRealDouble();
              }
            }
          }
          return acc;
        }, what);
        values++;
      } catch (NeuroSegException e) {
        errors++;
        if (e instanceof FormatException fe) {
          assertTrue(fe.getMessage().contains(tmp.toString()), what + ": the message names the"
              + " file: " + fe.getMessage());
        }
      } catch (RuntimeException | Error e) {
        fail(what + ": expected a NeuroSegException or values, got " + e, e);
      }
    }
    assertTrue(errors > 50, "damage should mostly be detected: " + errors + " errors, " + values
        + " readable");
    assertTrue(values > 10, "some damage leaves valid files: " + values);
  }

  private static boolean isMetadata(Path p) {
    String n = p.getFileName().toString();
    return n.startsWith(".z") || n.endsWith(".json");
  }

  private Path copyTo(String fixture, Path dst) throws IOException {
    Path src = Fixtures.store(fixture);
    try (Stream<Path> s = Files.walk(src)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path t = dst.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
    return dst;
  }

  private static final String[] TOKENS = {"-1", "0", "1", "2147483648", "99999999999", "1e30",
      "\"abc\"", "null", "[]", "{}", "[1, 2]", "true", "\"<f2\"", "\"NaN\"", "3.5"};

  /** Damages a file; returns what was done, for the failure message. */
  private static String mutate(Path file, SplittableRandom r, boolean metadata)
      throws IOException {
    byte[] b = Files.readAllBytes(file);
    int kind = r.nextInt(metadata ? 5 : 4);
    switch (kind) {
      case 0 -> {
        int n = 1 + r.nextInt(4);
        for (int i = 0; i < n && b.length > 0; i++) {
          b[r.nextInt(b.length)] = (byte) r.nextInt(256);
        }
        Files.write(file, b);
        return "random bytes changed";
      }
      case 1 -> {
        int len = b.length == 0 ? 0 : r.nextInt(b.length);
        Files.write(file, java.util.Arrays.copyOf(b, len));
        return "truncated to " + len;
      }
      case 2 -> {
        if (b.length >= 16) {
          int off = r.nextInt(Math.min(b.length, 32) - 3);
          int v = r.nextBoolean() ? r.nextInt() : r.nextInt(1 << 16);
          b[off] = (byte) v;
          b[off + 1] = (byte) (v >> 8);
          b[off + 2] = (byte) (v >> 16);
          b[off + 3] = (byte) (v >> 24);
        }
        Files.write(file, b);
        return "a header word overwritten";
      }
      case 3 -> {
        byte[] more = java.util.Arrays.copyOf(b, b.length + 1 + r.nextInt(64));
        Files.write(file, more);
        return "bytes appended";
      }
      default -> {
        // replace one JSON number, string or literal with another token
        String s = new String(b, StandardCharsets.UTF_8);
        java.util.regex.Matcher m = java.util.regex.Pattern
            .compile("-?[0-9][0-9.e+-]*|\"[^\"]*\"|null|true|false").matcher(s);
        List<int[]> spans = new ArrayList<>();
        while (m.find()) {
          spans.add(new int[] {m.start(), m.end()});
        }
        int[] sp = spans.get(r.nextInt(spans.size()));
        String token = TOKENS[r.nextInt(TOKENS.length)];
        String out = s.substring(0, sp[0]) + token + s.substring(sp[1]);
        Files.writeString(file, out);
        return "JSON token " + s.substring(sp[0], sp[1]) + " -> " + token;
      }
    }
  }
}
