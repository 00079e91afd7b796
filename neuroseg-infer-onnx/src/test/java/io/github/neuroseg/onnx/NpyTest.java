package io.github.neuroseg.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.neuroseg.FormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NpyTest {

  @Test
  void writesNumpysVersion1HeaderAndLittleEndianFloats() {
    byte[] b = Npy.write(new Npy.Array(new long[] {1, 2}, new float[] {1.5f, -2f}));
    assertArrayEquals(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0},
        Arrays.copyOf(b, 8));
    int headerLength = (b[8] & 0xFF) | (b[9] & 0xFF) << 8;
    assertEquals(0, (10 + headerLength) % 64, "data must start at a multiple of 64");
    String header = new String(b, 10, headerLength, StandardCharsets.US_ASCII);
    assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }",
        header.stripTrailing());
    assertEquals('\n', header.charAt(header.length() - 1));
    ByteBuffer data = ByteBuffer.wrap(b, 10 + headerLength, 8).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(1.5f, data.getFloat());
    assertEquals(-2f, data.getFloat());
    assertEquals(10 + headerLength + 8, b.length);
  }

  @Test
  void aOneDimensionalShapeIsAOneTuple() {
    byte[] b = Npy.write(new Npy.Array(new long[] {3}, new float[3]));
    assertTrue(new String(b, StandardCharsets.US_ASCII).contains("'shape': (3,), }"));
  }

  @Test
  void readsBackWhatItWrites() {
    qt().withFixedSeed(1604L).withExamples(200)
        .forAll(integers().between(0, 5), longs().all())
        .checkAssert((rank, seed) -> {
          SplittableRandom r = new SplittableRandom(seed);
          long[] shape = new long[rank];
          int n = 1;
          for (int i = 0; i < rank; i++) {
            shape[i] = r.nextInt(0, 5);
            n *= (int) shape[i];
          }
          float[] data = new float[n];
          for (int i = 0; i < n; i++) {
            data[i] = Float.intBitsToFloat(r.nextInt());
          }
          Npy.Array back = Npy.read("x.npy", Npy.write(new Npy.Array(shape, data)));
          assertArrayEquals(shape, back.shape());
          // bit for bit, NaN payloads included
          for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToRawIntBits(data[i]),
                Float.floatToRawIntBits(back.data()[i]));
          }
        });
  }

  @Test
  void refusesOtherTypesOrdersAndTruncatedFiles() {
    byte[] ok = Npy.write(new Npy.Array(new long[] {2, 2}, new float[4]));
    FormatException f8 = assertThrows(FormatException.class,
        () -> Npy.read("a.npy", replace(ok, "<f4", "<f8")));
    assertTrue(f8.getMessage().contains("'<f8'"), f8.getMessage());
    FormatException fortran = assertThrows(FormatException.class,
        () -> Npy.read("a.npy", replace(ok, "False", "True ")));
    assertTrue(fortran.getMessage().contains("C order"), fortran.getMessage());
    FormatException cut = assertThrows(FormatException.class,
        () -> Npy.read("a.npy", Arrays.copyOf(ok, ok.length - 1)));
    assertTrue(cut.getMessage().contains("needs 4 float32 values"), cut.getMessage());
    FormatException magic = assertThrows(FormatException.class,
        () -> Npy.read("a.npy", "not numpy".getBytes(StandardCharsets.US_ASCII)));
    assertEquals(0, magic.location());
  }

  private static byte[] replace(byte[] b, String from, String to) {
    String s = new String(b, StandardCharsets.ISO_8859_1);
    assertTrue(s.contains(from));
    return s.replace(from, to).getBytes(StandardCharsets.ISO_8859_1);
  }
}
