package io.github.neuroseg.examples.cli;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.files.OutputPaths;
import io.github.neuroseg.volume.Volumes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The files and folders a command writes, each checked before any work starts, so that an output
 * that cannot be written fails at once instead of after a whole segmentation: its format is
 * known from its name, it is not a directory (or, for a folder, not a file), and the folder it
 * goes in is writable or can be created, and it is none of the command's inputs (declared first
 * with {@link #input}) and no other output, seen through relative paths and links. A path refused
 * as such is a usage error naming its option (exit 2); a folder the file system does not let us
 * write is an error (exit 1).
 */
final class Outputs {
  private final CommandSpec spec;
  private final List<Named> inputs = new ArrayList<>();
  private final List<Named> outputs = new ArrayList<>();

  private record Named(String option, Path path) {}

  Outputs(CommandSpec spec) {
    this.spec = spec;
  }

  /** A file or folder the command reads, which no output may replace. */
  Outputs input(String option, @Nullable Path path) {
    if (path != null) {
      inputs.add(new Named(option, path));
    }
    return this;
  }

  /** Refuses an output that is an input or an earlier output, then remembers it. */
  private void distinct(String option, Path path) {
    for (Named in : inputs) {
      if (OutputPaths.sameFile(path, in.path())) {
        throw Usage.error(spec, option + " " + path + " is the same file as " + in.option()
            + " " + in.path() + ": writing it would replace that input");
      }
    }
    for (Named out : outputs) {
      if (OutputPaths.sameFile(path, out.path())) {
        throw Usage.error(spec, option + " " + path + " is the same file as " + out.option()
            + " " + out.path() + ": one output would replace the other");
      }
    }
    outputs.add(new Named(option, path));
  }

  /** A volume, in the format its extension names ({@link Volumes#write}). */
  Outputs volume(String option, @Nullable Path path) {
    if (path != null) {
      distinct(option, path);
      Usage.option(spec, option, () -> Volumes.checkWritable(path));
    }
    return this;
  }

  /** An SWC reconstruction: a name ending in {@code .swc} or {@code .eswc}. */
  Outputs swc(String option, @Nullable Path path) {
    return file(option, path, "an SWC file", ".swc", ".eswc");
  }

  /** An ONNX model: a name ending in {@code .onnx}. */
  Outputs model(String option, @Nullable Path path) {
    return file(option, path, "an ONNX model", ".onnx");
  }

  /** A PNG picture: a name ending in {@code .png}. */
  Outputs png(String option, @Nullable Path path) {
    return file(option, path, "a PNG picture", ".png");
  }

  /** A text file of any name. */
  Outputs text(String option, @Nullable Path path) {
    return file(option, path, "a text file");
  }

  /** A folder that is created or filled. */
  Outputs folder(String option, @Nullable Path path) {
    if (path != null) {
      distinct(option, path);
      Usage.option(spec, option, () -> OutputPaths.checkDirectory(path));
    }
    return this;
  }

  private Outputs file(String option, @Nullable Path path, String what, String... extensions) {
    if (path == null) {
      return this;
    }
    distinct(option, path);
    Usage.option(spec, option, () -> {
      String name = path.getFileName() == null ? ""
          : path.getFileName().toString().toLowerCase(Locale.ROOT);
      boolean known = extensions.length == 0;
      for (String e : extensions) {
        known |= name.endsWith(e);
      }
      if (!known) {
        throw new InvalidInputException("expected " + what + " with a name ending in "
            + String.join(" or ", extensions) + ", got " + path);
      }
      OutputPaths.checkFile(path);
    });
    return this;
  }
}
