package io.github.neuroseg.imagej;

import ij.IJ;
import io.github.neuroseg.Progress;
import io.github.neuroseg.ProgressListener;

/** Shows progress reports in ImageJ's status and progress bars (no-ops without a display). */
final class StatusProgress implements ProgressListener {
  @Override
  public void onProgress(Progress p) {
    IJ.showStatus(SegmentAndTrace.COMMAND + ": " + p);
    if (p.total() > 0) {
      IJ.showProgress(p.fraction());
    }
  }
}
