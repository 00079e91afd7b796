package io.github.neuroseg.testing;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.neuroseg.NeuroSegException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Fuzzing of file readers on mutated valid files (this class is in the api's test jar, for the
 * readers of every module): each case is a valid file with a few mutations (bits flipped, bytes
 * and integers set to boundary values, the file cut short, chunks repeated or removed; text also
 * gets hostile tokens), read once. The reader must return a value that {@code check} accepts or
 * throw a {@link NeuroSegException}, within {@link #TIME_LIMIT} and allocating at most {@link
 * #MEMORY_LIMIT} bytes; anything else (another exception, an error, a hang, a runaway
 * allocation) fails the test with the QuickTheories seed and the case's own seed, from which
 * {@link #mutate} rebuilds the file.
 */
public final class Fuzz {
  /** The longest one read may take. */
  public static final Duration TIME_LIMIT = Duration.ofSeconds(10);
  /** The most bytes one read of a small file may allocate. */
  public static final long MEMORY_LIMIT = 64L << 20;

  private Fuzz() {}

  /**
   * The seed of a test: {@code fixed}, unless the system property {@code neuroseg.fuzz.seed}
   * gives another (for longer runs by hand).
   */
  public static long seed(long fixed) {
    return Long.getLong("neuroseg.fuzz.seed", fixed);
  }

  /**
   * The cases of a test: {@code cases} times the system property {@code neuroseg.fuzz.scale}
   * (default 1), e.g. {@code -Dneuroseg.fuzz.scale=20} for a long run by hand.
   */
  public static int examples(int cases) {
    return (int) Math.min(Integer.MAX_VALUE, (long) cases
        * Math.max(1, Integer.getInteger("neuroseg.fuzz.scale", 1)));
  }

  /** Reads a file; what it returns is checked by the second argument of {@link #run}. */
  @FunctionalInterface
  public interface Reader<T> {
    T read(Path file);
  }

  /** Checks what a read returned: throws when the value is not valid. */
  @FunctionalInterface
  public interface Check<T> {
    void accept(T value);
  }

  /** What a run saw, for the test to report. */
  public record Summary(int cases, int values, int refusals, long maxAllocated,
      Duration slowest) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%d cases: %d values, %d typed errors; slowest %d ms,"
          + " most allocated %.1f MiB", cases, values, refusals, slowest.toMillis(),
          maxAllocated / (double) (1 << 20));
    }
  }

  /**
   * Reads {@code examples} mutations of the {@code valid} files.
   *
   * @param seed QuickTheories' fixed seed, reported on failure
   * @param examples how many cases
   * @param valid the valid files mutated, picked at random
   * @param text whether the files are text (then hostile tokens are inserted too)
   * @param dir where the cases are written
   * @param extension the name ending of the files written, e.g. {@code ".tif"}
   * @param reader the reader under test
   * @param check what a returned value must satisfy
   * @return what the run saw
   */
  public static <T> Summary run(long seed, int examples, List<byte[]> valid, boolean text,
      Path dir, String extension, Reader<T> reader, Check<T> check) {
    int[] counts = new int[3];
    long[] maxAllocated = {0};
    Duration[] slowest = {Duration.ZERO};
    ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "fuzz-reader");
      t.setDaemon(true);
      return t;
    });
    try {
      qt().withFixedSeed(seed).withExamples(examples)
          .forAll(integers().between(0, valid.size() - 1), longs().all())
          .checkAssert((which, caseSeed) -> {
            byte[] bytes = mutate(valid.get(which), caseSeed, text);
            Path f = dir.resolve("case" + extension);
            try {
              Files.write(f, bytes);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
            String where = "fuzz seed " + seed + ", file " + which + ", case seed " + caseSeed
                + " (Fuzz.mutate rebuilds it)";
            Outcome o = readOnce(worker, f, reader, check, where);
            counts[0]++;
            counts[o.value() ? 1 : 2]++;
            maxAllocated[0] = Math.max(maxAllocated[0], o.allocated());
            if (o.time().compareTo(slowest[0]) > 0) {
              slowest[0] = o.time();
            }
            if (o.allocated() > MEMORY_LIMIT) {
              throw new AssertionError(where + ": the read allocated " + o.allocated()
                  + " bytes for a file of " + bytes.length);
            }
          });
    } finally {
      worker.shutdownNow();
    }
    return new Summary(counts[0], counts[1], counts[2], maxAllocated[0], slowest[0]);
  }

  private record Outcome(boolean value, long allocated, Duration time) {}

  private static <T> Outcome readOnce(ExecutorService worker, Path f, Reader<T> reader,
      Check<T> check, String where) {
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long start = System.nanoTime();
    Future<Outcome> future = worker.submit(() -> {
      long id = Thread.currentThread().getId();
      long before = mx.getThreadAllocatedBytes(id);
      boolean value;
      try {
        check.accept(reader.read(f));
        value = true;
      } catch (NeuroSegException e) {
        value = false;
      }
      return new Outcome(value, mx.getThreadAllocatedBytes(id) - before,
          Duration.ofNanos(System.nanoTime() - start));
    });
    try {
      return future.get(TIME_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new AssertionError(where + ": the read took longer than " + TIME_LIMIT);
    } catch (ExecutionException e) {
      throw new AssertionError(where + ": not a NeuroSegException nor a valid value: "
          + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(where + ": interrupted", e);
    }
  }

  /** Tokens that stress text parsers: boundaries, specials, separators, control characters. */
  private static final String[] TOKENS = {"-1", "0", "nan", "NaN", "inf", "-Infinity", "1e309",
      "-1e-400", "9223372036854775808", "99999999999999999999", "0x10", "1.5f", "#", " ", "\t",
      "\r", "\n", "\r\n", "\u0000", "\u001b[2J", "\uFEFF", "\u202e", "\uD800", "é", "1 1 0 0 0 1",
      "7".repeat(500)};

  /**
   * The case that {@code seed} makes of a valid file: 1 to 4 mutations, chosen and placed by
   * the seed, most of them within 512 bytes of either end (where headers and directories are).
   *
   * @param valid the valid file
   * @param seed the case's seed
   * @param text whether hostile tokens may be inserted
   * @return the mutated bytes
   */
  public static byte[] mutate(byte[] valid, long seed, boolean text) {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] b = valid.clone();
    int n = 1 + r.nextInt(4);
    for (int k = 0; k < n && b.length > 0; k++) {
      int at = position(r, b.length);
      switch (r.nextInt(text ? 8 : 7)) {
        case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
        case 1 -> b[at] = (byte) new int[] {0, 1, 0x7f, 0x80, 0xff}[r.nextInt(5)];
        case 2 -> b = put(b, at, boundary(r, b.length), 4, r.nextBoolean());
        case 3 -> b = put(b, at, boundary(r, b.length), 8, r.nextBoolean());
        case 4 -> b = java.util.Arrays.copyOf(b, at);
        case 5 -> {
          int len = 1 + r.nextInt(Math.min(64, b.length - at));
          b = splice(b, at, java.util.Arrays.copyOfRange(b, at, at + len), 0);
        }
        case 6 -> b = splice(b, at, new byte[0], 1 + r.nextInt(Math.min(64, b.length - at)));
        default -> b = splice(b, at, TOKENS[r.nextInt(TOKENS.length)]
            .getBytes(StandardCharsets.UTF_8), r.nextInt(3));
      }
    }
    return b;
  }

  /** A third of the positions in the first 512 bytes, a third in the last 512, a third anywhere. */
  private static int position(SplittableRandom r, int length) {
    int edge = Math.min(512, length);
    return switch (r.nextInt(3)) {
      case 0 -> r.nextInt(edge);
      case 1 -> length - 1 - r.nextInt(edge);
      default -> r.nextInt(length);
    };
  }

  private static long boundary(SplittableRandom r, int length) {
    long[] values = {0, 1, -1, 0xff, 0xffff, 0x7fffffffL, 0x80000000L, 0xffffffffL,
        Long.MAX_VALUE, Long.MIN_VALUE, length, length + 1L, 2L * length, 1L << 40};
    return values[r.nextInt(values.length)];
  }

  private static byte[] put(byte[] b, int at, long value, int width, boolean little) {
    ByteBuffer v = ByteBuffer.allocate(8).order(little ? ByteOrder.LITTLE_ENDIAN
        : ByteOrder.BIG_ENDIAN);
    v.putLong(value);
    byte[] bytes = v.array();
    byte[] out = b.clone();
    for (int i = 0; i < width && at + i < out.length; i++) {
      // the low bytes of the value, in the byte order chosen
      out[at + i] = little ? bytes[i] : bytes[8 - width + i];
    }
    return out;
  }

  /** {@code b} with {@code remove} bytes at {@code at} replaced by {@code insert}. */
  private static byte[] splice(byte[] b, int at, byte[] insert, int remove) {
    int cut = Math.min(remove, b.length - at);
    byte[] out = new byte[b.length - cut + insert.length];
    System.arraycopy(b, 0, out, 0, at);
    System.arraycopy(insert, 0, out, at, insert.length);
    System.arraycopy(b, at + cut, out, at + insert.length, b.length - at - cut);
    return out;
  }
}
