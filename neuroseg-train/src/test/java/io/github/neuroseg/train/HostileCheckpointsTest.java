package io.github.neuroseg.train;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.ModelException;
import io.github.neuroseg.model.ModelContract;
import io.github.neuroseg.model.VitWeights;
import io.github.neuroseg.training.VitArchitecture;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints built to break the readers: each is refused with a FormatException. */
class HostileCheckpointsTest {
  @TempDir Path tmp;

  static Path safetensors(Path f, String header, byte[] data) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    Files.write(f, b.array());
    return f;
  }

  private static FormatException refused(Path f, String... parts) {
    FormatException e = assertThrows(FormatException.class, () -> SafeTensors.read(f));
    assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), e.getMessage());
    }
    return e;
  }

  @Test
  void aPthFileGivenForSafetensorsIsReportedAsWhatItIs() {
    // a legacy (pre-zip) torch.save file, e.g. export --checkpoint model.pth
    refused(DinoFixturesTest.fixture("dino_backbone_legacy.pth"), "a legacy torch.save file");
    refused(DinoFixturesTest.fixture("dino_backbone.pth"),
        "a torch.save checkpoint (a zip archive, .pth), not a safetensors file");
  }

  @Test
  void checkpointMetadataThatAModelCannotTakeNamesTheCheckpoint() {
    VitArchitecture a = new VitArchitecture(8, 1, 2, 4, 3, 8, 8);
    Map<String, String> meta = new LinkedHashMap<>(ModelContract.architectureMetadata(a));
    meta.put(ModelContract.THRESHOLD, "0.5");
    meta.put(ModelContract.NORMALIZATION, "percentile:\u001b[2J99,1");
    Path ck = tmp.resolve("best.safetensors");
    SafeTensors.write(ck, VitWeights.random(a, 1, 0.1), meta);
    ModelException e = assertThrows(ModelException.class,
        () -> OnnxExport.writeCheckpoint(ck, tmp.resolve("m.onnx")));
    assertTrue(e.getMessage().startsWith(ck + ": ") && e.getMessage().contains("normalization"),
        e.getMessage());
    assertTrue(e.getMessage().chars().noneMatch(c -> c < 0x20), "file text is escaped: "
        + e.getMessage());
    assertTrue(Files.notExists(tmp.resolve("m.onnx")));
  }

  @Test
  void deeplyNestedJsonHeadersAreRefusedWithoutRecursingDeeply() throws IOException {
    // 20 kB of nested arrays: a recursive parser without a limit overflows the stack
    String deep = "{\"x\":" + "[".repeat(200_000) + "]".repeat(200_000) + "}";
    refused(safetensors(tmp.resolve("deep.safetensors"), deep, new byte[0]),
        "nested deeper than 64 levels");
    // nesting within the limit is still parsed (and then refused as a bad entry)
    String fine = "{\"x\":" + "[".repeat(60) + "]".repeat(60) + "}";
    refused(safetensors(tmp.resolve("fine.safetensors"), fine, new byte[0]),
        "entry 'x' must be an object");
  }

  @Test
  void safetensorsShapesThatOverflowAreFormatErrors() throws IOException {
    refused(safetensors(tmp.resolve("o.safetensors"), "{\"x\":{\"dtype\":\"F32\",\"shape\":"
        + "[1099511627776,1099511627776],\"data_offsets\":[0,4]}}", new byte[4]),
        "entry 'x'", "shape [1099511627776, 1099511627776]");
    // no values, but a size no array index can reach
    refused(safetensors(tmp.resolve("z.safetensors"), "{\"x\":{\"dtype\":\"F32\",\"shape\":"
        + "[0,1099511627776],\"data_offsets\":[0,0]}}", new byte[0]),
        "entry 'x'", "sizes must be at most 2147483647");
  }

  /** A protocol-4 pickle of {"w": tensor}, the tensor's storage, offset, size and stride given. */
  static byte[] tensorPickle(long numel, long offset, long[] size, long[] stride) {
    Pickle p = new Pickle();
    p.op(0x80).op(4);
    p.global("collections", "OrderedDict").op(')').op('R');
    p.op('(');
    p.str("w");
    p.global("torch._utils", "_rebuild_tensor_v2");
    p.op('(');
    p.op('(').str("storage").global("torch", "FloatStorage").str("0").str("cpu").integer(numel)
        .op('t').op('Q');
    p.integer(offset);
    p.op('(');
    for (long v : size) {
      p.integer(v);
    }
    p.op('t').op('(');
    for (long v : stride) {
      p.integer(v);
    }
    p.op('t').op(0x89).op('N').op('t').op('R');
    p.op('u').op('.');
    return p.bytes();
  }

  /** A torch.save-like archive; storage {@code 0} deflated when {@code compress}. */
  static Path archive(Path f, byte[] pickle, byte[] storage, boolean compress)
      throws IOException {
    try (java.io.OutputStream fo = Files.newOutputStream(f);
        java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(fo)) {
      zip.putNextEntry(new java.util.zip.ZipEntry("ck/data.pkl"));
      zip.write(pickle);
      zip.closeEntry();
      if (storage != null) {
        java.util.zip.ZipEntry e = new java.util.zip.ZipEntry("ck/data/0");
        if (!compress) {
          java.util.zip.CRC32 crc = new java.util.zip.CRC32();
          crc.update(storage);
          e.setMethod(java.util.zip.ZipEntry.STORED);
          e.setSize(storage.length);
          e.setCrc(crc.getValue());
        }
        zip.putNextEntry(e);
        zip.write(storage);
        zip.closeEntry();
      }
    }
    return f;
  }

  private static FormatException refusedPth(Path f, String... parts) {
    FormatException e = assertThrows(FormatException.class, () -> TorchCheckpoint.read(f));
    assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), e.getMessage());
    }
    return e;
  }

  @Test
  void torchTensorRecordsWithNegativeOrOverflowingSizesAreFormatErrors() throws IOException {
    byte[] storage = new byte[4 * 6];
    Path ok = archive(tmp.resolve("ok.pth"), tensorPickle(6, 0, new long[] {2, 3},
        new long[] {3, 1}), storage, false);
    assertTrue(TorchCheckpoint.read(ok).get("w").values().length == 6);
    refusedPth(archive(tmp.resolve("neg.pth"), tensorPickle(6, 0, new long[] {-2, 3},
        new long[] {3, 1}), storage, false), "size (-2, 3)", "must be >= 0");
    refusedPth(archive(tmp.resolve("stride.pth"), tensorPickle(6, 0, new long[] {2, 3},
        new long[] {-3, 1}), storage, false), "stride (-3, 1)", "must be >= 0");
    refusedPth(archive(tmp.resolve("offset.pth"), tensorPickle(6, -1, new long[] {2, 3},
        new long[] {3, 1}), storage, false), "offset -1");
    refusedPth(archive(tmp.resolve("big.pth"), tensorPickle(6, 0,
        new long[] {1L << 32, 1L << 32}, new long[] {1, 1}), storage, false),
        "size (4294967296, 4294967296)");
    refusedPth(archive(tmp.resolve("reach.pth"), tensorPickle(6, 0, new long[] {2, 3},
        new long[] {1L << 62, 1}), storage, false), "reaches past its storage");
    refusedPth(archive(tmp.resolve("numel.pth"), tensorPickle(1L << 62, 0, new long[] {2, 3},
        new long[] {3, 1}), storage, false), "storage of 4611686018427387904 elements");
  }

  @Test
  void archiveEntriesThatExpandPastWhatTheyHoldAreRefused() throws IOException {
    // 64 MiB of zeros deflate to about 64 kB: a storage of 6 floats must not read them
    byte[] bomb = new byte[64 << 20];
    refusedPth(archive(tmp.resolve("bomb.pth"), tensorPickle(6, 0, new long[] {2, 3},
        new long[] {3, 1}), bomb, true), "storage 0", "more than the 24 bytes");
    Path f = tmp.resolve("pkl.pth");
    TorchSaveWriter.writeRaw(f, new byte[TorchCheckpoint.MAX_PICKLE_BYTES + 1]);
    refusedPth(f, "data.pkl", "more than " + TorchCheckpoint.MAX_PICKLE_BYTES + " bytes");
  }

  @Test
  void unhashableAndSelfContainingDictionaryKeysAreRefused() throws IOException {
    // a list appended to itself, then used as a dict key: hashing it never ends
    Pickle p = new Pickle();
    p.op(0x80).op(4).op('}').op(']').op(0x94).op('h').op(0).op('a').op('N').op('s').op('.');
    Path f = tmp.resolve("cycle.pth");
    TorchSaveWriter.writeRaw(f, p.bytes());
    refusedPth(f, "a dict key must be hashable");
  }

  /** Pickle opcodes written one by one. */
  static final class Pickle {
    private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

    Pickle op(int b) {
      out.write(b);
      return this;
    }

    Pickle str(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      out.write(0x8c);
      out.write(b.length);
      out.writeBytes(b);
      return this;
    }

    Pickle global(String module, String name) {
      return str(module).str(name).op(0x93);
    }

    Pickle integer(long v) {
      out.write(0x8a); // LONG1: eight little-endian bytes, two's complement
      out.write(8);
      out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
      return this;
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }
}
