package io.github.neuroseg;

import io.github.neuroseg.internal.Checks;
import io.github.neuroseg.internal.Quote;

/**
 * Where computation runs. A closed set: {@link Cpu} or {@link Cuda}.
 *
 * <pre>{@code
 * Device d = Device.cuda(0);
 * if (d instanceof Device.Cuda cuda) {
 *   System.out.println("GPU " + cuda.id());
 * }
 * }</pre>
 */
public sealed interface Device {

  /** The host CPU. */
  record Cpu() implements Device {
    @Override
    public String toString() {
      return "cpu";
    }
  }

  /**
   * An NVIDIA GPU through CUDA.
   *
   * @param id the CUDA device ordinal, from 0
   */
  record Cuda(int id) implements Device {
    public Cuda {
      Checks.atLeast("CUDA device id", id, 0);
    }

    @Override
    public String toString() {
      return "cuda:" + id;
    }
  }

  /** The CPU. */
  static Device cpu() {
    return new Cpu();
  }

  /** CUDA device {@code id}. */
  static Device cuda(int id) {
    return new Cuda(id);
  }

  /**
   * Parses {@code "cpu"}, {@code "cuda"} (device 0) or {@code "cuda:N"}.
   *
   * @throws InvalidInputException for anything else
   */
  static Device parse(String text) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    if (t.equals("cpu")) {
      return cpu();
    }
    if (t.equals("cuda") || t.equals("gpu")) {
      return cuda(0);
    }
    if (t.startsWith("cuda:")) {
      try {
        return cuda(Integer.parseInt(t.substring(5)));
      } catch (NumberFormatException e) {
        // fall through to the error below
      }
    }
    throw new InvalidInputException(
        "device must be 'cpu', 'cuda' or 'cuda:N', got " + Quote.quote(text));
  }
}
