package io.github.neuroseg.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.NeuroSegIOException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.logic.BitType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.DoubleType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VolumesTest {
  private static final long SEED = 20261125L;

  @TempDir Path tmp;

  /**
   * An example volume of one of the three stored types, with a random voxel size, for the tests
   * that need one fixed volume; the properties draw theirs from {@link VolumeGens#volumes}.
   */
  static Volume randomVolume(int w, int h, int d, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int kind = r.nextInt(3);
    int n = w * h * d;
    VoxelSize vs = r.nextInt(4) == 0
        ? VoxelSize.UNIT
        : new VoxelSize(randomSize(r), randomSize(r), randomSize(r),
            r.nextBoolean() ? "micron" : "voxel");
    switch (kind) {
      case 0: {
        byte[] a = new byte[n];
        for (int i = 0; i < n; i++) {
          a[i] = (byte) r.nextInt(256);
        }
        return Volume.ofUnsignedBytes(a, w, h, d, vs);
      }
      case 1: {
        short[] a = new short[n];
        for (int i = 0; i < n; i++) {
          // extremes included: 0 and 65535 must survive
          a[i] = (short) (r.nextInt(10) == 0 ? (r.nextBoolean() ? 0 : 65535) : r.nextInt(65536));
        }
        return Volume.ofUnsignedShorts(a, w, h, d, vs);
      }
      default: {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
          a[i] = switch (r.nextInt(5)) {
            case 0 -> Float.intBitsToFloat(r.nextInt()) ; // any bit pattern, NaN included
            case 1 -> -r.nextFloat() * 1e6f;
            default -> r.nextFloat();
          };
        }
        return Volume.ofFloats(a, w, h, d, vs);
      }
    }
  }

  private static double randomSize(SplittableRandom r) {
    return Math.pow(10, r.nextDouble(-3, 3));
  }

  static void assertSameVoxels(RandomAccessibleInterval<? extends RealType<?>> expected,
      RandomAccessibleInterval<? extends RealType<?>> actual, String why) {
    assertArrayEquals(expected.dimensionsAsLongArray(), actual.dimensionsAsLongArray(), why);
    Cursor<? extends RealType<?>> a = Views.flatIterable(expected).cursor();
    Cursor<? extends RealType<?>> b = Views.flatIterable(actual).cursor();
    long i = 0;
    while (a.hasNext()) {
      double x = a.next().getRealDouble();
      double y = b.next().getRealDouble();
      if (Double.doubleToLongBits(x) != Double.doubleToLongBits(y)) {
        throw new AssertionError(why + ": voxel " + i + " expected " + x + " got " + y);
      }
      i++;
    }
  }

  static void assertSameSize(VoxelSize expected, VoxelSize actual, String why) {
    assertEquals(expected.unit(), actual.unit(), why);
    for (int k = 0; k < 3; k++) {
      double e = expected.along(k);
      assertEquals(e, actual.along(k), e * 1e-9, why + " axis " + k);
    }
  }

  @Test
  void tiffRoundTripKeepsTypeVoxelsAndVoxelSize() {
    qt().withFixedSeed(SEED).withExamples(60)
        .forAll(VolumeGens.volumes(integers().between(1, 33), integers().between(1, 33),
            integers().between(1, 9)))
        .checkAssert(v -> {
          String why = "SEED=" + SEED + " " + VolumeGens.describe(v);
          Path f = tmp.resolve("rt.tif");
          Volumes.write(v, f);
          Volume back = Volumes.read(f);
          assertEquals(v.image().getType().getClass(), back.image().getType().getClass(), why);
          assertSameVoxels(v.image(), back.image(), why);
          assertSameSize(v.voxelSize(), back.voxelSize(), why);
          assertEquals("rt", back.name());
          assertEquals("tiff", back.metadata().get("format"));
        });
  }

  @Test
  void v3drawRoundTripKeepsTypeAndVoxels() {
    qt().withFixedSeed(SEED + 1).withExamples(40)
        .forAll(VolumeGens.volumes(integers().between(1, 33), integers().between(1, 33),
            integers().between(1, 9)))
        .checkAssert(v -> {
          String why = "SEED=" + (SEED + 1) + " " + VolumeGens.describe(v);
          Path f = tmp.resolve("rt.v3draw");
          Volumes.write(v, f);
          Volume back = Volumes.read(f);
          assertEquals(v.image().getType().getClass(), back.image().getType().getClass(), why);
          assertSameVoxels(v.image(), back.image(), why);
          assertEquals(VoxelSize.UNIT, back.voxelSize());
        });
  }

  /** Array, planar and lazy-view images of the same voxels give byte-identical files. */
  @Test
  void bulkAndCursorPathsWriteIdenticalFiles() {
    qt().withFixedSeed(SEED + 3).withExamples(25)
        .forAll(VolumeGens.volumes(integers().between(1, 20), integers().between(1, 20),
            integers().between(1, 6)))
        .checkAssert(array -> {
          @SuppressWarnings({"unchecked", "rawtypes"})
          var planarImg = planarCopy((RandomAccessibleInterval) array.image());
          Volume planar = new Volume(planarImg, array.voxelSize());
          Volume view = new Volume(Views.translate(array.image(), 5, -6, 7), array.voxelSize());
          for (String ext : new String[] {".tif", ".v3draw"}) {
            try {
              Path a = tmp.resolve("a" + ext);
              Path b = tmp.resolve("b" + ext);
              Path c = tmp.resolve("c" + ext);
              Volumes.write(array, a);
              Volumes.write(planar, b);
              Volumes.write(view, c);
              byte[] expected = Files.readAllBytes(a);
              String why = "SEED=" + (SEED + 3) + " " + ext + " " + VolumeGens.describe(array);
              assertArrayEquals(expected, Files.readAllBytes(b), why + " planar");
              assertArrayEquals(expected, Files.readAllBytes(c), why + " view");
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }
        });
  }

  private static <T extends net.imglib2.type.NativeType<T> & RealType<T>>
      net.imglib2.img.planar.PlanarImg<T, ?> planarCopy(RandomAccessibleInterval<T> src) {
    var img = new net.imglib2.img.planar.PlanarImgFactory<>(src.getType().createVariable())
        .create(src.dimensionsAsLongArray());
    var in = Views.flatIterable(src).cursor();
    var out = Views.flatIterable(img).cursor();
    while (in.hasNext()) {
      out.next().set(in.next());
    }
    return img;
  }

  @Test
  void otherTypesAreWrittenAsFloat() {
    var bits = ArrayImgs.bits(4, 3, 2);
    Views.flatIterable(bits).cursor().forEachRemaining(b -> b.set(true));
    Volume bv = new Volume(bits, VoxelSize.UNIT);
    Path f = tmp.resolve("bits.tif");
    Volumes.write(bv, f);
    Volume back = Volumes.read(f);
    assertInstanceOf(UnsignedByteType.class, back.image().getType());
    assertSameVoxels(bv.image(), back.image(), "bits");
    assertInstanceOf(BitType.class, bits.firstElement());

    var doubles = ArrayImgs.doubles(new double[] {0.5, -2, 1e3, 7}, 2, 2, 1);
    Volumes.write(new Volume(doubles, VoxelSize.microns(1, 1, 1)), f);
    back = Volumes.read(f);
    assertInstanceOf(FloatType.class, back.image().getType());
    assertSameVoxels(doubles, back.image(), "doubles");
    assertInstanceOf(DoubleType.class, doubles.firstElement());
  }

  @Test
  void writesImageJDescriptionAndResolution() throws IOException {
    Volume v = Volume.ofUnsignedShorts(new short[] {1, 2, 3, 400, 5, 6}, 3, 1, 2,
        VoxelSize.microns(0.25, 0.5, 2.0));
    Path f = tmp.resolve("ij.tif");
    Volumes.writeTiff(v, f);
    byte[] bytes = Files.readAllBytes(f);
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int at = text.indexOf("ImageJ=");
    assertTrue(at > 0, "description present");
    String desc = text.substring(at, text.indexOf('\0', at));
    assertTrue(desc.contains("\nimages=2\n"), desc);
    assertTrue(desc.contains("\nslices=2\n"), desc);
    assertTrue(desc.contains("\nunit=\\u00B5m\n"), desc);
    assertTrue(desc.contains("\nspacing=2\n"), desc);
    assertTrue(desc.contains("\nmin=1\nmax=400\n"), desc);
    // pixel data contiguous right after the header, as ImageJ reads stacks
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 6; i++) {
      assertEquals(new int[] {1, 2, 3, 400, 5, 6}[i], b.getShort(8 + 2 * i) & 0xffff);
    }
    // an independent reader sees the resolution as 1 / voxel size
    try (var in = javax.imageio.ImageIO.createImageInputStream(f.toFile())) {
      var reader = jdkTiffReader();
      reader.setInput(in);
      assertEquals(2, reader.getNumImages(true));
      var tree = reader.getImageMetadata(0).getAsTree("javax_imageio_tiff_image_1.0");
      // XResolution/YResolution: pixels per unit, so 1 / voxel size
      assertEquals(4.0, rationalField(tree, 282), 1e-12);
      assertEquals(2.0, rationalField(tree, 283), 1e-12);
      reader.dispose();
    }
  }

  private static javax.imageio.ImageReader jdkTiffReader() {
    var it = javax.imageio.ImageIO.getImageReadersByFormatName("tiff");
    while (it.hasNext()) {
      var r = it.next();
      if (r.getClass().getName().startsWith("com.sun.imageio")) {
        return r;
      }
    }
    throw new AssertionError("the JDK's TIFF reader is missing");
  }

  private static javax.imageio.ImageWriter jdkTiffWriter() {
    var it = javax.imageio.ImageIO.getImageWritersByFormatName("tiff");
    while (it.hasNext()) {
      var w = it.next();
      if (w.getClass().getName().startsWith("com.sun.imageio")) {
        return w;
      }
    }
    throw new AssertionError("the JDK's TIFF writer is missing");
  }

  /** The first rational of TIFF field {@code number} in a JDK native metadata tree. */
  private static double rationalField(org.w3c.dom.Node n, int number) {
    if (n.getNodeName().equals("TIFFField")
        && n.getAttributes().getNamedItem("number").getNodeValue().equals("" + number)) {
      var rat = ((org.w3c.dom.Element) n).getElementsByTagName("TIFFRational").item(0);
      String[] q = rat.getAttributes().getNamedItem("value").getNodeValue().split("/");
      return Double.parseDouble(q[0]) / Double.parseDouble(q[1]);
    }
    for (var c = n.getFirstChild(); c != null; c = c.getNextSibling()) {
      double v = rationalField(c, number);
      if (!Double.isNaN(v)) {
        return v;
      }
    }
    return Double.NaN;
  }

  /** Stacks written by the JDK's own TIFF writer, in every compression, read back equal. */
  @Test
  void readsStacksOfAnIndependentWriterInEveryCompression() throws IOException {
    for (String comp : VolumeGens.JDK_COMPRESSIONS) {
      for (int type : VolumeGens.JDK_TYPES) {
        checkJdkWritten(37, 23, 4, comp, type, false, SEED);
      }
    }
  }

  /** The same over random shapes, compressions, types and strip or tile layouts. */
  @Test
  void independentWriterPropertyOverShapesAndLayouts() {
    qt().withFixedSeed(SEED + 2).withExamples(40)
        .forAll(VolumeGens.jdkStacks(70, 70, 5))
        .checkAssert(stack -> {
          try {
            checkJdkWritten(stack, "SEED=" + (SEED + 2));
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
  }

  /** A stack with samples from {@code seed}, as in {@link VolumeGens#jdkStacks}. */
  private void checkJdkWritten(int w, int h, int d, String comp, int type, boolean tiled,
      long seed) throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    double[] samples = new double[w * h * d];
    for (int i = 0; i < samples.length; i++) {
      // runs of equal values, so the compressors have something to compress
      samples[i] = switch (type) {
        case java.awt.image.DataBuffer.TYPE_BYTE -> r.nextInt(4) == 0 ? 7 : r.nextInt(256);
        case java.awt.image.DataBuffer.TYPE_USHORT -> r.nextInt(4) == 0 ? 9 : r.nextInt(65536);
        default -> r.nextInt(4) == 0 ? 0.5 : r.nextDouble(-1e4, 1e4);
      };
    }
    checkJdkWritten(new VolumeGens.JdkStack(w, h, d, comp, type, tiled, samples),
        "seed=" + seed);
  }

  /** Writes {@code stack} with the JDK's TIFF writer and checks that it reads back equal. */
  private void checkJdkWritten(VolumeGens.JdkStack stack, String label) throws IOException {
    int w = stack.w();
    int h = stack.h();
    int d = stack.d();
    String comp = stack.compression();
    int type = stack.type();
    boolean tiled = stack.tiled();
    var pages = new java.awt.image.BufferedImage[d];
    for (int z = 0; z < d; z++) {
      pages[z] = grayImage(type, w, h, stack.samples(), z * w * h);
    }
    Path f = tmp.resolve("jdk-" + comp + "-" + type + ".tif");
    var writer = jdkTiffWriter();
    try (var out = javax.imageio.ImageIO.createImageOutputStream(f.toFile())) {
      writer.setOutput(out);
      var param = writer.getDefaultWriteParam();
      if (comp != null) {
        param.setCompressionMode(javax.imageio.ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionType(comp);
      }
      if (tiled) {
        param.setTilingMode(javax.imageio.ImageWriteParam.MODE_EXPLICIT);
        param.setTiling(16, 16, 0, 0);
      }
      writer.prepareWriteSequence(null);
      for (var page : pages) {
        writer.writeToSequence(new javax.imageio.IIOImage(page, null, null), param);
      }
      writer.endWriteSequence();
    } finally {
      writer.dispose();
    }
    Volume v = Volumes.read(f);
    String why = label + " " + stack;
    assertArrayEquals(new long[] {w, h, d}, v.dimensions(), why);
    Class<?> expected = switch (type) {
      case java.awt.image.DataBuffer.TYPE_BYTE -> UnsignedByteType.class;
      case java.awt.image.DataBuffer.TYPE_USHORT -> UnsignedShortType.class;
      default -> FloatType.class;
    };
    assertEquals(expected, v.image().getType().getClass(), why);
    var ra = v.image().randomAccess();
    for (int z = 0; z < d; z++) {
      var raster = pages[z].getRaster();
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          ra.setPosition(new long[] {x, y, z});
          if (raster.getSampleDouble(x, y, 0) != ra.get().getRealDouble()) {
            throw new AssertionError(why + " at " + x + "," + y + "," + z + ": expected "
                + raster.getSampleDouble(x, y, 0) + ", got " + ra.get().getRealDouble());
          }
        }
      }
    }
  }

  /** A one-band image of {@code type} holding {@code samples} from {@code offset} on. */
  private static java.awt.image.BufferedImage grayImage(int type, int w, int h, double[] samples,
      int offset) {
    java.awt.image.BufferedImage img;
    if (type == java.awt.image.DataBuffer.TYPE_FLOAT) {
      var cs = java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_GRAY);
      var cm = new java.awt.image.ComponentColorModel(cs, false, false,
          java.awt.Transparency.OPAQUE, type);
      img = new java.awt.image.BufferedImage(cm, cm.createCompatibleWritableRaster(w, h), false,
          null);
    } else {
      img = new java.awt.image.BufferedImage(w, h, type == java.awt.image.DataBuffer.TYPE_BYTE
          ? java.awt.image.BufferedImage.TYPE_BYTE_GRAY
          : java.awt.image.BufferedImage.TYPE_USHORT_GRAY);
    }
    var raster = img.getRaster();
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        raster.setSample(x, y, 0, samples[offset + y * w + x]);
      }
    }
    return img;
  }

  /** Every stack in the shared data reads like the JDK's TIFF reader reads it, page by page. */
  @Test
  void realStacksMatchTheJdkReader() throws IOException {
    Path dir = io.github.neuroseg.testing.SharedData.require("stacks");
    Path[] tifs;
    try (Stream<Path> s = Files.list(dir)) {
      tifs = s.filter(p -> p.toString().endsWith(".tif")).sorted().toArray(Path[]::new);
    }
    assertTrue(tifs.length > 0);
    for (Path f : tifs) {
      Volume v = Volumes.read(f);
      var reader = jdkTiffReader();
      try (var in = javax.imageio.ImageIO.createImageInputStream(f.toFile())) {
        reader.setInput(in);
        int pages = reader.getNumImages(true);
        assertEquals(pages, v.depth(), f.toString());
        for (int z = 0; z < pages; z++) {
          var raster = reader.read(z).getRaster();
          assertEquals(raster.getWidth(), v.width(), f.toString());
          assertEquals(raster.getHeight(), v.height(), f.toString());
          double[] expected = raster.getSamples(raster.getMinX(), raster.getMinY(),
              raster.getWidth(), raster.getHeight(), 0, (double[]) null);
          Cursor<? extends RealType<?>> c =
              Views.flatIterable(Views.hyperSlice(v.image(), 2, z)).cursor();
          // the JDK reader ignores the Orientation tag; ours turns stored rows upright
          int o = Integer.parseInt(v.metadata().getOrDefault("tiff.orientation", "1"));
          int w = raster.getWidth();
          int h = raster.getHeight();
          for (int i = 0; i < expected.length; i++) {
            double got = c.next().getRealDouble();
            int x = o == 2 || o == 3 ? w - 1 - i % w : i % w;
            int y = o == 3 || o == 4 ? h - 1 - i / w : i / w;
            if (expected[y * w + x] != got) {
              throw new AssertionError(f + " voxel " + i % raster.getWidth() + ","
                  + i / raster.getWidth() + "," + z + ": expected " + expected[y * w + x]
                  + ", got " + got);
            }
          }
        }
      } finally {
        reader.dispose();
      }
    }
  }

  @Test
  void readsImageJStackStoredAsOneIfdWithContiguousSlices() throws IOException {
    Volume v = randomVolume(9, 7, 5, 3);
    Path f = tmp.resolve("contig.tif");
    Volumes.writeTiff(v, f);
    byte[] bytes = Files.readAllBytes(f);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int ifd0 = b.getInt(4);
    int n = b.getShort(ifd0) & 0xffff;
    b.putInt(ifd0 + 2 + 12 * n, 0); // cut the chain after the first page: ImageJ's >4 GiB layout
    Files.write(f, bytes);
    Volume back = Volumes.read(f);
    assertSameVoxels(v.image(), back.image(), "contiguous");
  }

  @Test
  void imageJUnitSpellingsAndHyperstacks() throws IOException {
    // two channels x three slices, channel fastest: reading keeps channel 1
    short[] data = new short[4 * 2 * 6];
    for (int i = 0; i < data.length; i++) {
      data[i] = (short) i;
    }
    Volume six = Volume.ofUnsignedShorts(data, 4, 2, 6, VoxelSize.microns(1, 1, 1));
    Path f = tmp.resolve("hyper.tif");
    Volumes.writeTiff(six, f);
    byte[] bytes = Files.readAllBytes(f);
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    String old = "ImageJ=1.11a\nimages=6\nslices=6\nunit=\\u00B5m\nspacing=1\nloop=false\n";
    String now = "ImageJ=1.11a\nimages=6\nchannels=2\nslices=3\nunit=\\u00B5m\n";
    int at = text.indexOf(old);
    assertTrue(at > 0);
    // same length replacement keeps every offset valid
    String padded = now + " ".repeat(old.length() - now.length());
    assertEquals(old.length(), padded.length());
    System.arraycopy(padded.getBytes(StandardCharsets.ISO_8859_1), 0, bytes, at, old.length());
    Files.write(f, bytes);
    Volume back = Volumes.read(f);
    assertArrayEquals(new long[] {4, 2, 3}, back.dimensions());
    assertEquals("micron", back.voxelSize().unit());
    assertEquals("2", back.metadata().get("channels"));
    var ra = back.image().randomAccess();
    for (int z = 0; z < 3; z++) {
      ra.setPosition(new long[] {0, 0, z});
      assertEquals(8.0 * 2 * z, ra.get().getRealDouble(), "slice " + z + " is page " + 2 * z);
    }
  }

  @Test
  void truncatedTiffFailsWithOffsetAtEveryCut() throws IOException {
    Volume v = randomVolume(11, 5, 3, 7);
    Path f = tmp.resolve("t.tif");
    Volumes.writeTiff(v, f);
    byte[] full = Files.readAllBytes(f);
    for (int cut = 0; cut < full.length; cut += Math.max(1, full.length / 97)) {
      Path t = tmp.resolve("cut.tif");
      Files.write(t, Arrays.copyOf(full, cut));
      int at = cut;
      var e = assertThrows(FormatException.class, () -> Volumes.read(t), "cut at " + at);
      assertTrue(e.getMessage().startsWith(t.toString()), e.getMessage());
      if (cut >= 8) {
        assertEquals(FormatException.LocationKind.OFFSET, e.locationKind(), e.getMessage());
        assertTrue(e.location() >= 0, e.getMessage());
      }
    }
  }

  /**
   * Random byte corruption of plain and compressed stacks: reading either succeeds or fails with
   * a FormatException, never with another exception or by exhausting memory.
   */
  @Test
  void corruptBytesGiveFormatExceptionsOrValidVolumes() throws IOException {
    Path plain = tmp.resolve("plain.tif");
    Volumes.writeTiff(randomVolume(13, 9, 4, 99), plain);
    Path lzw = tmp.resolve("lzw.tif");
    checkJdkWritten(13, 9, 4, "LZW", java.awt.image.DataBuffer.TYPE_USHORT, false, 5);
    Files.copy(tmp.resolve("jdk-LZW-1.tif"), lzw);
    Path deflate = tmp.resolve("deflate.tif");
    checkJdkWritten(16, 16, 3, "Deflate", java.awt.image.DataBuffer.TYPE_FLOAT, true, 6);
    Files.copy(tmp.resolve("jdk-Deflate-4.tif"), deflate);
    Path v3 = tmp.resolve("plain.v3draw");
    Volumes.writeV3draw(randomVolume(7, 6, 5, 98), v3);
    SplittableRandom r = new SplittableRandom(SEED);
    int formatErrors = 0;
    for (Path original : new Path[] {plain, lzw, deflate, v3}) {
      byte[] good = Files.readAllBytes(original);
      for (int trial = 0; trial < 150; trial++) {
        byte[] bad = good.clone();
        int flips = 1 + r.nextInt(4);
        for (int k = 0; k < flips; k++) {
          // mostly the header and IFDs, where a flip changes structure
          int at = r.nextBoolean() ? r.nextInt(Math.min(bad.length, 64))
              : r.nextInt(bad.length);
          bad[at] = (byte) r.nextInt(256);
        }
        Path f = tmp.resolve("bad" + original.getFileName());
        Files.write(f, bad);
        try {
          Volume v = Volumes.read(f);
          assertTrue(v.depth() >= 1);
        } catch (FormatException e) {
          formatErrors++;
          assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        } catch (RuntimeException | OutOfMemoryError e) {
          throw new AssertionError(original.getFileName() + " trial " + trial + ": " + e, e);
        }
      }
    }
    assertTrue(formatErrors > 50, "corruption is noticed: " + formatErrors);
  }

  @Test
  void truncatedCompressedTiffFailsWithOffsetAtEveryCut() throws IOException {
    for (String comp : new String[] {"LZW", "Deflate", "PackBits"}) {
      checkJdkWritten(21, 13, 3, comp, java.awt.image.DataBuffer.TYPE_USHORT, false, 8);
      byte[] full = Files.readAllBytes(tmp.resolve("jdk-" + comp + "-1.tif"));
      for (int cut = 0; cut < full.length; cut += Math.max(1, full.length / 83)) {
        Path t = tmp.resolve("cut.tif");
        Files.write(t, Arrays.copyOf(full, cut));
        int at = cut;
        var e = assertThrows(FormatException.class, () -> Volumes.read(t),
            comp + " cut at " + at);
        assertTrue(e.getMessage().startsWith(t.toString()), e.getMessage());
      }
    }
  }

  @Test
  void truncatedV3drawFailsWithOffset() throws IOException {
    Volume v = randomVolume(6, 5, 4, 11);
    Path f = tmp.resolve("t.v3draw");
    Volumes.writeV3draw(v, f);
    byte[] full = Files.readAllBytes(f);
    for (int cut : new int[] {10, 30, 43, 44, full.length - 1}) {
      Path t = tmp.resolve("cut.v3draw");
      Files.write(t, Arrays.copyOf(full, cut));
      var e = assertThrows(FormatException.class, () -> Volumes.read(t), "cut " + cut);
      assertEquals(FormatException.LocationKind.OFFSET, e.locationKind(), e.getMessage());
    }
  }

  @Test
  void corruptTiffPointersAndUnsupportedContentAreNamed() throws IOException {
    Volume v = randomVolume(4, 4, 2, 5);
    Path f = tmp.resolve("c.tif");
    Volumes.writeTiff(v, f);
    byte[] bytes = Files.readAllBytes(f);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int ifd0 = b.getInt(4);
    int n = b.getShort(ifd0) & 0xffff;
    b.putInt(ifd0 + 2 + 12 * n, ifd0); // next IFD points back at itself
    Files.write(f, bytes);
    var loop = assertThrows(FormatException.class, () -> Volumes.read(f));
    assertTrue(loop.getMessage().contains("loops"), loop.getMessage());

    Path rgb = tmp.resolve("rgb.tif");
    var img = new java.awt.image.BufferedImage(5, 4, java.awt.image.BufferedImage.TYPE_3BYTE_BGR);
    assertTrue(javax.imageio.ImageIO.write(img, "tiff", rgb.toFile()));
    var e = assertThrows(FormatException.class, () -> Volumes.read(rgb));
    assertTrue(e.getMessage().contains("one sample per pixel"), e.getMessage());

    Path junk = tmp.resolve("junk.tif");
    Files.writeString(junk, "hello, not an image");
    var j = assertThrows(FormatException.class, () -> Volumes.read(junk));
    assertEquals(0, j.location());
  }

  @Test
  void fileSystemFailuresAndBadNames() throws IOException {
    var missing = assertThrows(NeuroSegIOException.class,
        () -> Volumes.read(tmp.resolve("nope.tif")));
    assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());
    Volume v = randomVolume(2, 2, 2, 1);
    assertThrows(InvalidInputException.class, () -> Volumes.write(v, tmp.resolve("v.png")));
    // a folder where the file should go: the write fails and leaves no temporary file
    Path dir = Files.createDirectories(tmp.resolve("taken.tif"));
    Files.writeString(dir.resolve("x"), "x");
    assertThrows(NeuroSegIOException.class, () -> Volumes.write(v, dir));
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(0, s.filter(p -> p.getFileName().toString().endsWith(".tmp")).count());
    }
  }

  @Test
  void rationalsApproximateVoxelSizesClosely() {
    SplittableRandom r = new SplittableRandom(SEED);
    for (int i = 0; i < 2000; i++) {
      double v = Math.pow(10, r.nextDouble(-4, 4));
      long[] q = TiffWriter.rational(v);
      assertTrue(q[0] > 0 && q[1] > 0 && q[0] <= 0xffffffffL && q[1] <= 0xffffffffL);
      assertEquals(v, (double) q[0] / q[1], v * 1e-12, "value " + v);
    }
    assertArrayEquals(new long[] {4, 1}, TiffWriter.rational(4));
    assertArrayEquals(new long[] {10, 3}, TiffWriter.rational(10.0 / 3));
  }

  @Test
  void metadataNamesTheSource() {
    Volume v = randomVolume(3, 3, 3, 2);
    Path f = tmp.resolve("neuron.v3draw");
    Volumes.write(v, f);
    Volume back = Volumes.read(f);
    assertEquals("neuron", back.name());
    assertEquals(Map.of("source", f.toAbsolutePath().toString(), "format", "v3draw"),
        back.metadata());
  }

  /** Stacks from a third writer (tifffile): ImageJ metadata, Deflate, predictor, tiles, BigTIFF. */
  @Test
  void readsStacksWrittenByTifffile() throws Exception {
    String[] names = {"tifffile-imagej-u16.tif", "tifffile-f32-deflate.tif",
        "tifffile-u16-deflate-predictor-tiled.tif", "tifffile-u16-deflate-bigendian.tif",
        "tifffile-f32-bigendian-rowsperstrip2.tif", "tifffile-u16-bigtiff.tif",
        "tifffile-u8-deflate-predictor-rowsperstrip3.tif"};
    for (String name : names) {
      Path f = Path.of(VolumesTest.class.getResource(name).toURI());
      Volume v = Volumes.read(f);
      assertArrayEquals(new long[] {9, 7, 5}, v.dimensions(), name);
      boolean isFloat = name.contains("f32");
      boolean isByte = name.contains("u8");
      Class<?> type = isFloat ? FloatType.class
          : isByte ? UnsignedByteType.class : UnsignedShortType.class;
      assertEquals(type, v.image().getType().getClass(),
          name);
      var ra = v.image().randomAccess();
      for (int z = 0; z < 5; z++) {
        for (int y = 0; y < 7; y++) {
          for (int x = 0; x < 9; x++) {
            double expected = isFloat
                ? (float) ((x - 4.5 * y) * (z + 0.25))
                : (x * 7919L + y * 104729L + z * 1299709L) % (isByte ? 256 : 65536);
            ra.setPosition(new long[] {x, y, z});
            assertEquals(expected, ra.get().getRealDouble(), name + " at " + x + "," + y + "," + z);
          }
        }
      }
    }
    Volume ij = Volumes.read(Path.of(
        VolumesTest.class.getResource("tifffile-imagej-u16.tif").toURI()));
    assertSameSize(new VoxelSize(0.3, 0.3, 1.7, "micron"), ij.voxelSize(), "ImageJ calibration");
  }
}
