package io.github.neuroseg.examples.cli;

import io.github.neuroseg.Progress;
import io.github.neuroseg.ProgressListener;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * A text progress bar on the error stream: redrawn in place on a terminal, one line per tenth
 * otherwise (so logs stay short). Thread-safe: segmenters report from worker threads.
 */
final class ConsoleProgress implements ProgressListener {
  private static final int WIDTH = 30;
  private final PrintWriter err;
  private final boolean terminal;
  private String stage = "";
  private int lastStep = -1;

  ConsoleProgress(PrintWriter err) {
    this.err = err;
    this.terminal = System.console() != null;
  }

  @Override
  public synchronized void onProgress(Progress p) {
    if (!p.stage().equals(stage)) {
      stage = p.stage();
      lastStep = -1;
    }
    int step = (int) Math.floor(p.fraction() * (terminal ? WIDTH : 10));
    boolean finished = p.total() > 0 && p.done() == p.total();
    if (step == lastStep && !finished) {
      return;
    }
    lastStep = step;
    int filled = (int) Math.round(p.fraction() * WIDTH);
    String bar = "[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "]";
    String line = String.format(Locale.ROOT, "%-10s %s %3.0f%% (%d/%d)", p.stage(), bar,
        100 * p.fraction(), p.done(), p.total());
    if (terminal) {
      err.print("\r" + line + (finished ? "\n" : ""));
    } else {
      err.println(line);
    }
    err.flush();
  }
}
