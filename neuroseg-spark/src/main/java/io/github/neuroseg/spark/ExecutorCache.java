package io.github.neuroseg.spark;

import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.chunked.ChunkedReader;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What an executor JVM keeps between tasks: one segmenter (one ONNX Runtime session) per model
 * and settings, shared by the tasks running on it (segmenters are thread-safe), and one lazy
 * view per chunked volume, whose chunk cache the tasks share. Segmenters are closed when the
 * JVM exits.
 */
final class ExecutorCache {
  private static final Map<String, Segmenter> SEGMENTERS = new ConcurrentHashMap<>();
  private static final Map<String, Opened> VOLUMES = new ConcurrentHashMap<>();

  /** A volume opened for one job (the newest one: a later job may have rewritten the store). */
  private record Opened(String job, Volume volume) {}

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      SEGMENTERS.values().forEach(Segmenter::close);
    }, "neuroseg-spark-close"));
  }

  private ExecutorCache() {}

  /** The executor's segmenter for these settings, opened from the model's bytes once. */
  static Segmenter segmenter(Specs.SegmenterSpec spec, Supplier<byte[]> model) {
    return SEGMENTERS.computeIfAbsent(spec.key(), k -> spec.open(model.get()));
  }

  /**
   * The executor's lazy view of a chunked volume (a level of it) for a job: the tasks of one job
   * share it, and its chunk cache; a task of a later job opens the store again.
   */
  static Volume chunked(String job, String path, int level) {
    return VOLUMES.compute(level + ":" + path, (k, old) -> old != null && old.job().equals(job)
        ? old : new Opened(job, ChunkedReader.newBuilder().level(level).build()
            .read(Path.of(path)))).volume();
  }
}
