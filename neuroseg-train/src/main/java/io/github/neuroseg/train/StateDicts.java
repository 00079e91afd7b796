package io.github.neuroseg.train;

import io.github.neuroseg.ModelException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Shape validation of named weight sets against what a network expects. */
final class StateDicts {
  private StateDicts() {}

  /**
   * Checks that {@code given} has exactly the keys of {@code expected}, each with its shape.
   *
   * @throws ModelException listing every missing key, unexpected key and wrong shape
   */
  static void checkExact(Map<String, long[]> expected, Map<String, WeightTensor> given,
      String source) {
    List<String> problems = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, long[]> e : expected.entrySet()) {
      WeightTensor t = given.get(e.getKey());
      if (t == null) {
        missing.add(e.getKey());
      } else if (!t.hasShape(e.getValue())) {
        problems.add("key '" + e.getKey() + "' has shape " + t.shapeText() + ", expected "
            + Arrays.toString(e.getValue()));
      }
    }
    List<String> extra = new ArrayList<>();
    for (String k : given.keySet()) {
      if (!expected.containsKey(k)) {
        extra.add(k);
      }
    }
    if (!missing.isEmpty()) {
      problems.add(0, "missing keys " + missing);
    }
    if (!extra.isEmpty()) {
      problems.add("unexpected keys " + extra);
    }
    if (!problems.isEmpty()) {
      throw new ModelException(source + " do not fit the network: " + String.join("; ", problems));
    }
  }
}
