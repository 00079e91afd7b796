package io.github.neuroseg.examples.cli;

import io.github.neuroseg.InvalidInputException;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Option values handed to the library: a value the library refuses ({@link
 * InvalidInputException}) becomes a usage error (exit 2) that names the option, the same as a
 * value picocli refuses while parsing. Every command applies its options this way before it reads
 * a file, so a bad value is reported at once and with the same exit code whoever checks it.
 */
final class Usage {
  private Usage() {}

  /**
   * Runs {@code apply}; a refused value is a usage error {@code <option>: <the library's
   * message>}.
   *
   * @param option the option(s) whose value is applied, e.g. {@code "--batch"}
   */
  static void option(CommandSpec spec, String option, Runnable apply) {
    option(spec, option, () -> {
      apply.run();
      return null;
    });
  }

  /** As {@link #option(CommandSpec, String, Runnable)}, returning what {@code apply} makes. */
  static <T> T option(CommandSpec spec, String option, Supplier<T> apply) {
    try {
      return apply.get();
    } catch (InvalidInputException e) {
      throw new ParameterException(spec.commandLine(), option + ": " + e.getMessage(), e);
    }
  }

  /** A usage error with this message. */
  static ParameterException error(CommandSpec spec, String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
