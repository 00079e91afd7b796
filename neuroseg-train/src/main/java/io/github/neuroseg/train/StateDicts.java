package io.github.neuroseg.train;

import io.github.neuroseg.ModelException;
import io.github.neuroseg.model.FloatTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Checks of named weight sets against what a network expects. Every problem is collected and
 * reported in one {@link ModelException}, by name: missing keys first, then wrong shapes, then
 * unexpected keys.
 */
final class StateDicts {
  private StateDicts() {}

  /**
   * Checks that {@code given} has exactly the keys of {@code expected}, each with its shape.
   *
   * @throws ModelException listing every missing key, unexpected key and wrong shape
   */
  static void checkExact(Map<String, int[]> expected, Map<String, FloatTensor> given,
      String source) {
    Problems p = new Problems();
    expected.forEach((k, shape) -> {
      FloatTensor t = given.get(k);
      if (t == null) {
        p.missing(k);
      } else if (!t.hasShape(shape)) {
        p.wrongShape(k, t, Arrays.toString(shape));
      }
    });
    given.keySet().stream().filter(k -> !expected.containsKey(k)).forEach(p::unexpected);
    p.throwIfAny(source + " do not fit the network");
  }

  /** Problems of a weight set, gathered while it is checked. */
  static final class Problems {
    private final List<String> missing = new ArrayList<>();
    private final List<String> shapes = new ArrayList<>();
    private final List<String> extra = new ArrayList<>();

    void missing(String key) {
      missing.add(key);
    }

    /** A key whose tensor does not have the {@code expected} shape (described in words). */
    void wrongShape(String key, FloatTensor got, String expected) {
      shapes.add("key '" + key + "' has shape " + got.shapeText() + ", expected " + expected);
    }

    void unexpected(String key) {
      extra.add(key);
    }

    /**
     * Throws when any problem was found.
     *
     * @param what the start of the message, e.g. "model weights do not fit the network"
     * @throws ModelException {@code what: missing keys [...]; key 'x' has shape ...; unexpected
     *     keys [...]}
     */
    void throwIfAny(String what) {
      List<String> all = new ArrayList<>();
      if (!missing.isEmpty()) {
        all.add("missing keys " + missing);
      }
      all.addAll(shapes);
      if (!extra.isEmpty()) {
        all.add("unexpected keys " + extra);
      }
      if (!all.isEmpty()) {
        throw new ModelException(what + ": " + String.join("; ", all));
      }
    }
  }
}
