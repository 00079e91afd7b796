package io.github.neuroseg;

import org.jspecify.annotations.Nullable;

/**
 * A file or stream whose content is malformed or unsupported: an SWC file with a missing parent,
 * a truncated TIFF, a checkpoint with a wrongly shaped tensor. The message starts with the source
 * and, where known, the line (text formats) or byte offset (binary formats).
 */
public final class FormatException extends NeuroSegException {
  private static final long serialVersionUID = 1L;

  /** How {@link #location()} is to be read. */
  public enum LocationKind {
    /** No location is known. */
    NONE,
    /** A 1-based line number in a text file. */
    LINE,
    /** A 0-based byte offset in a binary file. */
    OFFSET
  }

  private final String source;
  private final LocationKind locationKind;
  private final long location;
  private final String problem;

  private FormatException(
      String source, LocationKind kind, long location, String problem, @Nullable Throwable cause) {
    super(format(source, kind, location, problem), cause);
    this.source = source;
    this.locationKind = kind;
    this.location = location;
    this.problem = problem;
  }

  private static String format(String source, LocationKind kind, long location, String problem) {
    return switch (kind) {
      case NONE -> source + ": " + problem;
      case LINE -> source + " line " + location + ": " + problem;
      case OFFSET -> source + " at byte " + location + ": " + problem;
    };
  }

  /** A problem at a 1-based line of a text source. */
  public static FormatException atLine(String source, long line, String problem) {
    return new FormatException(source, LocationKind.LINE, line, problem, null);
  }

  /** A problem at a 0-based byte offset of a binary source. */
  public static FormatException atOffset(String source, long offset, String problem) {
    return new FormatException(source, LocationKind.OFFSET, offset, problem, null);
  }

  /** A problem at a 0-based byte offset of a binary source, caused by a lower-level failure. */
  public static FormatException atOffset(
      String source, long offset, String problem, Throwable cause) {
    return new FormatException(source, LocationKind.OFFSET, offset, problem, cause);
  }

  /** A problem somewhere in a source. */
  public static FormatException of(String source, String problem) {
    return new FormatException(source, LocationKind.NONE, -1, problem, null);
  }

  /** A problem somewhere in a source, caused by a lower-level failure. */
  public static FormatException of(String source, String problem, Throwable cause) {
    return new FormatException(source, LocationKind.NONE, -1, problem, cause);
  }

  /** The file name or stream description the problem was found in. */
  public String source() {
    return source;
  }

  /** Whether {@link #location()} is a line, a byte offset or unknown. */
  public LocationKind locationKind() {
    return locationKind;
  }

  /** The line (1-based) or byte offset (0-based), or -1 when unknown. */
  public long location() {
    return location;
  }

  /** What was wrong, without source and location. */
  public String problem() {
    return problem;
  }
}
