package io.github.neuroseg.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Locates the real test data beside the checkout ({@code ../shared/data}). Tests that need it
 * call {@link #require(String)}, which skips the test with a visible message when it is absent.
 */
public final class SharedData {
  private SharedData() {}

  /** The shared data folder, whether or not it exists. */
  public static Path dataDir() {
    String prop = System.getProperty("neuroseg.shared.dir");
    Path shared = prop != null ? Path.of(prop) : Path.of("..", "shared");
    return shared.resolve("data").toAbsolutePath().normalize();
  }

  /** A file or folder under the data folder; skips the calling test when it is missing. */
  public static Path require(String relative) {
    Path p = dataDir().resolve(relative);
    if (!Files.exists(p)) {
      System.err.println("SKIPPED: real test data not found at " + p);
    }
    assumeTrue(Files.exists(p), () -> "real test data not found at " + p);
    return p;
  }

  /** Every {@code .swc} file in {@code swc/} and {@code stacks/}; skips when there are none. */
  public static List<Path> allSwcFiles() {
    Path dir = require("swc");
    try (Stream<Path> a = Files.list(dir);
        Stream<Path> b =
            Files.isDirectory(dataDir().resolve("stacks"))
                ? Files.list(dataDir().resolve("stacks"))
                : Stream.empty()) {
      return Stream.concat(a, b)
          .filter(p -> p.getFileName().toString().toLowerCase().endsWith(".swc"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
