package io.github.neuroseg.train;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.train.TorchCheckpoint.TensorRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state dict that a pickled checkpoint holds, picked from its top level: the top level itself
 * when it maps names to tensors (a bare state dict), else one of the networks it nests. DINO
 * training checkpoints ({@code *_full_checkpoint.pth}) hold {@code teacher} and {@code student}
 * beside {@code optimizer}, {@code epoch}, {@code args} and {@code dino_loss}; other training
 * code nests the weights under {@code state_dict} or {@code model}.
 *
 * @param tensors the chosen state dict's tensors by their names in the file
 * @param part the key of the chosen network, or {@code ""} for a bare state dict
 * @param parts every top-level key that holds a network, in file order
 * @param others every other top-level entry with a short description of its value
 */
record StateDictSelection(Map<String, TensorRef> tensors, String part, List<String> parts,
    Map<String, String> others) {

  /** Keys tried, in order, when the requested network is the default and is not in the file. */
  static final List<String> FALLBACKS = List.of("teacher", "state_dict", "model", "module",
      "student");

  /**
   * Picks the state dict.
   *
   * @param root the unpickled object
   * @param requested the network to take from a checkpoint with several ({@code teacher} is
   *     the default: when the file has none of that name, {@link #FALLBACKS} are tried)
   * @param src the file, for messages
   * @throws FormatException when the file holds no state dict, or not the requested network
   */
  static StateDictSelection of(Object root, String requested, String src) {
    if (!(root instanceof Map<?, ?> top)) {
      throw FormatException.of(src, "the checkpoint holds a " + TorchCheckpoint.describe(root, 40)
          + ", not a state dict (a dict of tensors by name)");
    }
    Map<String, TensorRef> direct = tensorsOf(top);
    if (!direct.isEmpty()) {
      return new StateDictSelection(direct, "", List.of(), others(top, direct));
    }
    List<String> parts = new ArrayList<>();
    top.forEach((k, v) -> {
      if (k instanceof String name && v instanceof Map<?, ?> m && !tensorsOf(m).isEmpty()
          && !name.equals("optimizer") && !name.equals("dino_loss")) {
        parts.add(name);
      }
    });
    String chosen = null;
    if (parts.contains(requested)) {
      chosen = requested;
    } else if (requested.equals("teacher")) {
      for (String k : FALLBACKS) {
        if (parts.contains(k)) {
          chosen = k;
          break;
        }
      }
      if (chosen == null && parts.size() == 1) {
        chosen = parts.get(0);
      }
    }
    if (chosen == null) {
      throw FormatException.of(src, parts.isEmpty()
          ? "the checkpoint holds no tensors by name (expected a state dict, possibly under "
              + "teacher, student, state_dict or model); its entries: " + keys(top)
          : "the checkpoint has no network '" + requested + "'; it holds " + parts);
    }
    String pick = chosen;
    Map<String, TensorRef> t = tensorsOf((Map<?, ?>) top.get(pick));
    Map<String, String> others = new LinkedHashMap<>();
    top.forEach((k, v) -> {
      if (!pick.equals(k)) {
        others.put(String.valueOf(k), parts.contains(k) ? "another network ("
            + tensorsOf((Map<?, ?>) v).size() + " tensors)" : summary(v));
      }
    });
    return new StateDictSelection(t, pick, List.copyOf(parts), others);
  }

  private static Map<String, String> others(Map<?, ?> top, Map<String, TensorRef> tensors) {
    Map<String, String> m = new LinkedHashMap<>();
    top.forEach((k, v) -> {
      if (!(k instanceof String s && tensors.containsKey(s))) {
        m.put(String.valueOf(k), summary(v));
      }
    });
    return m;
  }

  /** A description of a non-network entry: optimiser state is summarised, values shown. */
  private static String summary(Object v) {
    if (v instanceof Map<?, ?> m && m.get("state") instanceof Map<?, ?> state
        && m.get("param_groups") instanceof List<?> groups) {
      return "optimizer state of " + state.size() + " parameters in " + groups.size()
          + " parameter groups";
    }
    return TorchCheckpoint.describe(v, 2000);
  }

  private static String keys(Map<?, ?> m) {
    List<String> k = new ArrayList<>();
    m.keySet().forEach(x -> k.add(String.valueOf(x)));
    return k.size() > 12 ? k.subList(0, 12) + " ..." : k.toString();
  }

  private static Map<String, TensorRef> tensorsOf(Map<?, ?> m) {
    Map<String, TensorRef> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (e.getKey() instanceof String k && e.getValue() instanceof TensorRef t) {
        out.put(k, t);
      }
    }
    return out;
  }
}
