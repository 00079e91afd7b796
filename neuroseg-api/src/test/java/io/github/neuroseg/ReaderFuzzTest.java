package io.github.neuroseg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.synth.NeuronGenerator;
import io.github.neuroseg.testing.Fuzz;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.Volumes;
import io.github.neuroseg.volume.VoxelSize;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SWC, TIFF and v3draw readers on mutated valid files: a typed {@link NeuroSegException} or
 * a valid value, in bounded time and memory ({@link Fuzz}). The seeds are fixed, so a failure
 * names the case that rebuilds the file.
 */
class ReaderFuzzTest {
  static final long SEED = 20261202L;

  @TempDir Path dir;

  @Test
  void swcFilesGiveATreeOrAFormatException() throws IOException {
    NeuronTree tree = NeuronGenerator.newBuilder().bounds(60, 50, 10).seed(3).build().generate();
    String text = "# generated\n# unit: um\n" + Swc.format(tree)
        + "900 2 1.5 2.5 3.5 0.5 1 0.25 7\n";
    List<byte[]> valid = List.of(text.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        "1 1 0 0 0 1 -1\n2 3 1 0 0 1 1\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    long seed = Fuzz.seed(SEED);
    Fuzz.Summary s = Fuzz.run(seed, Fuzz.examples(800), valid, true, dir, ".swc", Swc::read,
        t -> assertTrue(t.size() >= 0));
    report("SWC", seed, s);
  }

  @Test
  void tiffFilesGiveAVolumeOrATypedError() throws IOException {
    List<byte[]> valid = new ArrayList<>();
    valid.add(bytes(volume(16, 12, 3, 8), "u8.tif"));
    valid.add(bytes(volume(9, 7, 2, 16), "u16.tif"));
    valid.add(bytes(volume(5, 6, 2, 32), "f32.tif"));
    for (String compression : new String[] {"LZW", "Deflate", "PackBits"}) {
      valid.add(jdkTiff(compression));
    }
    long seed = Fuzz.seed(SEED + 1);
    Fuzz.Summary s = Fuzz.run(seed, Fuzz.examples(1200), valid, false, dir, ".tif",
        Volumes::read, ReaderFuzzTest::checkVolume);
    report("TIFF", seed, s);
  }

  @Test
  void v3drawFilesGiveAVolumeOrATypedError() throws IOException {
    List<byte[]> valid = List.of(bytes(volume(16, 12, 3, 8), "u8.v3draw"),
        bytes(volume(7, 5, 2, 16), "u16.v3draw"), bytes(volume(4, 3, 2, 32), "f.v3draw"));
    long seed = Fuzz.seed(SEED + 2);
    Fuzz.Summary s = Fuzz.run(seed, Fuzz.examples(400), valid, false, dir, ".v3draw",
        Volumes::read, ReaderFuzzTest::checkVolume);
    report("v3draw", seed, s);
  }

  /** A volume is three positive sizes whose voxels can all be read. */
  private static void checkVolume(Volume v) {
    long[] d = v.dimensions();
    assertEquals(3, d.length);
    long n = 0;
    for (RealType<?> t : Views.flatIterable(v.image())) {
      t.getRealDouble();
      n++;
    }
    assertEquals(d[0] * d[1] * d[2], n);
  }

  private static void report(String what, long seed, Fuzz.Summary s) {
    // the fixed seed and what the cases did, in the test log
    System.out.println("fuzz " + what + " (seed " + seed + "): " + s);
    assertTrue(s.values() > 0 && s.refusals() > 0, "the mutations reach both outcomes: " + s);
  }

  private static Volume volume(int w, int h, int d, int bits) {
    SplittableRandom r = new SplittableRandom(w * 31L + bits);
    int n = w * h * d;
    return switch (bits) {
      case 8 -> {
        byte[] b = new byte[n];
        r.nextBytes(b);
        yield Volume.ofUnsignedBytes(b, w, h, d, VoxelSize.microns(0.5, 0.5, 2));
      }
      case 16 -> {
        var img = ArrayImgs.unsignedShorts(w, h, d);
        img.forEach(t -> t.set(r.nextInt(65536)));
        yield new Volume(img, VoxelSize.UNIT);
      }
      default -> {
        var img = ArrayImgs.floats(w, h, d);
        img.forEach(t -> t.set((float) r.nextGaussian()));
        yield new Volume(img, VoxelSize.UNIT);
      }
    };
  }

  private byte[] bytes(Volume v, String name) throws IOException {
    Path f = dir.resolve("valid-" + name);
    Volumes.write(v, f);
    return Files.readAllBytes(f);
  }

  /** A one-page 8-bit TIFF compressed by the JDK's writer, two rows per strip. */
  private static byte[] jdkTiff(String compression) throws IOException {
    BufferedImage img = new BufferedImage(12, 10, BufferedImage.TYPE_BYTE_GRAY);
    SplittableRandom r = new SplittableRandom(compression.hashCode());
    for (int y = 0; y < 10; y++) {
      for (int x = 0; x < 12; x++) {
        img.getRaster().setSample(x, y, 0, r.nextInt(4) * 60);
      }
    }
    ImageWriter w = null;
    for (var it = ImageIO.getImageWritersByFormatName("tiff"); it.hasNext(); ) {
      ImageWriter c = it.next();
      if (c.getClass().getName().startsWith("com.sun.imageio")) {
        w = c;
      }
    }
    if (w == null) {
      throw new AssertionError("the JDK's TIFF writer is missing");
    }
    ImageWriteParam p = w.getDefaultWriteParam();
    p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
    p.setCompressionType(compression);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (ImageOutputStream s = ImageIO.createImageOutputStream(out)) {
      w.setOutput(s);
      w.write(null, new IIOImage(img, null, null), p);
    } finally {
      w.dispose();
    }
    return out.toByteArray();
  }
}
