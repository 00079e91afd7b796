package io.github.neuroseg.swc;

/**
 * The standard SWC structure identifiers (INCF / NeuroMorpho). Files may use other codes; those are
 * kept as plain integers in {@link SwcNode#structure()} and map to {@link #OTHER} here.
 */
public enum StructureType {
  UNDEFINED(0),
  SOMA(1),
  AXON(2),
  BASAL_DENDRITE(3),
  APICAL_DENDRITE(4),
  CUSTOM_5(5),
  CUSTOM_6(6),
  CUSTOM_7(7),
  /** Any code outside 0..7. */
  OTHER(-1);

  private final int code;

  StructureType(int code) {
    this.code = code;
  }

  /** The SWC integer code, or -1 for {@link #OTHER}. */
  public int code() {
    return code;
  }

  /** The type for an SWC code; codes outside 0..7 give {@link #OTHER}. */
  public static StructureType of(int code) {
    return code >= 0 && code <= 7 ? values()[code] : OTHER;
  }
}
