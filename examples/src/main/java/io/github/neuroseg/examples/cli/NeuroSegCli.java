package io.github.neuroseg.examples.cli;

import io.github.neuroseg.NeuroSegException;
import io.github.neuroseg.internal.Quote;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code neuroseg} command line. Run through the launcher {@code examples/neuroseg} after
 * building ({@code ./mvnw -B -q package -DskipTests}).
 *
 * <p>Exit codes: 0 success, 1 a neuroseg error (bad file, mismatching sizes, too little memory;
 * the message is printed as {@code error: ...}), 2 a usage error (an unknown command or option,
 * a missing option, or an option value refused by picocli or by the library; also one {@code
 * error: ...} line, which names the option).
 */
@Command(
    name = "neuroseg",
    mixinStandardHelpOptions = true,
    version = "neuroseg 0.1.0-SNAPSHOT",
    description = "3D neuron segmentation and SWC reconstruction.",
    subcommands = {RenderCommand.class, SegmentCommand.class, TraceCommand.class,
        RunCommand.class, TrainCommand.class, ExportCommand.class, ExportBioImageIoCommand.class,
        EvaluateCommand.class, DemoCommand.class, CheckpointInfoCommand.class})
public final class NeuroSegCli implements Runnable {

  /** The exit code of a usage error: an unknown command or option, a bad option value. */
  static final int USAGE_ERROR = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * Runs the CLI and exits the JVM with its exit code.
   *
   * @param args command-line arguments
   */
  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /**
   * Runs the CLI on standard output and error and returns the exit code (for embedding).
   *
   * @param args command-line arguments
   * @return 0 on success, 1 on a neuroseg error, 2 on a usage error
   */
  public static int execute(String... args) {
    Charset cs = Charset.defaultCharset();
    return execute(new PrintWriter(System.out, true, cs), new PrintWriter(System.err, true, cs),
        args);
  }

  /**
   * Runs the CLI with the given output and error writers and returns the exit code (for tests).
   *
   * @param out where results go
   * @param err where errors and usage help go
   * @param args command-line arguments
   * @return 0 on success, 1 on a neuroseg error, 2 on a usage error
   */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(new NeuroSegCli());
    cl.setOut(out);
    cl.setErr(err);
    cl.setParameterExceptionHandler((e, ignored) -> {
      CommandLine c = e.getCommandLine();
      String suggestions = e instanceof CommandLine.UnmatchedArgumentException u
          && !u.getSuggestions().isEmpty()
          ? "; did you mean " + String.join(" or ", u.getSuggestions()) + "?" : "";
      c.getErr().println("error: " + Quote.printable(e.getMessage()) + suggestions + " (see '"
          + c.getCommandSpec().qualifiedName() + " --help')");
      c.getErr().flush();
      return USAGE_ERROR;
    });
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof NeuroSegException) {
        // text quoted from files is escaped where it is quoted; this escapes the rest (file
        // names), so one error is one line and cannot drive the terminal
        commandLine.getErr().println("error: " + Quote.printable(e.getMessage()));
        commandLine.getErr().flush();
        return 1;
      }
      throw e;
    });
    int code;
    try {
      code = cl.execute(args);
    } catch (OutOfMemoryError e) {
      // what held the memory is unreachable once the stack has unwound to here
      err.println("error: " + outOfMemory(Runtime.getRuntime().maxMemory()));
      code = 1;
    }
    out.flush();
    err.flush();
    return code;
  }

  /**
   * The message for an {@link OutOfMemoryError}: the heap the JVM had and how to give it more.
   *
   * @param maxHeap the JVM's maximum heap in bytes ({@link Runtime#maxMemory()})
   * @return e.g. {@code out of memory: the Java heap is limited to 256 MiB; give it more with
   *     NEUROSEG_JAVA_OPTS=-Xmx1g (or work on a smaller volume, --tile or --batch)}
   */
  static String outOfMemory(long maxHeap) {
    long mib = maxHeap >> 20;
    // suggest at least twice the heap that was too small, in whole GiB
    long suggestGib = Math.max(1, (2 * mib + 1023) / 1024);
    return String.format(Locale.ROOT, "out of memory: the Java heap is limited to %,d MiB;"
        + " give it more with NEUROSEG_JAVA_OPTS=-Xmx%dg (or work on a smaller volume, --tile"
        + " or --batch)", mib, suggestGib);
  }
}
