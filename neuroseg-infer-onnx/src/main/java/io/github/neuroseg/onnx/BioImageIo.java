package io.github.neuroseg.onnx;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.internal.Quote;
import io.github.neuroseg.segmentation.ModelSource;
import io.github.neuroseg.segmentation.SegmenterBuilder;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * neuroseg models as <a href="https://bioimage.io">bioimage.io</a> model packages (format
 * {@value #FORMAT_VERSION}): {@link #export} writes one, {@link #segmenter} and {@link #model}
 * read one.
 *
 * <p>A package is a folder with {@value #RDF} (the description), the ONNX weights, test input and
 * output tensors ({@code .npy}), sample tensors (TIFF) and a {@code README.md}. The input is
 * described as {@code [batch, channel, z, y, x]} with {@code z} the model's input depth, the
 * output as {@code [batch, channel, y, x]} (the centre slice), the normalisation as
 * pre-processing ({@code scale_range} or {@code scale_linear}) and the sigmoid of the logits as
 * post-processing; the model's metadata, training provenance included, is kept under {@code
 * config.neuroseg}. What bioimage.io cannot express exactly (the z sliding window, the percentile
 * fallback, the threshold) is listed in the package's README and in {@code docs/bioimageio.md}.
 *
 * <pre>{@code
 * BioImageIo.export(NeuroSeg.bundledModel(), Path.of("package"), BioImageIo.Options.defaults());
 * try (Segmenter s = BioImageIo.segmenter(Path.of("package")).device(Device.cpu()).build()) {
 *   Segmentation result = s.segment(volume);
 * }
 * }</pre>
 */
public final class BioImageIo {
  /** The file name of the description in packages written by {@link #export}. */
  public static final String RDF = "rdf.yaml";
  /** The bioimage.io model format version {@link #export} writes. */
  public static final String FORMAT_VERSION = "0.5.7";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_+\\- ()]{5,128}");
  private static final Pattern LICENSE = Pattern.compile("[A-Za-z0-9.+\\-]+");

  private BioImageIo() {}

  /**
   * What a package says beyond the model itself.
   *
   * @param name the package's name (5 to 128 letters, digits, spaces and {@code _+-()}), or
   *     {@code null} for one made of the weights' file name
   * @param authors the names of the package's authors, at least one, none containing {@code /}
   * @param license an SPDX licence identifier, e.g. {@code Apache-2.0}
   * @param seed the seed of the synthetic neuron the test tensors are cut from
   * @param timestamp when the package was made
   */
  public record Options(@Nullable String name, List<String> authors, String license, long seed,
      Instant timestamp) {

    /**
     * Checks the values.
     *
     * @throws InvalidInputException for a name, author or licence bioimage.io does not accept
     */
    public Options {
      if (name != null && !NAME.matcher(name).matches()) {
        throw new InvalidInputException("package name must be 5 to 128 letters, digits, spaces"
            + " or _+-() (bioimage.io's rule), got " + Quote.quote(name));
      }
      authors = List.copyOf(authors);
      if (authors.isEmpty()) {
        throw new InvalidInputException("a package needs at least one author");
      }
      for (String a : authors) {
        if (a.isBlank() || a.contains("/")) {
          throw new InvalidInputException("author names must be non-blank and contain no '/',"
              + " got " + Quote.quote(a));
        }
      }
      if (!LICENSE.matcher(license).matches()) {
        throw new InvalidInputException("license must be an SPDX identifier such as Apache-2.0"
            + " or MIT, got " + Quote.quote(license));
      }
    }

    /**
     * The options for a neuroseg model: its name from the file, author "neuroseg developers",
     * licence Apache-2.0 (the project's and the bundled model's), seed 1, now.
     */
    public static Options defaults() {
      return new Options(null, List.of("neuroseg developers"), "Apache-2.0", 1, Instant.now());
    }
  }

  /**
   * Writes a bioimage.io package of {@code model} into {@code directory} (created; files of an
   * earlier package there are replaced). Every file is written atomically and {@value #RDF} last,
   * after removing an old one, so a folder with a {@value #RDF} always holds a complete package.
   * The test output is computed from the test input exactly as the description defines it (the
   * pre-processing, one ONNX Runtime run on the CPU, the sigmoid).
   *
   * @param model a model in neuroseg's format (see {@link io.github.neuroseg.model.ModelContract})
   * @return the written {@value #RDF}
   * @throws io.github.neuroseg.ModelException when the model is not ONNX, breaks the contract, or
   *     has a normalisation bioimage.io cannot express
   * @throws io.github.neuroseg.NeuroSegIOException when a file cannot be read or written
   */
  public static Path export(ModelSource model, Path directory, Options options) {
    return BioImageIoExport.export(model, directory, options);
  }

  /**
   * The ONNX weights of a package, after checking them against the description's sha256.
   *
   * @param packageOrRdf the package folder, or its {@code rdf.yaml} / {@code bioimageio.yaml}
   * @throws io.github.neuroseg.NeuroSegIOException when the package, its description or its
   *     weights file does not exist or cannot be read
   * @throws io.github.neuroseg.FormatException when the description is not valid YAML, is not a
   *     model, or lacks what neuroseg needs (ONNX weights inside the package, one input, a
   *     normalisation neuroseg has, a sigmoid as post-processing); the message names the file
   *     and, for YAML errors, the line
   * @throws io.github.neuroseg.ModelException when the weights do not match their sha256
   */
  public static ModelSource model(Path packageOrRdf) {
    return new ModelSource.File(BioImageIoReader.read(packageOrRdf).weights());
  }

  /**
   * A segmenter builder set to a package's weights and pre-processing, for further settings
   * (device, tile, threshold) and {@link SegmenterBuilder#build()}. The model itself must still
   * follow neuroseg's contract, which {@code build()} checks.
   *
   * @param packageOrRdf the package folder, or its {@code rdf.yaml} / {@code bioimageio.yaml}
   * @throws io.github.neuroseg.NeuroSegIOException as {@link #model}
   * @throws io.github.neuroseg.FormatException as {@link #model}
   * @throws io.github.neuroseg.ModelException as {@link #model}
   */
  public static SegmenterBuilder segmenter(Path packageOrRdf) {
    BioImageIoReader.Description d = BioImageIoReader.read(packageOrRdf);
    return NeuroSeg.segmenter().model(new ModelSource.File(d.weights()))
        .normalization(d.normalization());
  }

  /**
   * Whether {@code path} looks like a bioimage.io package rather than an ONNX file: a folder, or
   * a file whose name ends in {@code .yaml}.
   */
  public static boolean isPackage(Path path) {
    Path name = path.getFileName();
    return java.nio.file.Files.isDirectory(path)
        || name != null && name.toString().endsWith(".yaml");
  }
}
