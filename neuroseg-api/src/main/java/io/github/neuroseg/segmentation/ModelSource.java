package io.github.neuroseg.segmentation;

import io.github.neuroseg.InvalidInputException;
import java.nio.file.Path;
import java.util.Arrays;

/** Where a model comes from: a file or bytes in memory. */
public sealed interface ModelSource {

  /** A model file on disk. */
  record File(Path path) implements ModelSource {}

  /**
   * A model held in memory.
   *
   * @param name a label for messages (e.g. the resource name)
   */
  record Bytes(String name, byte[] content) implements ModelSource {
    public Bytes {
      if (content.length == 0) {
        throw new InvalidInputException("model '" + name + "' has 0 bytes");
      }
      content = content.clone();
    }

    @Override
    public byte[] content() {
      return content.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Bytes b && b.name.equals(name) && Arrays.equals(b.content, content);
    }

    @Override
    public int hashCode() {
      return name.hashCode() * 31 + Arrays.hashCode(content);
    }

    @Override
    public String toString() {
      return "Bytes[" + name + ", " + content.length + " bytes]";
    }
  }

  /** A model file. */
  static ModelSource file(Path path) {
    return new File(path);
  }

  /** A model in memory. */
  static ModelSource bytes(String name, byte[] content) {
    return new Bytes(name, content);
  }

  /** A short label for messages. */
  default String label() {
    return this instanceof File f ? f.path().toString() : ((Bytes) this).name();
  }
}
