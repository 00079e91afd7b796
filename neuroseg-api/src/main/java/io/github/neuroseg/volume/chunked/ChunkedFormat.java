package io.github.neuroseg.volume.chunked;

/** The chunked store layouts neuroseg reads and writes. */
public enum ChunkedFormat {
  /**
   * Zarr version 2 ({@code .zarray}, {@code .zattrs}); an image written in this format carries
   * OME-Zarr 0.4 multiscale metadata.
   */
  OME_ZARR_0_4,
  /**
   * Zarr version 3 ({@code zarr.json}); an image written in this format carries OME-Zarr 0.5
   * multiscale metadata (under {@code attributes.ome}).
   */
  OME_ZARR_0_5,
  /** N5 ({@code attributes.json}, big-endian blocks with a header). */
  N5
}
