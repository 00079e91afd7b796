package io.github.neuroseg.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.onnx.BioImageIo;
import io.github.neuroseg.segmentation.ModelSource;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.Volumes;
import io.github.neuroseg.volume.VoxelSize;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** export-bioimageio, and packages accepted by --model. */
class ExportBioImageIoCommandTest {
  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = NeuroSegCli.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void packagesTheBundledModelAndSegmentsWithThePackageAsWithTheModel() throws IOException {
    Path pkg = dir.resolve("package");
    Run r = cli("export-bioimageio", "--output", pkg.toString(), "--author", "A. Author",
        "--author", "B. Author");
    assertEquals(0, r.code(), r.err());
    assertEquals("wrote " + pkg.resolve("rdf.yaml"), r.out().strip());
    assertArrayEquals(((ModelSource.Bytes) NeuroSeg.bundledModel()).content(),
        Files.readAllBytes(pkg.resolve("neuroseg-default.onnx")));
    String rdf = Files.readString(pkg.resolve("rdf.yaml"));
    assertTrue(rdf.contains("name: \"neuroseg-default\""), rdf);
    assertTrue(rdf.contains("  - name: \"B. Author\""), rdf);
    assertTrue(rdf.contains("training_command: \"neuroseg train"), rdf);
    for (String f : new String[] {"README.md", "test_input.npy", "test_output.npy",
        "sample_input.tif", "sample_output.tif"}) {
      assertTrue(Files.isRegularFile(pkg.resolve(f)), f);
    }

    // the package's test input through the imported segmenter gives its test output
    Npy in = Npy.read(pkg.resolve("test_input.npy"));
    Npy out = Npy.read(pkg.resolve("test_output.npy"));
    assertArrayEquals(new long[] {1, 1, 5, 32, 32}, in.shape());
    assertArrayEquals(new long[] {1, 1, 32, 32}, out.shape());
    try (Segmenter s = BioImageIo.segmenter(pkg).build()) {
      RandomAccessibleInterval<FloatType> prob = s.segment(new Volume(
          ArrayImgs.floats(in.data(), 32, 32, 5), VoxelSize.UNIT)).probabilities();
      RandomAccess<FloatType> ra = prob.randomAccess();
      double worst = 0;
      float min = 1;
      float max = 0;
      for (int i = 0; i < 32 * 32; i++) {
        ra.setPosition(new long[] {i % 32, i / 32, 2});
        worst = Math.max(worst, Math.abs(ra.get().get() - out.data()[i]));
        min = Math.min(min, out.data()[i]);
        max = Math.max(max, out.data()[i]);
      }
      assertTrue(worst <= 1e-4, "largest difference " + worst);
      assertTrue(min < 0.2 && max > 0.8, "the test tile holds background and neuron: " + min
          + " .. " + max);
    }

    assertEquals(0, cli("render", "--output", dir.resolve("render").toString(), "--size",
        "40x36x7", "--seed", "4").code());
    String image = dir.resolve("render/image.tif").toString();
    Path fromModel = dir.resolve("model-prob.tif");
    Path fromPackage = dir.resolve("package-prob.tif");
    Path fromRdf = dir.resolve("rdf-prob.tif");
    assertEquals(0, cli("segment", "--input", image, "--output", dir.resolve("m1.tif")
        .toString(), "--probabilities", fromModel.toString()).code());
    Run p = cli("segment", "--model", pkg.toString(), "--input", image, "--output",
        dir.resolve("m2.tif").toString(), "--probabilities", fromPackage.toString());
    assertEquals(0, p.code(), p.err());
    assertEquals(0, cli("segment", "--model", pkg.resolve("rdf.yaml").toString(), "--input",
        image, "--output", dir.resolve("m3.tif").toString(), "--probabilities",
        fromRdf.toString()).code());
    assertSameVoxels(fromModel, fromPackage);
    assertSameVoxels(fromModel, fromRdf);
  }

  @Test
  void aDamagedPackageIsAnErrorWithExitCode1() throws IOException {
    Path pkg = dir.resolve("package");
    assertEquals(0, cli("export-bioimageio", "--output", pkg.toString(), "--name",
        "neuroseg test model", "--license", "MIT", "--seed", "5").code());
    String rdf = Files.readString(pkg.resolve("rdf.yaml"));
    assertTrue(rdf.contains("name: \"neuroseg test model\"") && rdf.contains("license: \"MIT\""),
        rdf);
    Files.write(pkg.resolve("neuroseg-default.onnx"), new byte[] {1, 2, 3},
        java.nio.file.StandardOpenOption.APPEND);
    Run r = cli("segment", "--model", pkg.toString(), "--input", pkg.resolve("sample_input.tif")
        .toString(), "--output", dir.resolve("m.tif").toString());
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("error: ") && r.err().contains("sha256"), r.err());
    assertEquals(2, cli("export-bioimageio").code(), "--output is required");
    Run bad = cli("export-bioimageio", "--output", dir.resolve("x").toString(), "--name", "a/b");
    assertEquals(2, bad.code(), "a bad option value is a usage error");
    assertTrue(bad.err().contains("--name, --author, --license: package name"), bad.err());
  }

  /** A float32 {@code .npy} array, read as NumPy documents the format. */
  record Npy(long[] shape, float[] data) {
    static Npy read(Path file) throws IOException {
      byte[] b = Files.readAllBytes(file);
      int headerLength = (b[8] & 0xFF) | (b[9] & 0xFF) << 8;
      String header = new String(b, 10, headerLength, StandardCharsets.US_ASCII);
      assertTrue(header.contains("'descr': '<f4'") && header.contains("'fortran_order': False"),
          header);
      Matcher m = Pattern.compile("'shape': \\(([0-9, ]*)\\)").matcher(header);
      assertTrue(m.find(), header);
      long[] shape = Arrays.stream(m.group(1).split(",")).map(String::strip)
          .filter(t -> !t.isEmpty()).mapToLong(Long::parseLong).toArray();
      float[] data = new float[(b.length - 10 - headerLength) / 4];
      ByteBuffer.wrap(b, 10 + headerLength, 4 * data.length).order(ByteOrder.LITTLE_ENDIAN)
          .asFloatBuffer().get(data);
      assertEquals(Arrays.stream(shape).reduce(1, (x, y) -> x * y), data.length);
      return new Npy(shape, data);
    }
  }

  private static void assertSameVoxels(Path a, Path b) {
    Iterator<? extends RealType<?>> x = Views.flatIterable(Volumes.read(a).image()).iterator();
    Iterator<? extends RealType<?>> y = Views.flatIterable(Volumes.read(b).image()).iterator();
    while (x.hasNext()) {
      assertEquals(x.next().getRealDouble(), y.next().getRealDouble(), 0.0);
    }
    assertTrue(!y.hasNext());
  }
}
