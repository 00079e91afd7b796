package io.github.neuroseg.volume.chunked;

import io.github.neuroseg.volume.chunked.Compression.Stage;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One array of a store, in Zarr's C order (slowest dimension first; N5's dimensions are reversed
 * into this order).
 *
 * @param format the layout
 * @param dir the array's directory
 * @param metadataFile the file the array was described in, for messages
 * @param shape the array's size per dimension
 * @param chunks the chunk (for sharded arrays: shard) size per dimension
 * @param dataType the element type
 * @param byteOrder the byte order of the decoded elements
 * @param transpose the order of a chunk's dimensions in its bytes (Zarr v3 {@code transpose}:
 *     stored dimension k is array dimension {@code transpose[k]}; Zarr v2 {@code "F"} order is the
 *     reversal), or null for C order
 * @param fill the value of missing chunks
 * @param stages byte codecs in encoding order (decoding runs them backwards)
 * @param sharding the sharding of Zarr v3, or null
 * @param keys how chunk indices become file names
 * @param dimensionNames names of the dimensions (Zarr v3 {@code dimension_names}), or null
 */
record StoreArray(
    ChunkedFormat format,
    Path dir,
    Path metadataFile,
    long[] shape,
    int[] chunks,
    DataType dataType,
    ByteOrder byteOrder,
    int @Nullable [] transpose,
    double fill,
    List<Stage> stages,
    @Nullable Sharding sharding,
    ChunkKeys keys,
    @Nullable List<String> dimensionNames) {

  /**
   * Zarr v3 {@code sharding_indexed}: each chunk file (shard) holds a grid of inner chunks and an
   * index of (offset, length) pairs of 64-bit little-endian integers.
   *
   * @param inner the inner chunk size per dimension (divides the shard size)
   * @param stages the inner chunks' byte codecs, in encoding order
   * @param innerOrder the byte order of inner chunks' elements
   * @param indexStages the index's byte codecs, in encoding order
   * @param indexAtEnd whether the index is at the end of the shard (else at its start)
   */
  record Sharding(int[] inner, List<Stage> stages, ByteOrder innerOrder,
      List<Stage> indexStages, boolean indexAtEnd) {}

  /**
   * Chunk file names.
   *
   * @param prefix text before the indices ({@code "c/"} for Zarr v3's default encoding)
   * @param separator between indices
   * @param reversed whether indices are written fastest dimension first (N5)
   */
  record ChunkKeys(String prefix, String separator, boolean reversed) {
    String key(long[] index) {
      StringBuilder sb = new StringBuilder(prefix);
      for (int i = 0; i < index.length; i++) {
        if (i > 0) {
          sb.append(separator);
        }
        sb.append(index[reversed ? index.length - 1 - i : i]);
      }
      if (index.length == 0) {
        return prefix.isEmpty() ? "0" : prefix.substring(0, prefix.length() - 1);
      }
      return sb.toString();
    }
  }

  int rank() {
    return shape.length;
  }

  /** The chunk size that cells follow: the inner chunk for sharded arrays. */
  int[] readChunk() {
    return sharding == null ? chunks : sharding.inner();
  }
}
